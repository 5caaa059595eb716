/* Training through the C API, from C99: progress reports, cancelling, resuming to the very model
 * an uninterrupted run gives, and refusals.
 * Usage: gxn_capi_train_test DIR  with DIR/shapes (a shapes dataset) and DIR/tiny.json (a small
 * config), as tests/capi/tiny_model.sh writes them. The exit status is the number of failed checks. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "gxn.h"

static char data_dir[4096], config_file[4096], work[4096];

typedef struct progress_log {
  int64_t steps, epoch_ends, last_step, cancel_at_epoch, cancel_at_end;
  double rsum[8];
  int in_order;
} progress_log;

static int on_progress(const gxn_train_progress* p, void* user_data) {
  progress_log* log = (progress_log*)user_data;
  if (p->size < sizeof *p || p->epoch < 1 || p->epoch > p->epochs || p->step < log->last_step) log->in_order = 0;
  /* The tiny config trains the embedding path only: its loss is reported, the others are 0. */
  if (!(p->ranking_loss > 0) || p->caption_loss != 0 || p->generator_loss != 0 || p->discriminator_loss != 0)
    log->in_order = 0;
  log->last_step = p->step;
  if (p->epoch_end) {
    if (p->val_rsum < 0 || p->val_rsum > 600 || p->val_i2t_r1 < 0 || p->val_i2t_r1 > 100) log->in_order = 0;
    log->rsum[log->epoch_ends++ & 7] = p->val_rsum;
    return p->epoch == log->cancel_at_end;
  }
  ++log->steps;
  return p->epoch == log->cancel_at_epoch; /* cancel at the first step of that epoch */
}

static int exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static void options_for(gxn_train_options* o, const char* run, progress_log* log) {
  gxn_train_default_options(o);
  o->data_dir = data_dir;
  o->out_dir = run;
  o->config_file = config_file;
  o->epochs = 3;
  o->callback = on_progress;
  o->user_data = log;
}

/* The rows best.gxn gives two captions. */
static gxn_matrix* encode_with(const char* run) {
  char path[4200];
  snprintf(path, sizeof path, "%s/best.gxn", run);
  gxn_model* model = NULL;
  gxn_matrix* rows = NULL;
  const char* texts[2] = {"a big red circle at the top left", "a small blue square"};
  CHECK(gxn_model_load(path, NULL, &model) == GXN_OK);
  CHECK(gxn_model_encode_texts(model, texts, 2, &rows) == GXN_OK);
  gxn_model_free(model);
  return rows;
}

static void test_train_cancel_resume(void) {
  char whole[4200], cut[4200], checkpoint[4300];
  snprintf(whole, sizeof whole, "%s/whole", work);
  snprintf(cut, sizeof cut, "%s/cut", work);
  snprintf(checkpoint, sizeof checkpoint, "%s/checkpoint.gxn", cut);

  /* Uninterrupted: three epochs, every step and epoch reported, in order. */
  progress_log a = {0, 0, 0, 0, 0, {0}, 1};
  gxn_train_options o;
  options_for(&o, whole, &a);
  CHECK(gxn_train(&o) == GXN_OK);
  CHECK(a.in_order && a.epoch_ends == 3 && a.steps >= 3 && a.steps % 3 == 0);

  /* Cancelled at the first step of epoch 2: the epoch-1 checkpoint stands; resumed, the run ends
   * with the model the uninterrupted run made. */
  progress_log b = {0, 0, 0, 2, 0, {0}, 1};
  options_for(&o, cut, &b);
  CHECK(gxn_train(&o) == GXN_ERR_CANCELLED);
  CHECK(strstr(gxn_last_error(), "epoch 2") != NULL && strstr(gxn_last_error(), "resume") != NULL);
  CHECK(b.epoch_ends == 1 && exists(checkpoint));
  o.resume = 1;
  o.config_file = NULL; /* resumed with the checkpoint's settings */
  b.cancel_at_epoch = 0;
  CHECK(gxn_train(&o) == GXN_OK);
  CHECK(b.epoch_ends == 3 && b.rsum[1] == a.rsum[1] && b.rsum[2] == a.rsum[2]);
  gxn_matrix* x = encode_with(whole);
  gxn_matrix* y = encode_with(cut);
  CHECK(x && y && memcmp(gxn_matrix_data(x), gxn_matrix_data(y), 2 * gxn_matrix_cols(x) * sizeof(float)) == 0);
  gxn_matrix_free(x);
  gxn_matrix_free(y);

  /* Cancelled at an epoch's end: that epoch's checkpoint is written, so a resumed run with as
   * many epochs has nothing left to do. */
  o.epochs = 4;
  progress_log c = {0, 0, 0, 0, 4, {0}, 1};
  o.user_data = &c;
  CHECK(gxn_train(&o) == GXN_ERR_CANCELLED);
  CHECK(c.epoch_ends == 1 && c.in_order);
  c.cancel_at_end = 0;
  CHECK(gxn_train(&o) == GXN_OK);
  CHECK(c.epoch_ends == 1 && c.steps > 0);
}

static void test_refusals(void) {
  char run[4200];
  snprintf(run, sizeof run, "%s/whole", work);
  gxn_train_options o;
  options_for(&o, run, NULL);
  o.callback = NULL;
  CHECK(gxn_train(&o) != GXN_OK); /* a fresh run into a folder that holds a checkpoint */
  CHECK(strstr(gxn_last_error(), "checkpoint") != NULL);
  o.out_dir = NULL;
  CHECK(gxn_train(&o) == GXN_ERR_INVALID_ARGUMENT && strstr(gxn_last_error(), "out_dir") != NULL);
  snprintf(run, sizeof run, "%s/other", work);
  o.out_dir = run;
  o.config_file = NULL;
  o.config_json = "{\"batch_size\": -3}";
  CHECK(gxn_train(&o) == GXN_ERR_INVALID_ARGUMENT && strstr(gxn_last_error(), "batch_size") != NULL);
  o.config_json = "{not json";
  CHECK(gxn_train(&o) != GXN_OK && strstr(gxn_last_error(), "config_json") != NULL);
  o.config_json = NULL;
  o.resume = 1;
  CHECK(gxn_train(&o) == GXN_ERR_NOT_FOUND && strstr(gxn_last_error(), "no checkpoint") != NULL);
  CHECK(gxn_train(NULL) == GXN_ERR_INVALID_ARGUMENT);
}

int main(int argc, char** argv) {
  if (!gxn_has_model()) {
    gxn_train_options o;
    gxn_train_default_options(&o);
    CHECK(gxn_train(&o) == GXN_ERR_UNSUPPORTED);
  } else if (argc > 2) {
    snprintf(data_dir, sizeof data_dir, "%s/shapes", argv[1]);
    snprintf(config_file, sizeof config_file, "%s/tiny.json", argv[1]);
    snprintf(work, sizeof work, "%s", argv[2]);
    test_train_cancel_resume();
    test_refusals();
  } else {
    fprintf(stderr, "usage: gxn_capi_train_test FIXTURE_DIR WORK_DIR\n");
    return 1;
  }
  printf("C API, training: %d failed\n", failures);
  return failures;
}
