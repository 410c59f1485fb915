#!/usr/bin/env bash
# Runs one example script; passes if it exits 0 and its output (stdout and
# stderr) matches every given extended regex. An example that cannot run
# on this host (not root) exits 77: skipped, never passed.
#   run_example.sh SCRIPT REGEX...
set -uo pipefail
script=$1
shift
out=$("$script" 2>&1)
rc=$?
printf '%s\n' "$out"
if [[ $rc -eq 77 ]]; then
  echo "SKIPPED: $script cannot run here (exit 77: see its message above)"
  exit 77
fi
if [[ $rc -ne 0 ]]; then
  echo "run_example: $script exited $rc" >&2
  exit 1
fi
for pattern in "$@"; do
  if ! grep -Eq -- "$pattern" <<<"$out"; then
    echo "run_example: output lacks /$pattern/" >&2
    exit 1
  fi
done
