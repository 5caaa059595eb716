/* The C API from C: compiled as C99 with only gxn.h, which proves the header is valid C.
 * Each check prints what failed; the exit status is the number of failures. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gxn.h"

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

/* The scorer's device: "cpu" as gxn_scorer_new; "cuda" the GPU scorer or, with no device here (or
 * a library built without CUDA), GXN_ERR_UNSUPPORTED saying which; another name is refused. */
static void test_scorer_devices(void) {
  gxn_scorer* scorer = NULL;
  CHECK(gxn_scorer_new_on(0.5f, 1, NULL, "cpu", &scorer) == GXN_OK);
  CHECK(strcmp(gxn_scorer_device(scorer), "cpu") == 0);
  gxn_scorer_free(scorer);
  CHECK(gxn_scorer_new_on(0.5f, 1, NULL, "gpu", &scorer) == GXN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(gxn_last_error(), "device") != NULL);
  CHECK(gxn_scorer_new_on(0.5f, 1, NULL, "cuda:x", &scorer) == GXN_ERR_INVALID_ARGUMENT);
  int status = gxn_scorer_new_on(1.0f, 0, NULL, "cuda", &scorer); /* lambda 1: exact scores */
  if (status == GXN_OK) {
    const float images[2 * 4] = {0.0f, 1.0f, 0.5f, 0.25f, 1.0f, 0.0f, 0.75f, 0.0f};
    const float texts[3 * 4] = {1.0f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.5f, 0.5f, 0.5f, 0.5f};
    float on_gpu[6], on_cpu[6];
    gxn_scorer* cpu = NULL;
    CHECK(strcmp(gxn_scorer_device(scorer), "cuda:0") == 0);
    CHECK(strcmp(gxn_scorer_isa(scorer), "cuda") == 0);
    CHECK(gxn_scorer_new(1.0f, 1, NULL, &cpu) == GXN_OK);
    CHECK(gxn_score_matrix(scorer, images, 2, texts, 3, 4, on_gpu) == GXN_OK);
    CHECK(gxn_score_matrix(cpu, images, 2, texts, 3, 4, on_cpu) == GXN_OK);
    CHECK(memcmp(on_gpu, on_cpu, sizeof on_gpu) == 0);
    gxn_scorer_free(cpu);
    gxn_scorer_free(scorer);
  } else {
    CHECK(status == GXN_ERR_UNSUPPORTED);
    CHECK(scorer == NULL);
    CHECK(strstr(gxn_last_error(), "no CUDA device") != NULL || strstr(gxn_last_error(), "built without CUDA") != NULL);
  }
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

static void test_evaluation(void) {
  /* 2 images x 10 captions: every caption scores highest with its own image, except caption 9. */
  float s[2 * 10];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 10; ++j) s[i * 10 + j] = (j / 5 == i) ? -1.0f : -2.0f;
  s[0 * 10 + 9] = 0.0f; /* caption 9 prefers image 0 */
  gxn_retrieval_metrics m;
  CHECK(gxn_evaluate_scores(s, 2, 10, "all", &m) == GXN_OK);
  /* Image 0's best true caption (-1) is beaten by caption 9 (0): rank 1. Caption 9: rank 1. */
  CHECK(m.i2t.r1 == 50.0 && m.i2t.r5 == 100.0);
  CHECK(fabs(m.i2t.meanr - 1.5) < 1e-9);
  CHECK(fabs(m.t2i.r1 - 90.0) < 1e-9);
  CHECK(fabs(m.rsum - (50.0 + 100.0 + 100.0 + 90.0 + 100.0 + 100.0)) < 1e-9);
  CHECK(gxn_evaluate_scores(s, 2, 9, NULL, &m) != GXN_OK);
  CHECK(gxn_evaluate_scores(s, 2, 10, "1k5", &m) != GXN_OK); /* needs 5000 images */
  CHECK(strstr(gxn_last_error(), "5000") != NULL);
}

static void test_files_and_index(void) {
  const float rows[3 * 4] = {0.1f, 0.9f, 0.2f, 0.8f, 0.9f, 0.1f, 0.8f, 0.2f, 0.5f, 0.5f, 0.5f, 0.5f};
  const char* path = "gxn_capi_test_embeddings.npy";
  CHECK(gxn_write_embeddings(path, rows, 3, 4) == GXN_OK);
  gxn_matrix* m = NULL;
  CHECK(gxn_read_embeddings(path, &m) == GXN_OK);
  CHECK(gxn_matrix_rows(m) == 3 && gxn_matrix_cols(m) == 4);
  CHECK(m && memcmp(gxn_matrix_data(m), rows, sizeof rows) == 0);
  gxn_matrix_free(m);
  CHECK(gxn_write_embeddings(path, rows, 3, 3) == GXN_ERR_SHAPE); /* odd width */
  CHECK(gxn_read_embeddings("no/such/file.npy", &m) == GXN_ERR_NOT_FOUND);
  CHECK(m == NULL);
  remove(path);

  gxn_index* index = NULL;
  CHECK(gxn_index_build(rows, 3, 4, 0.5f, 0, &index) == GXN_OK);
  CHECK(gxn_index_size(index) == 3);
  const float caption[4] = {0.9f, 0.2f, 0.9f, 0.3f};
  int64_t ids[2], k = 0;
  float sc[2];
  CHECK(gxn_index_search(index, caption, 1, 4, 2, 0, ids, sc, &k) == GXN_OK);
  CHECK(k == 2 && ids[0] == 1);
  const char* ipath = "gxn_capi_test.index";
  CHECK(gxn_index_save(index, ipath) == GXN_OK);
  gxn_index_free(index);
  index = NULL;
  CHECK(gxn_index_load(ipath, &index) == GXN_OK);
  CHECK(gxn_index_size(index) == 3);
  gxn_index_free(index);
  CHECK(gxn_index_build(rows, 3, 4, 0.5f, 7, &index) == GXN_ERR_INVALID_ARGUMENT);
  CHECK(gxn_index_load("gxn_capi_test_embeddings.npy", &index) != GXN_OK); /* removed above */
  remove(ipath);
}

/* The index's device: "cpu" by default and after "cpu"; "cuda" searches on the GPU with the CPU's
 * answers or, with no device here (or a library built without CUDA), GXN_ERR_UNSUPPORTED and the
 * index stays on the CPU; another name is refused. */
static void test_index_devices(void) {
  /* D = 2, lambda 1: scores are exact in float on either device. */
  const float rows[4 * 4] = {0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 0.5f, 0.0f, 0.0f,
                             0.5f, 0.5f, 0.0f, 0.0f, 0.5f, 0.0f, 0.0f, 0.0f};
  const float caption[4] = {0.25f, 0.0f, 0.0f, 0.0f};
  int64_t on_cpu[4], on_gpu[4], k = 0;
  float cpu_scores[4], gpu_scores[4];
  gxn_index* index = NULL;
  CHECK(gxn_index_build(rows, 4, 4, 1.0f, 0, &index) == GXN_OK);
  CHECK(strcmp(gxn_index_device(index), "cpu") == 0);
  CHECK(gxn_index_search(index, caption, 1, 4, 4, 0, on_cpu, cpu_scores, &k) == GXN_OK);
  CHECK(k == 4 && on_cpu[0] == 0 && on_cpu[1] == 3); /* rows 0 and 3 tie: the lower id first */
  CHECK(gxn_index_set_device(index, "gpu") == GXN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(gxn_last_error(), "device") != NULL);
  int status = gxn_index_set_device(index, "cuda");
  if (status == GXN_OK) {
    CHECK(strcmp(gxn_index_device(index), "cuda:0") == 0);
    CHECK(gxn_index_search(index, caption, 1, 4, 4, 0, on_gpu, gpu_scores, &k) == GXN_OK);
    CHECK(k == 4 && memcmp(on_gpu, on_cpu, sizeof on_cpu) == 0 &&
          memcmp(gpu_scores, cpu_scores, sizeof cpu_scores) == 0);
  } else {
    CHECK(status == GXN_ERR_UNSUPPORTED);
    CHECK(strstr(gxn_last_error(), "no CUDA device") != NULL || strstr(gxn_last_error(), "built without CUDA") != NULL);
    CHECK(strcmp(gxn_index_device(index), "cpu") == 0);
  }
  CHECK(gxn_index_set_device(index, NULL) == GXN_OK);
  CHECK(strcmp(gxn_index_device(index), "cpu") == 0);
  CHECK(gxn_index_set_device(NULL, "cpu") == GXN_ERR_INVALID_ARGUMENT);
  gxn_index_free(index);
}

static void test_index_items(void) {
  /* Three images (D = 2) with the caller's ids and file names. */
  const float rows[3 * 4] = {0.1f, 0.9f, 0.2f, 0.8f, 0.9f, 0.1f, 0.8f, 0.2f, 0.5f, 0.5f, 0.5f, 0.5f};
  const int64_t ids[3] = {70, 50, 60};
  const char* names[3] = {"a.png", "b.png", NULL};
  gxn_index_options options;
  gxn_index_default_options(&options);
  CHECK(options.size == sizeof options && options.lambda == 0.5f && options.side == 0);
  gxn_index* index = NULL;
  CHECK(gxn_index_create(rows, 3, 4, ids, names, &options, &index) == GXN_OK);
  if (!index) return;
  const float caption[4] = {0.9f, 0.2f, 0.9f, 0.3f};
  int64_t found[3], k = 0;
  float score[3];
  CHECK(gxn_index_search(index, caption, 1, 4, 3, 0, found, score, &k) == GXN_OK);
  CHECK(k == 3 && found[0] == 50); /* the second row, by its id */
  const char* payload = NULL;
  CHECK(gxn_index_payload(index, 50, &payload) == GXN_OK && payload && strcmp(payload, "b.png") == 0);
  CHECK(gxn_index_payload(index, 60, &payload) == GXN_OK && payload && strcmp(payload, "") == 0);
  CHECK(gxn_index_payload(index, 51, &payload) == GXN_ERR_NOT_FOUND && payload == NULL);
  CHECK(strstr(gxn_last_error(), "51") != NULL);

  /* Add two (ids continue after 70), remove one; the file keeps ids and payloads. */
  const float more[2 * 4] = {0.3f, 0.3f, 0.3f, 0.3f, 0.7f, 0.7f, 0.7f, 0.7f};
  const char* more_names[2] = {"c.png", "d.png"};
  CHECK(gxn_index_add(index, more, 2, 4, NULL, more_names) == GXN_OK);
  CHECK(gxn_index_size(index) == 5);
  const int64_t gone[1] = {50};
  CHECK(gxn_index_remove(index, gone, 1) == GXN_OK);
  int64_t held[4] = {0};
  CHECK(gxn_index_ids(index, held) == GXN_OK);
  CHECK(held[0] == 60 && held[1] == 70 && held[2] == 71 && held[3] == 72); /* a flat index: by id */
  const char* path = "gxn_capi_test_items.index";
  CHECK(gxn_index_save(index, path) == GXN_OK);
  gxn_index_free(index);
  index = NULL;
  CHECK(gxn_index_load(path, &index) == GXN_OK);
  CHECK(gxn_index_payload(index, 72, &payload) == GXN_OK && payload && strcmp(payload, "d.png") == 0);
  remove(path);

  /* Refusals change nothing. */
  const int64_t unknown[2] = {70, 99};
  CHECK(gxn_index_remove(index, unknown, 2) == GXN_ERR_NOT_FOUND && strstr(gxn_last_error(), "99") != NULL);
  CHECK(gxn_index_size(index) == 4);
  const int64_t taken[2] = {5, 60};
  CHECK(gxn_index_add(index, more, 2, 4, taken, NULL) == GXN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(gxn_last_error(), "ids[1] = 60") != NULL);
  CHECK(gxn_index_add(index, more, -1, 4, NULL, NULL) == GXN_ERR_INVALID_ARGUMENT);
  CHECK(gxn_index_size(index) == 4);
  gxn_index_free(index);
  index = (gxn_index*)1;
  const int64_t twice[3] = {1, 2, 1};
  CHECK(gxn_index_create(rows, 3, 4, twice, NULL, NULL, &index) == GXN_ERR_INVALID_ARGUMENT && index == NULL);
  options.size = 2;
  CHECK(gxn_index_create(rows, 3, 4, NULL, NULL, &options, &index) == GXN_ERR_INVALID_ARGUMENT);
}

/* Eight threads searching one index and scoring with one scorer get what one thread gets. */
enum { ITEMS = 500, QUERIES = 40, DIM2 = 16, K = 10, THREADS = 8 };
static float items[ITEMS * DIM2], queries[QUERIES * DIM2];
static gxn_index* shared_index;
static gxn_scorer* shared_scorer;
static int64_t lone_ids[QUERIES * K], lone_top[QUERIES * K];
static float lone_matrix[ITEMS * QUERIES];

static int same_answers(void) {
  int64_t ids[QUERIES * K], top[QUERIES * K], k = 0, k2 = 0;
  float scores[QUERIES * K], top_scores[QUERIES * K];
  float* matrix = malloc(sizeof lone_matrix);
  int ok = matrix != NULL && gxn_index_search(shared_index, queries, QUERIES, DIM2, K, 0, ids, scores, &k) == GXN_OK &&
           gxn_top_images(shared_scorer, queries, QUERIES, items, ITEMS, DIM2, K, top, top_scores, &k2) == GXN_OK &&
           gxn_score_matrix(shared_scorer, items, ITEMS, queries, QUERIES, DIM2, matrix) == GXN_OK;
  ok = ok && memcmp(ids, lone_ids, sizeof ids) == 0 && memcmp(top, lone_top, sizeof top) == 0 &&
       memcmp(matrix, lone_matrix, sizeof lone_matrix) == 0;
  free(matrix);
  return ok;
}

static void* search_worker(void* arg) {
  int* ok = (int*)arg;
  *ok = 1;
  for (int round = 0; round < 5; ++round) *ok = *ok && same_answers();
  return NULL;
}

static void test_threads(void) {
  unsigned state = 12345u;
  for (int i = 0; i < ITEMS * DIM2; ++i) items[i] = (float)((state = state * 1103515245u + 12345u) >> 16) / 65536.0f;
  for (int i = 0; i < QUERIES * DIM2; ++i)
    queries[i] = (float)((state = state * 1103515245u + 12345u) >> 16) / 65536.0f;
  CHECK(gxn_index_build(items, ITEMS, DIM2, 0.5f, 0, &shared_index) == GXN_OK);
  CHECK(gxn_scorer_new(0.5f, 2, NULL, &shared_scorer) == GXN_OK);
  if (!shared_index || !shared_scorer) return;
  int64_t k = 0;
  float scores[QUERIES * K];
  CHECK(gxn_index_search(shared_index, queries, QUERIES, DIM2, K, 0, lone_ids, scores, &k) == GXN_OK);
  CHECK(gxn_top_images(shared_scorer, queries, QUERIES, items, ITEMS, DIM2, K, lone_top, scores, &k) == GXN_OK);
  CHECK(gxn_score_matrix(shared_scorer, items, ITEMS, queries, QUERIES, DIM2, lone_matrix) == GXN_OK);
  pthread_t threads[THREADS];
  int ok[THREADS];
  for (int i = 0; i < THREADS; ++i) CHECK(pthread_create(&threads[i], NULL, search_worker, &ok[i]) == 0);
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(threads[i], NULL);
    CHECK(ok[i]);
  }
  gxn_index_free(shared_index);
  gxn_scorer_free(shared_scorer);
}

int main(void) {
  test_version_and_errors();
  test_scorer_devices();
  test_scores_and_top_k();
  test_evaluation();
  test_files_and_index();
  test_index_devices();
  test_index_items();
  test_threads();
  printf("C API: %d failed\n", failures);
  return failures;
}
