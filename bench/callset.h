/* The syscall set of the reference counters (mintracer.c, notifycount.c):
 * "all" or "read,write,...", each call added to a libseccomp filter with
 * the action action_for(nr). Exits with 2 on an unknown name. */
#ifndef SYSCALLMON_BENCH_CALLSET_H
#define SYSCALLMON_BENCH_CALLSET_H
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_call(scmp_filter_ctx ctx, uint32_t (*action_for)(int), int nr,
                     const char *name) {
  if (nr < 0 || seccomp_rule_add(ctx, action_for(nr), nr, 0) < 0) {
    fprintf(stderr, "cannot add %s to the filter\n", name);
    exit(2);
  }
}

static scmp_filter_ctx build_filter(char *set, uint32_t (*action_for)(int)) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL) {
    return NULL;
  }
  seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  if (strcmp(set, "all") == 0) {
    for (int nr = 0; nr < 1024; ++nr) {
      char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
      if (name != NULL) {
        add_call(ctx, action_for, nr, name);
        free(name);
      }
    }
    return ctx;
  }
  for (char *name = strtok(set, ","); name != NULL; name = strtok(NULL, ",")) {
    add_call(ctx, action_for, seccomp_syscall_resolve_name(name), name);
  }
  return ctx;
}

#endif
