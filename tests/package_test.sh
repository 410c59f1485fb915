#!/usr/bin/env bash
# Builds the .deb with cpack, checks its dependencies, extracts it with
# dpkg-deb -x and runs the extracted binary on a helper with exact counts.
#   package_test.sh BUILD_DIR HELPERS_DIR
set -euo pipefail
build=$1
helpers=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$build" && cpack -G DEB -B "$work/out" >/dev/null)
deb=$(ls "$work"/out/*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libseccomp2 libc6 libstdc++6 libncurses6 libtinfo6; do
  grep -q "$lib" <<<"$depends" || { echo "no $lib in Depends" >&2; exit 1; }
done
dpkg-deb -x "$deb" "$work/root"
bin="$work/root/usr/bin/syscallmon"
test -x "$bin"
test -f "$work/root/usr/share/man/man1/syscallmon.1"
test -f "$work/root/usr/share/bash-completion/completions/syscallmon"
# The service, not enabled: the unit alone, naming the packaged binary.
unit="$work/root/usr/lib/systemd/system/syscallmon.service"
grep -q '^ExecStart=/usr/bin/syscallmon --system -q ' "$unit"
if dpkg-deb -c "$deb" | grep -q 'wants/'; then
  echo "the .deb enables the service" >&2
  exit 1
fi
if command -v systemd-analyze >/dev/null; then
  # Where /usr/bin/syscallmon is not installed: the extracted one.
  sed "s|^ExecStart=/usr/bin/|ExecStart=$work/root/usr/bin/|" "$unit" \
    >"$work/syscallmon.service"
  out=$(systemd-analyze verify --man=no "$work/syscallmon.service" 2>&1)
  [[ -z "$out" ]] || { echo "systemd-analyze verify: $out" >&2; exit 1; }
else
  echo "SKIPPED (part): no systemd-analyze to verify the packaged unit"
fi
"$bin" -f json -o "$work/r.json" -e write,read -- "$helpers/hw_rw" 77
python3 - "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
calls = {s["name"]: s["calls"] for s in r["syscalls"]}
assert calls == {"write": 77, "read": 77}, calls
print("package ok:", calls)
PY
