/* hw_pace MS SPEC... -- syscallmon test helper (calls at a steady pace, for
 * the live view). Opens /dev/null, then starts one thread per SPEC
 * (1..16 of them). SPEC is NAME or NAME:BURST (NAME without ':') (BURST
 * 0..100000000, default 0). NAME is 1..15 bytes once its "\xHH" escapes are
 * decoded (so a test can pass ESC or a newline). The thread names itself NAME
 * (one prctl), makes BURST 1-byte writes at once, then one 1-byte write every
 * MS ms (MS 1..3600000), for ever. Main makes no writes: it pause()s until a
 * signal ends the process (SIGTERM etc. keep their default action).
 * Not exact: it runs until killed. Per thread: write BURST + one per MS ms
 * under NAME. openat 1 (main), close 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_pace"
#define HW_ARGS "MS NAME[:BURST]..."
#include "hw_common.h"
#include <pthread.h>
#include <sys/prctl.h>

#define MAX_SPECS 16

struct spec {
  char name[16];
  long burst;
};

static int fd;
static long ms;
static struct spec specs[MAX_SPECS];

static int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* NAME with "\xHH" decoded into out (1..15 bytes), else usage. */
static void decode_name(const char *s, size_t len, char *out) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '\\' && i + 3 < len && s[i + 1] == 'x' && hex(s[i + 2]) >= 0 &&
        hex(s[i + 3]) >= 0) {
      c = (char)(hex(s[i + 2]) * 16 + hex(s[i + 3]));
      i += 3;
    }
    if (n == 15)
      hw_usage();
    out[n++] = c;
  }
  if (n == 0)
    hw_usage();
  out[n] = '\0';
}

static void parse_spec(const char *arg, struct spec *sp) {
  const char *colon = strrchr(arg, ':');
  size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
  decode_name(arg, len, sp->name);
  sp->burst = colon ? hw_num(colon + 1, 0, HW_MAX_COUNT) : 0;
}

static void *pace(void *arg) {
  const struct spec *sp = arg;
  if (prctl(PR_SET_NAME, sp->name, 0, 0, 0))
    hw_die(HW_NAME ": prctl failed\n");
  hw_writes(fd, sp->burst);
  for (;;) {
    hw_writes(fd, 1);
    hw_sleep_ms(ms);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc - 2 > MAX_SPECS)
    hw_usage();
  ms = hw_num(argv[1], 1, HW_MAX_MS);
  for (int i = 2; i < argc; i++)
    parse_spec(argv[i], &specs[i - 2]);
  fd = hw_open_null(0);
  pthread_t th[MAX_SPECS];
  for (int i = 0; i < argc - 2; i++)
    if (pthread_create(&th[i], NULL, pace, &specs[i]))
      hw_die(HW_NAME ": pthread_create failed\n");
  for (;;)
    pause();
}
