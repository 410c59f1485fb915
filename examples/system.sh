#!/usr/bin/env bash
# The whole machine for five seconds, as perf stat -a -- sleep 5 would:
# every process's read, write, open, openat and close, per image and user,
# counted in the kernel (--system implies --engine bpf and needs root).
# syscallmon's own calls are never counted. Without a command it runs
# until Ctrl-C (SIGINT) or SIGTERM, then prints the report.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SYSCALLMON:-$root/build/syscallmon}"
if [[ $(id -u) -ne 0 ]]; then
  echo "system.sh: --system needs root: sudo $0" >&2
  exit 77
fi
"$bin" --system -- sleep "${SLEEP_SECONDS:-5}"
