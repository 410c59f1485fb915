#!/usr/bin/env bash
# A first look: count the default syscalls (read, write, open, openat,
# close) of `ls -l /`, in the text report.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SYSCALLMON:-$root/build/syscallmon}"
"$bin" -- ls -l / >/dev/null
