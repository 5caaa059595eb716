/* The C tests' checks: CHECK(cond) prints the failed condition and counts it in `failures`
 * (a test program's exit status); CHECK_ERROR(call, status, needle) also wants the calling
 * thread's gxn_last_error() to contain `needle`. One test program per translation unit. */
#ifndef GXN_TESTS_CAPI_CHECK_H
#define GXN_TESTS_CAPI_CHECK_H

#include <stdio.h>
#include <string.h>

#include "gxn.h"

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_ERROR(call, status, needle)                                                               \
  do {                                                                                                  \
    CHECK((call) == (status));                                                                          \
    if (strstr(gxn_last_error(), (needle)) == NULL) {                                                   \
      fprintf(stderr, "%s:%d: error lacks '%s': %s\n", __FILE__, __LINE__, (needle), gxn_last_error()); \
      ++failures;                                                                                       \
    }                                                                                                   \
  } while (0)

#endif
