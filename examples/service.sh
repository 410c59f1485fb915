#!/usr/bin/env bash
# The service, the paper's /proc/sys_stat in user space: syscallmon.service
# (installed by `cmake --install` and the .deb, not enabled) runs
# `syscallmon --system -q` and keeps, rewritten atomically every second:
#   /run/syscallmon/sys_stat        the text report, readable by all
#   /run/syscallmon/syscallmon.prom OpenMetrics, for node_exporter
# Where systemd runs and the unit is installed this uses it:
#   systemctl start syscallmon; cat /run/syscallmon/sys_stat
#   systemctl kill -s USR2 syscallmon   # clear the counts
#   systemctl stop syscallmon           # final report to the journal
# Elsewhere (a container, a machine without systemd) it runs the unit's
# own command line in the foreground, into a temporary folder: the same
# files. Needs root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SYSCALLMON:-$root/build/syscallmon}"
if [[ $(id -u) -ne 0 ]]; then
  echo "service.sh: the service needs root: sudo $0" >&2
  exit 77
fi
show() { # the report's first lines: the header and the busiest calls
  echo "\$ head -n 8 $1/sys_stat"
  head -n 8 "$1/sys_stat"
  echo "\$ grep -c _total $1/syscallmon.prom"
  grep -c '_total' "$1/syscallmon.prom"
}
state=$(systemctl is-system-running 2>/dev/null || true)
if [[ "$state" =~ ^(running|degraded)$ ]] &&
  systemctl cat syscallmon.service >/dev/null 2>&1; then
  was_active=$(systemctl is-active syscallmon.service || true)
  systemctl start syscallmon.service
  sleep 1
  ls -l /usr/bin >/dev/null # some work for the counts to show
  sleep 1
  show /run/syscallmon
  systemctl kill -s USR2 syscallmon.service
  echo "(counts cleared by systemctl kill -s USR2 syscallmon)"
  if [[ "$was_active" != active ]]; then
    systemctl stop syscallmon.service
    echo "(stopped: the final report is in journalctl -u syscallmon)"
  fi
  exit 0
fi
echo "(systemd is ${state:-absent} here: the unit's command in the foreground)"
run=$(mktemp -d) # stands for /run/syscallmon (RuntimeDirectory=syscallmon)
chmod 0755 "$run"
trap 'rm -rf "$run"' EXIT
exec_line=$(sed -n 's/^ExecStart=@BINDIR@\/syscallmon //p' \
  "$root/packaging/syscallmon.service.in")
read -ra args <<<"${exec_line//\/run\/syscallmon/$run}"
"$bin" "${args[@]}" 2>"$run/final" &
mon=$!
sleep 1
ls -l /usr/bin >/dev/null # some work for the counts to show
sleep 1.5
show "$run"
kill -USR2 "$mon" # systemctl kill -s USR2 syscallmon
echo "(counts cleared by SIGUSR2)"
sleep 1.2
kill -TERM "$mon" # systemctl stop syscallmon
wait "$mon"
echo "(stopped by SIGTERM: exit $?, final report of $(wc -l <"$run/final") lines on stderr)"
