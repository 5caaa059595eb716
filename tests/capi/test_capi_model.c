/* The model through the C API, from C99: load, describe, encode, caption, imagine, refusals,
 * the options structs' size rule, the device, and one handle shared by several threads.
 * Usage: gxn_capi_model_test [DIR]  with DIR/model.gxn (all three paths), DIR/a.png, DIR/b.png
 * (tests/capi/tiny_model.sh). Without DIR, or with a library built without the model, it checks
 * what needs no model file. The exit status is the number of failed checks. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gxn.h"

static char model_path[4096], image_a[4096], image_b[4096];

static void test_without_model(void) {
  gxn_model* model = (gxn_model*)1;
  gxn_model_options options;
  gxn_model_default_options(&options);
  CHECK(options.size == sizeof options && options.batch_size == 128 && options.threads == 0 && options.device == NULL);
  gxn_caption_options caption;
  gxn_caption_default_options(&caption);
  CHECK(caption.size == sizeof caption && caption.mode == GXN_DECODE_GREEDY && caption.max_length == 0);
  gxn_model_free(NULL);
  gxn_strings_free(NULL);
  gxn_images_free(NULL);
  CHECK(gxn_strings_count(NULL) == 0 && gxn_strings_get(NULL, 0) == NULL);
  if (!gxn_has_model()) {
    CHECK_ERROR(gxn_model_load("model.gxn", NULL, &model), GXN_ERR_UNSUPPORTED, "without the model");
    CHECK(model == NULL);
    return;
  }
  CHECK_ERROR(gxn_model_load("no/such/model.gxn", NULL, &model), GXN_ERR_NOT_FOUND, "no/such/model.gxn");
  CHECK(model == NULL);
  CHECK_ERROR(gxn_model_load(NULL, NULL, &model), GXN_ERR_INVALID_ARGUMENT, "path");
}

static gxn_model* load(void) {
  gxn_model* model = NULL;
  CHECK(gxn_model_load(model_path, NULL, &model) == GXN_OK);
  if (!model) fprintf(stderr, "cannot load %s: %s\n", model_path, gxn_last_error());
  return model;
}

static void test_load_and_info(void) {
  gxn_model* model = NULL;
  /* A file that is not a model: refused, naming it. */
  CHECK_ERROR(gxn_model_load(image_a, NULL, &model), GXN_ERR_FORMAT, image_a);
  CHECK(model == NULL);

  /* The size rule of options structs. */
  gxn_model_options options;
  gxn_model_default_options(&options);
  options.size = 4;
  CHECK_ERROR(gxn_model_load(model_path, &options, &model), GXN_ERR_INVALID_ARGUMENT, "gxn_model_options");
  struct {
    gxn_model_options known;
    int64_t newer_field;
  } newer;
  memset(&newer, 0, sizeof newer);
  gxn_model_default_options(&newer.known);
  newer.known.size = sizeof newer; /* a caller built with a newer gxn.h, its new field left zero: fine */
  CHECK(gxn_model_load(model_path, &newer.known, &model) == GXN_OK);
  gxn_model_free(model);
  newer.newer_field = 1; /* ... but asking for something this library cannot honour: refused */
  CHECK_ERROR(gxn_model_load(model_path, &newer.known, &model), GXN_ERR_UNSUPPORTED, "newer");
  gxn_model_default_options(&options);
  options.batch_size = 0;
  CHECK_ERROR(gxn_model_load(model_path, &options, &model), GXN_ERR_INVALID_ARGUMENT, "batch_size");

  model = load();
  if (!model) return;
  gxn_model_info info;
  memset(&info, 0, sizeof info);
  CHECK_ERROR(gxn_model_get_info(model, &info), GXN_ERR_INVALID_ARGUMENT, "gxn_model_info"); /* size 0 */
  info.size = sizeof info;
  CHECK(gxn_model_get_info(model, &info) == GXN_OK);
  CHECK(info.size == sizeof info);
  CHECK(info.embed_dim == 32);
  CHECK(info.lambda == 0.5f);
  CHECK(info.paths == (GXN_PATH_EMBEDDING | GXN_PATH_I2T | GXN_PATH_T2I));
  CHECK(info.takes_features == 0 && info.feature_dim == 0);
  CHECK(info.vocab_size > 10);
  CHECK(info.max_caption_length >= 5);
  CHECK(info.imagine_width == 64 && info.imagine_height == 64);
  gxn_model_free(model);
}

/* Every value finite and >= 0 (order embeddings), each half of a row of unit length. */
static int unit_rows(const gxn_matrix* m) {
  const int64_t d = gxn_matrix_cols(m) / 2;
  for (int64_t r = 0; r < gxn_matrix_rows(m); ++r)
    for (int part = 0; part < 2; ++part) {
      double norm = 0;
      for (int64_t c = 0; c < d; ++c) {
        const float v = gxn_matrix_data(m)[r * 2 * d + part * d + c];
        if (!isfinite(v) || v < 0) return 0;
        norm += (double)v * v;
      }
      if (fabs(norm - 1.0) > 1e-4) return 0;
    }
  return 1;
}

static double max_difference(const float* a, const float* b, int n) {
  double most = 0;
  for (int i = 0; i < n; ++i) most = fmax(most, fabs((double)a[i] - b[i]));
  return most;
}

/* A model loaded with `options` encodes the image files as the default (CPU) model does; 1 when
 * the rows agree within `tolerance` (0: bit for bit). */
static int encodes_as_default(const gxn_model_options* options, double tolerance) {
  const char* files[2] = {image_a, image_b};
  gxn_model *plain = NULL, *model = NULL;
  gxn_matrix *expected = NULL, *got = NULL;
  int same = gxn_model_load(model_path, NULL, &plain) == GXN_OK &&
             gxn_model_load(model_path, options, &model) == GXN_OK &&
             gxn_model_encode_image_files(plain, files, 2, &expected) == GXN_OK &&
             gxn_model_encode_image_files(model, files, 2, &got) == GXN_OK;
  if (same) {
    const int n = (int)(gxn_matrix_rows(expected) * gxn_matrix_cols(expected));
    same = gxn_matrix_rows(got) == gxn_matrix_rows(expected) && gxn_matrix_cols(got) == gxn_matrix_cols(expected) &&
           max_difference(gxn_matrix_data(expected), gxn_matrix_data(got), n) <= tolerance;
  }
  gxn_matrix_free(expected);
  gxn_matrix_free(got);
  gxn_model_free(plain);
  gxn_model_free(model);
  return same;
}

/* gxn_model_options.device: NULL and "cpu" are the CPU; an older caller's struct without the
 * field is read as "cpu"; an unknown name is an invalid argument. "cuda" without CUDA (Debian's
 * LibTorch, or no GPU) is GXN_ERR_UNSUPPORTED saying so; with CUDA it encodes as the CPU does.
 * GXN_EXPECT_CUDA=1 or 0 says which must happen (unset: whichever the library answers). */
static void test_device(void) {
  gxn_model* model = NULL;
  gxn_model_options options;
  gxn_model_default_options(&options);
  CHECK(encodes_as_default(&options, 0)); /* device NULL */
  options.device = "cpu";
  CHECK(encodes_as_default(&options, 0));
  options.device = "bogus";
  options.size = offsetof(gxn_model_options, device); /* a caller of the first gxn.h: no device field */
  CHECK(encodes_as_default(&options, 0));
  options.size = sizeof options;
  CHECK_ERROR(gxn_model_load(model_path, &options, &model), GXN_ERR_INVALID_ARGUMENT, "gxn_model_options.device");
  CHECK(model == NULL);
  options.device = "cuda:x";
  CHECK(gxn_model_load(model_path, &options, &model) != GXN_OK && model == NULL);

  const char* expect = getenv("GXN_EXPECT_CUDA");
  options.device = "cuda";
  const int status = gxn_model_load(model_path, &options, &model);
  if (status == GXN_OK) {
    gxn_model_free(model);
    CHECK(expect == NULL || strcmp(expect, "0") != 0);
    CHECK(encodes_as_default(&options, 1e-4));
    printf("device \"cuda\": loads and encodes as the CPU does\n");
  } else {
    CHECK(expect == NULL || strcmp(expect, "1") != 0);
    CHECK_ERROR(status, GXN_ERR_UNSUPPORTED, "CUDA is not available");
    CHECK(model == NULL);
    options.device = "cuda:0";
    CHECK_ERROR(gxn_model_load(model_path, &options, &model), GXN_ERR_UNSUPPORTED, "CUDA is not available");
    printf("device \"cuda\": refused, CUDA is not available here\n");
  }
}

static void test_encode(void) {
  gxn_model* model = load();
  if (!model) return;
  gxn_matrix* m = NULL;
  const char* texts[3] = {"a big red circle at the top left", "a small blue square",
                          "a big red circle at the top left"};
  CHECK(gxn_model_encode_texts(model, texts, 3, &m) == GXN_OK);
  CHECK(gxn_matrix_rows(m) == 3 && gxn_matrix_cols(m) == 64);
  CHECK(m && unit_rows(m));
  /* The same caption twice in a batch: the same row up to rounding (matrix products may sum the
   * rows of one batch in different orders); another caption: another row. */
  CHECK(m && max_difference(gxn_matrix_data(m), gxn_matrix_data(m) + 2 * 64, 64) < 1e-6);
  CHECK(m && max_difference(gxn_matrix_data(m), gxn_matrix_data(m) + 64, 64) > 1e-3);
  gxn_matrix_free(m);

  const char* bad_utf8[2] = {"a red circle", "a red \xC3\x28 circle"};
  CHECK_ERROR(gxn_model_encode_texts(model, bad_utf8, 2, &m), GXN_ERR_INVALID_ARGUMENT, "texts[1]");
  CHECK(m == NULL);
  const char* no_word[2] = {"a red circle", "  "};
  CHECK_ERROR(gxn_model_encode_texts(model, no_word, 2, &m), GXN_ERR_INVALID_ARGUMENT, "caption 1");
  const char* null_text[1] = {NULL};
  CHECK_ERROR(gxn_model_encode_texts(model, null_text, 1, &m), GXN_ERR_INVALID_ARGUMENT, "texts[0]");
  CHECK_ERROR(gxn_model_encode_texts(model, texts, -1, &m), GXN_ERR_INVALID_ARGUMENT, "negative");
  CHECK(gxn_model_encode_texts(model, NULL, 0, &m) == GXN_OK && gxn_matrix_rows(m) == 0);
  gxn_matrix_free(m);

  const char* files[2] = {image_a, image_b};
  CHECK(gxn_model_encode_image_files(model, files, 2, &m) == GXN_OK);
  CHECK(gxn_matrix_rows(m) == 2 && gxn_matrix_cols(m) == 64 && unit_rows(m));
  gxn_matrix_free(m);
  const char* missing[2] = {image_a, "no/such/image.png"};
  CHECK_ERROR(gxn_model_encode_image_files(model, missing, 2, &m), GXN_ERR_NOT_FOUND, "no/such/image.png");
  CHECK(m == NULL);

  /* A decoded image: the same pixels with packed rows and with padded rows give the same row. */
  enum { W = 40, H = 30, PAD = 7 };
  static uint8_t packed[H * W * 3], padded[H * (W * 3 + PAD)];
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W * 3; ++x) {
      packed[y * W * 3 + x] = (uint8_t)((x * 7 + y * 13) & 255);
      padded[y * (W * 3 + PAD) + x] = packed[y * W * 3 + x];
    }
  gxn_rgb_image images[2] = {{packed, W, H, W * 3}, {padded, W, H, W * 3 + PAD}};
  gxn_matrix* m2 = NULL;
  CHECK(gxn_model_encode_images(model, images, 1, &m) == GXN_OK);
  CHECK(gxn_model_encode_images(model, images + 1, 1, &m2) == GXN_OK);
  CHECK(gxn_matrix_rows(m) == 1 && unit_rows(m));
  CHECK(m && m2 && memcmp(gxn_matrix_data(m), gxn_matrix_data(m2), 64 * sizeof(float)) == 0);
  gxn_matrix_free(m);
  gxn_matrix_free(m2);
  CHECK(gxn_model_encode_images(model, images, 2, &m) == GXN_OK && gxn_matrix_rows(m) == 2);
  gxn_matrix_free(m);
  images[1].stride = W * 3 - 1;
  CHECK_ERROR(gxn_model_encode_images(model, images, 2, &m), GXN_ERR_INVALID_ARGUMENT, "images[1].stride");
  images[1].stride = W * 3;
  images[1].width = 0;
  CHECK_ERROR(gxn_model_encode_images(model, images, 2, &m), GXN_ERR_INVALID_ARGUMENT, "images[1]");

  const float features[2] = {0.5f, 0.5f};
  CHECK_ERROR(gxn_model_encode_features(model, features, 1, 2, &m), GXN_ERR_INVALID_ARGUMENT, "features");
  gxn_model_free(model);
}

static void test_caption(void) {
  gxn_model* model = load();
  if (!model) return;
  const char* files[2] = {image_a, image_b};
  gxn_strings* captions = NULL;
  CHECK(gxn_model_caption_image_files(model, files, 2, NULL, &captions) == GXN_OK);
  CHECK(gxn_strings_count(captions) == 2);
  CHECK(gxn_strings_get(captions, 0) != NULL && gxn_strings_get(captions, 2) == NULL);
  CHECK(gxn_strings_get(captions, -1) == NULL);
  gxn_strings_free(captions);

  gxn_caption_options options;
  gxn_caption_default_options(&options);
  options.mode = GXN_DECODE_BEAM;
  options.beam_size = 3;
  options.max_length = 4;
  CHECK(gxn_model_caption_image_files(model, files, 2, &options, &captions) == GXN_OK);
  for (int64_t i = 0; i < gxn_strings_count(captions); ++i) {
    int words = 1;
    for (const char* c = gxn_strings_get(captions, i); *c; ++c) words += *c == ' ';
    CHECK(words <= 4);
  }
  gxn_strings_free(captions);

  /* Sampling: the same seed gives the same captions. */
  gxn_strings *first = NULL, *second = NULL;
  gxn_caption_default_options(&options);
  options.mode = GXN_DECODE_SAMPLE;
  options.seed = 42;
  CHECK(gxn_model_caption_image_files(model, files, 2, &options, &first) == GXN_OK);
  CHECK(gxn_model_caption_image_files(model, files, 2, &options, &second) == GXN_OK);
  for (int64_t i = 0; i < 2 && first && second; ++i)
    CHECK(strcmp(gxn_strings_get(first, i), gxn_strings_get(second, i)) == 0);
  gxn_strings_free(first);
  gxn_strings_free(second);

  options.mode = 9;
  CHECK_ERROR(gxn_model_caption_image_files(model, files, 2, &options, &captions), GXN_ERR_INVALID_ARGUMENT, "mode");
  CHECK(captions == NULL);
  gxn_caption_default_options(&options);
  options.mode = GXN_DECODE_SAMPLE;
  options.temperature = 0;
  CHECK_ERROR(gxn_model_caption_image_files(model, files, 2, &options, &captions), GXN_ERR_INVALID_ARGUMENT,
              "temperature");
  gxn_model_free(model);
}

static void test_imagine(void) {
  gxn_model* model = load();
  if (!model) return;
  enum { N = 3, BYTES = N * 64 * 64 * 3 };
  static uint8_t buffer[BYTES], again[BYTES];
  memset(buffer, 0xAB, sizeof buffer);
  CHECK_ERROR(gxn_model_imagine(model, "a red circle", N, 7, buffer, BYTES - 1), GXN_ERR_INVALID_ARGUMENT,
              "need 36864");
  CHECK(buffer[0] == 0xAB && buffer[BYTES - 1] == 0xAB); /* refused before anything is written */
  CHECK(gxn_model_imagine(model, "a red circle", N, 7, buffer, BYTES) == GXN_OK);
  CHECK(gxn_model_imagine(model, "a red circle", N, 7, again, BYTES) == GXN_OK);
  CHECK(memcmp(buffer, again, BYTES) == 0);
  CHECK(memcmp(buffer, buffer + 64 * 64 * 3, 64 * 64 * 3) != 0); /* one image per noise vector */

  gxn_images* images = NULL;
  CHECK(gxn_model_imagine_images(model, "a red circle", N, 7, &images) == GXN_OK);
  CHECK(gxn_images_count(images) == N && gxn_images_width(images) == 64 && gxn_images_height(images) == 64);
  CHECK(images && memcmp(gxn_images_data(images), buffer, BYTES) == 0);
  gxn_images_free(images);
  CHECK(gxn_model_imagine_images(model, "a red circle", N, 8, &images) == GXN_OK);
  CHECK(images && memcmp(gxn_images_data(images), buffer, BYTES) != 0);
  gxn_images_free(images);
  CHECK_ERROR(gxn_model_imagine_images(model, "a red circle", 0, 7, &images), GXN_ERR_INVALID_ARGUMENT, "count");
  CHECK(images == NULL);
  CHECK_ERROR(gxn_model_imagine_images(model, "\xFF", 1, 7, &images), GXN_ERR_INVALID_ARGUMENT, "UTF-8");
  gxn_model_free(model);
}

/* Search an index of the two images by text in one call: the ranking of encode + gxn_index_search. */
static void test_search_with_model(void) {
  gxn_model* model = load();
  if (!model) return;
  const char* files[2] = {image_a, image_b};
  gxn_matrix* rows = NULL;
  gxn_index* index = NULL;
  CHECK(gxn_model_encode_image_files(model, files, 2, &rows) == GXN_OK);
  CHECK(rows && gxn_index_create(gxn_matrix_data(rows), 2, 64, NULL, files, NULL, &index) == GXN_OK);
  int64_t ids[2], again_ids[2], k = 0, again_k = 0;
  float scores[2], again_scores[2];
  const char* text = "a big red circle at the top left";
  CHECK(gxn_model_search_text(model, index, text, 2, ids, scores, &k) == GXN_OK && k == 2);
  gxn_matrix* query = NULL;
  CHECK(gxn_model_encode_texts(model, &text, 1, &query) == GXN_OK);
  CHECK(query &&
        gxn_index_search(index, gxn_matrix_data(query), 1, 64, 2, 0, again_ids, again_scores, &again_k) == GXN_OK);
  CHECK(ids[0] == again_ids[0] && ids[1] == again_ids[1] && scores[0] == again_scores[0]);
  CHECK_ERROR(gxn_model_search_image_file(model, index, image_a, 2, ids, scores, &k), GXN_ERR_INVALID_ARGUMENT,
              "search it with a text");
  gxn_matrix_free(query);
  gxn_matrix_free(rows);
  gxn_index_free(index);
  gxn_model_free(model);
}

/* One handle, several threads at once: each gets exactly what a lone call gives. */
enum { THREADS = 8, ROUNDS = 3 }; /* eight, as a busy host might */
static gxn_model* shared;

/* What one round asks of the model: encoded texts and images, sampled captions, imagined images. */
typedef struct work_result {
  float texts[2 * 64], images[2 * 64];
  char captions[2][256];
  uint8_t imagined[2 * 64 * 64 * 3];
} work_result;
static work_result lone;

static int do_work(work_result* r) {
  const char* texts[2] = {"a big red circle at the top left", "a small blue square"};
  const char* files[2] = {image_a, image_b};
  gxn_caption_options options;
  gxn_caption_default_options(&options);
  options.mode = GXN_DECODE_SAMPLE;
  options.seed = 3;
  gxn_matrix *t = NULL, *v = NULL;
  gxn_strings* c = NULL;
  memset(r, 0, sizeof *r);
  const int ok = gxn_model_encode_texts(shared, texts, 2, &t) == GXN_OK &&
                 gxn_model_encode_image_files(shared, files, 2, &v) == GXN_OK &&
                 gxn_model_caption_image_files(shared, files, 2, &options, &c) == GXN_OK &&
                 gxn_model_imagine(shared, texts[0], 2, 5, r->imagined, sizeof r->imagined) == GXN_OK;
  if (ok) {
    memcpy(r->texts, gxn_matrix_data(t), sizeof r->texts);
    memcpy(r->images, gxn_matrix_data(v), sizeof r->images);
    for (int i = 0; i < 2; ++i) snprintf(r->captions[i], sizeof r->captions[i], "%s", gxn_strings_get(c, i));
  }
  gxn_matrix_free(t);
  gxn_matrix_free(v);
  gxn_strings_free(c);
  return ok;
}

static void* worker(void* arg) {
  int* ok = (int*)arg;
  work_result* mine = malloc(sizeof *mine);
  *ok = mine != NULL;
  for (int r = 0; r < ROUNDS && *ok; ++r) *ok = do_work(mine) && memcmp(mine, &lone, sizeof lone) == 0;
  free(mine);
  return NULL;
}

static void test_threads(void) {
  shared = load();
  if (!shared) return;
  CHECK(do_work(&lone));
  pthread_t threads[THREADS];
  int ok[THREADS];
  for (int i = 0; i < THREADS; ++i) CHECK(pthread_create(&threads[i], NULL, worker, &ok[i]) == 0);
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(threads[i], NULL);
    CHECK(ok[i]);
  }
  gxn_model_free(shared);
}

int main(int argc, char** argv) {
  test_without_model();
  if (argc > 1 && gxn_has_model()) {
    snprintf(model_path, sizeof model_path, "%s/model.gxn", argv[1]);
    snprintf(image_a, sizeof image_a, "%s/a.png", argv[1]);
    snprintf(image_b, sizeof image_b, "%s/b.png", argv[1]);
    test_load_and_info();
    test_device();
    test_encode();
    test_caption();
    test_imagine();
    test_search_with_model();
    test_threads();
  } else {
    printf("no model directory given: only the calls that need no model file were checked\n");
  }
  printf("C API, the model: %d failed\n", failures);
  return failures;
}
