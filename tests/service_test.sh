#!/usr/bin/env bash
# The systemd unit, as `cmake --install` puts it in PREFIX/lib/systemd/system.
#   service_test.sh verify BUILD_DIR
#     systemd-analyze verify accepts it without a word, and it names the
#     installed binary; it is not enabled (no [Install] symlink is made).
#   service_test.sh run BUILD_DIR HELPERS_DIR
#     Its ExecStart, run in the foreground with /run/syscallmon moved to a
#     temporary folder (as without systemd): sys_stat (text, mode 0644) and
#     syscallmon.prom (read with prometheus_client's OpenMetrics parser)
#     hold a helper's exact counts, SIGUSR2 clears them, SIGTERM ends the
#     run with a final report and exit 0, and no BPF program is left.
# Exits 77 with a "SKIPPED: reason" line when the host cannot run a part.
set -euo pipefail
mode=$1
build=$2
helpers=${3:-}
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
skip() {
  echo "SKIPPED: $1"
  exit 77
}
fail() {
  echo "service_test: $1" >&2
  exit 1
}

cmake --install "$build" --prefix "$work/prefix" >/dev/null
unit="$work/prefix/lib/systemd/system/syscallmon.service"
test -f "$unit" || fail "cmake --install did not install $unit"
exec_line=$(sed -n 's/^ExecStart=//p' "$unit")
[[ "$exec_line" == "$work/prefix/bin/syscallmon --system -q "* ]] ||
  fail "ExecStart does not run the installed binary: $exec_line"

if [[ "$mode" == verify ]]; then
  command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
  # Unknown keys are only warnings: any output fails the test.
  out=$(systemd-analyze verify --man=no "$unit" 2>&1) ||
    fail "systemd-analyze verify: $out"
  [[ -z "$out" ]] || fail "systemd-analyze verify says: $out"
  grep -q '^WantedBy=multi-user.target$' "$unit" || fail "no [Install]"
  echo "unit ok: $exec_line"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || skip "the service needs root (CAP_BPF, CAP_PERFMON)"
test -r /sys/kernel/btf/vmlinux || skip "this kernel has no BTF"
run="$work/run"
mkdir -m 0755 "$run" # what RuntimeDirectory=syscallmon makes
read -ra argv <<<"${exec_line//\/run\/syscallmon/$run}"
"${argv[@]}" 2>"$work/err" &
pid=$!
wait_for() { # FILE PATTERN: up to 10 s for FILE to match PATTERN
  for _ in $(seq 200); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "$1 never matched /$2/: $(cat "$1" 2>/dev/null)"
}
wait_absent() { # FILE PATTERN: up to 10 s for a rewrite without PATTERN
  for _ in $(seq 200); do
    grep -Eq -- "$2" "$1" || return 0
    sleep 0.05
  done
  fail "$1 still matches /$2/: $(cat "$1")"
}
wait_for "$run/sys_stat" 'the whole system'
wait_for "$run/syscallmon.prom" '^# EOF$'
name="svc$$"
name=${name:0:15}
"$helpers/hw_system" uids "$name" 50 65534
wait_for "$run/sys_stat" "Image: +$name  UID: 65534  Count: [+ ]+ 50$"
grep -Eq "Image: +$name  UID:  0000  Count: [+ ]+ 50$" "$run/sys_stat" ||
  fail "no root row in sys_stat"
[[ $(stat -c %a "$run/sys_stat") == 644 ]] || fail "sys_stat is not 0644"
[[ $(stat -c %a "$run/syscallmon.prom") == 644 ]] || fail ".prom is not 0644"
# The helper's last call, its close as 65534: a rewrite after it holds all.
wait_for "$run/syscallmon.prom" \
  "syscall=\"close\",arch=\"x86_64\",image=\"$name\",uid=\"65534\""
cp "$run/syscallmon.prom" "$work/counted.prom"
progs=$(sed -n 's/^prog_id:\s*//p' /proc/"$pid"/fdinfo/* 2>/dev/null | sort -u)
[[ -n "$progs" ]] || fail "no BPF program held by the service"

kill -USR2 "$pid" # systemctl kill -s USR2 syscallmon
wait_absent "$run/sys_stat" "$name"
wait_absent "$run/syscallmon.prom" "$name"

kill -TERM "$pid" # systemctl stop syscallmon
rc=0
wait "$pid" || rc=$?
pid=
[[ $rc -eq 0 ]] || fail "the service exited $rc: $(cat "$work/err")"
grep -q '; the whole system$' "$work/err" || fail "no final report"
grep -q '^Table: 16 x 1024;' "$work/err" || fail "the final report is cut"
# Everything loaded went with the process (systemctl stop unloads).
if command -v bpftool >/dev/null; then
  for id in $progs; do
    gone=0
    for _ in $(seq 100); do # freed after an RCU grace period
      if ! bpftool prog show id "$id" >/dev/null 2>&1; then
        gone=1
        break
      fi
      sleep 0.02
    done
    [[ $gone -eq 1 ]] || fail "BPF program $id is still loaded"
  done
fi

if ! /usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' \
  2>/dev/null; then
  skip "no OpenMetrics parser (python3-prometheus-client)"
fi
/usr/bin/python3 - "$work/counted.prom" "$name" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
path, name = sys.argv[1], sys.argv[2]
got = {}
for family in text_string_to_metric_families(open(path, encoding="utf-8").read()):
    for s in family.samples:
        if s.name == "syscallmon_calls_total" and s.labels["image"] == name:
            got[(s.labels["syscall"], s.labels["uid"])] = int(s.value)
want = {("openat", "0"): 1, ("write", "0"): 50, ("write", "65534"): 50,
        ("close", "65534"): 1}
assert got == want, got
print("service ok:", sorted(got.items()))
PY
