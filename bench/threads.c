/* Benchmark workload: T threads each make N 1-byte writes to /dev/null.
 * usage: threads T N */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int fd;
static long per_thread;

static void *worker(void *arg) {
  (void)arg;
  for (long i = 0; i < per_thread; ++i) {
    if (write(fd, "x", 1) != 1) {
      exit(1);
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: threads T N\n");
    return 2;
  }
  const int threads = atoi(argv[1]);
  per_thread = atol(argv[2]);
  if (threads < 1 || threads > 256 || per_thread < 0) {
    fprintf(stderr, "usage: threads T N\n");
    return 2;
  }
  fd = open("/dev/null", O_WRONLY);
  pthread_t tids[256];
  for (int i = 0; i < threads; ++i) {
    pthread_create(&tids[i], NULL, worker, NULL);
  }
  for (int i = 0; i < threads; ++i) {
    pthread_join(tids[i], NULL);
  }
  return 0;
}
