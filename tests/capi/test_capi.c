/* The C API from C: compiled as C99 with only gxn.h, which proves the header is valid C.
 * Each check prints what failed; the exit status is the number of failures. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gxn.h"

static int failures = 0;
#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                     \
    }                                                                 \
  } while (0)

static void test_version_and_errors(void) {
  CHECK(strlen(gxn_version()) > 0);
  gxn_scorer* scorer = (gxn_scorer*)1;
  CHECK(gxn_scorer_new(1.5f, 0, NULL, &scorer) == GXN_ERR_INVALID_ARGUMENT);
  CHECK(scorer == NULL);
  CHECK(strstr(gxn_last_error(), "lambda") != NULL);
  CHECK(gxn_scorer_new(0.5f, 0, "sse9", &scorer) == GXN_ERR_INVALID_ARGUMENT);
  CHECK(gxn_scorer_new(0.5f, 0, NULL, NULL) == GXN_ERR_INVALID_ARGUMENT);
  gxn_scorer_free(NULL); /* accepted */
}

static void test_scores_and_top_k(void) {
  /* 2 images, 3 captions, D = 2 (rows: h0 h1 l0 l1). */
  const float images[2 * 4] = {0.5f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const float texts[3 * 4] = {0.0f, 0.0f, 0.0f, 0.0f, 0.5f, 0.0f, 1.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  gxn_scorer* scorer = NULL;
  CHECK(gxn_scorer_new(0.5f, 1, "portable", &scorer) == GXN_OK);
  if (!scorer) return;
  CHECK(strcmp(gxn_scorer_isa(scorer), "portable") == 0);

  float s[2 * 3];
  CHECK(gxn_score_matrix(scorer, images, 2, texts, 3, 4, s) == GXN_OK);
  /* image 0 vs caption 0: 0.5 * (-(0.25)) + 0.5 * (-(1)) = -0.625; image 1 violates nothing. */
  CHECK(fabsf(s[0] - (-0.625f)) < 1e-6f);
  CHECK(s[1] == 0.0f && s[2] == 0.0f);
  CHECK(s[3] == 0.0f && s[4] == 0.0f && s[5] == 0.0f);

  int64_t index[3 * 2];
  float score[3 * 2];
  int64_t k = -1;
  CHECK(gxn_top_texts(scorer, images, 2, texts, 3, 4, 5, index, score, &k) == GXN_OK);
  CHECK(k == 3);
  CHECK(index[0] == 1 && index[1] == 2 && index[2] == 0); /* ties: lower index first */

  CHECK(gxn_score_matrix(scorer, images, 2, texts, 3, 3, s) == GXN_ERR_SHAPE); /* odd dim2 */
  CHECK(strlen(gxn_last_error()) > 0);
  gxn_scorer_free(scorer);
}

int main(void) {
  test_version_and_errors();
  test_scores_and_top_k();
  printf("C API: %d failed\n", failures);
  return failures;
}
