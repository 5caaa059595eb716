/* Rank images for a caption through gxn's C API: what a program in any language does. */
#include <stdio.h>

#include <gxn.h>

int main(void) {
  /* Two images and one caption; rows hold x_h (2 floats) then x_l (2 floats). */
  const float images[2 * 4] = {0.1f, 0.9f, 0.2f, 0.8f, 0.9f, 0.1f, 0.8f, 0.2f};
  const float caption[4] = {0.9f, 0.2f, 0.9f, 0.3f};
  gxn_scorer* scorer = NULL;
  int64_t index[2], k = 0;
  float score[2];
  if (gxn_scorer_new(0.5f, 0, NULL, &scorer) != GXN_OK ||
      gxn_top_images(scorer, caption, 1, images, 2, 4, 2, index, score, &k) != GXN_OK) {
    fprintf(stderr, "gxn: %s\n", gxn_last_error());
    gxn_scorer_free(scorer);
    return 1;
  }
  printf("gxn %s (%s): best image %lld (%.4f), then %lld (%.4f)\n", gxn_version(), gxn_scorer_isa(scorer),
         (long long)index[0], score[0], (long long)index[1], score[1]);
  gxn_scorer_free(scorer);
  return index[0] == 1 ? 0 : 1;
}
