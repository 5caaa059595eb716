/* Index a folder of images with a gxn model, then answer text queries from stdin: the five best
 * images for each line. What a C host does with gxn's C API alone.
 * Usage: search_images MODEL.gxn FOLDER   (its .png and .jpg files) */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gxn.h>

static int fail(const char* what) {
  fprintf(stderr, "search_images: %s: %s\n", what, gxn_last_error());
  return 1;
}

static int is_image(const char* name) {
  const char* dot = strrchr(name, '.');
  return dot && (strcmp(dot, ".png") == 0 || strcmp(dot, ".jpg") == 0 || strcmp(dot, ".jpeg") == 0);
}

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: search_images MODEL.gxn FOLDER < queries.txt\n");
    return 2;
  }
  /* The folder's images, by name. */
  DIR* dir = opendir(argv[2]);
  if (!dir) {
    perror(argv[2]);
    return 1;
  }
  char** paths = NULL;
  int64_t n = 0;
  for (struct dirent* e; (e = readdir(dir)) != NULL;) {
    if (!is_image(e->d_name)) continue;
    paths = realloc(paths, (size_t)(n + 1) * sizeof *paths);
    paths[n] = malloc(strlen(argv[2]) + strlen(e->d_name) + 2);
    sprintf(paths[n++], "%s/%s", argv[2], e->d_name);
  }
  closedir(dir);
  qsort(paths, (size_t)n, sizeof *paths, by_name);

  gxn_model* model = NULL;
  gxn_matrix* images = NULL;
  gxn_index* index = NULL;
  int status = 1;
  if (gxn_model_load(argv[1], NULL, &model) != GXN_OK) {
    status = fail("load");
    goto done;
  }
  if (gxn_model_encode_image_files(model, (const char* const*)paths, n, &images) != GXN_OK) {
    status = fail("encode images");
    goto done;
  }
  gxn_model_info info = {sizeof info};
  gxn_model_get_info(model, &info);
  gxn_index_options options;
  gxn_index_default_options(&options);
  options.lambda = info.lambda;
  if (gxn_index_create(gxn_matrix_data(images), n, gxn_matrix_cols(images), NULL, (const char* const*)paths, &options,
                       &index) != GXN_OK) {
    status = fail("index");
    goto done;
  }
  printf("indexed %lld images\n", (long long)n);

  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0') continue;
    const char* text = line;
    gxn_matrix* query = NULL;
    int64_t ids[5], k = 0;
    float scores[5];
    if (gxn_model_encode_texts(model, &text, 1, &query) != GXN_OK ||
        gxn_index_search(index, gxn_matrix_data(query), 1, gxn_matrix_cols(query), 5, 0, ids, scores, &k) != GXN_OK) {
      fail(line);
      gxn_matrix_free(query);
      continue;
    }
    printf("%s\n", line);
    for (int64_t i = 0; i < k; ++i) {
      const char* name = "";
      gxn_index_payload(index, ids[i], &name);
      printf("  %.4f %s\n", scores[i], name);
    }
    gxn_matrix_free(query);
  }
  status = 0;
done:
  gxn_index_free(index);
  gxn_matrix_free(images);
  gxn_model_free(model);
  for (int64_t i = 0; i < n; ++i) free(paths[i]);
  free(paths);
  return status;
}
