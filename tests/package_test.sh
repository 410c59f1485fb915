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
"$bin" -f json -o "$work/r.json" -e write,read -- "$helpers/hw_rw" 77
python3 - "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
calls = {s["name"]: s["calls"] for s in r["syscalls"]}
assert calls == {"write": 77, "read": 77}, calls
print("package ok:", calls)
PY
