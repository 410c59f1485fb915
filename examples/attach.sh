#!/usr/bin/env bash
# Attach to a running daemon for a while, then detach (SIGINT, as Ctrl-C
# would) and print the report. The daemon keeps running untouched.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SYSCALLMON:-$root/build/syscallmon}"
work=$(mktemp -d)
# A stand-in daemon: appends a line to a log every 20 ms.
sh -c "while :; do date +%s.%N >> '$work/log'; sleep 0.02; done" &
daemon=$!
trap 'kill $daemon 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.2
"$bin" -e write,openat,close,clone,clone3,vfork,execve,wait4 -p "$daemon" 2>"$work/report" &
mon=$!
sleep 1
kill -INT "$mon"
wait "$mon"
sed -E 's/attached pids [0-9]+/attached pids DAEMON/' "$work/report"
kill -0 "$daemon" && echo "(the daemon is still running after the detach)"
