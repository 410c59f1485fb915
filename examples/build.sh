#!/usr/bin/env bash
# Monitor a small parallel build: make -j2 over a few generated C files.
# Every child (make, sh, cc, cc1, as, collect2...) is followed; the report
# shows who opens and reads what.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SYSCALLMON:-$root/build/syscallmon}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in 1 2 3 4; do
  echo "int f$i(int x) { return x * $i; }" > "$work/f$i.c"
done
printf 'all: f1.o f2.o f3.o f4.o\n%%.o: %%.c\n\t@cc -O2 -c $< -o $@\n' \
  > "$work/Makefile"
"$bin" --top 4 -e openat,read,write,close -- make -s -j2 -C "$work" 2>&1
