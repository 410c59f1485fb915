#!/usr/bin/env bash
# Monitor a multi-threaded program: each thread names itself, and the
# report has one line per thread name (the kernel's per-thread comm).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SYSCALLMON:-$root/build/syscallmon}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/threads.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static int fd;
static void *work(void *arg) {
  long n = (long)arg;
  char name[16];
  snprintf(name, sizeof name, "worker-%ld", n);
  pthread_setname_np(pthread_self(), name);
  for (long i = 0; i < 1000 * n; ++i) {
    if (write(fd, "x", 1) != 1) {
      return NULL;
    }
  }
  return NULL;
}
int main(void) {
  fd = open("/dev/null", O_WRONLY);
  pthread_t t[4];
  for (long i = 0; i < 4; ++i) {
    pthread_create(&t[i], NULL, work, (void *)(i + 1));
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(t[i], NULL);
  }
  return 0;
}
C
cc -O2 -pthread "$work/threads.c" -o "$work/threads"
"$bin" -e write -- "$work/threads" 2>&1
