// The model calls of a libgxn_c built without LibTorch (GXN_BUILD_MODEL=OFF): the same symbols,
// each refusing with GXN_ERR_UNSUPPORTED, so one gxn.h serves both libraries.
#include "boundary.hpp"
#include "model_results.hpp"

namespace {

int unsupported(const char* call) {
  return gxn::capi::guard([&] {
    throw gxn::Error(gxn::ErrorCode::Unsupported, std::string(call) +
                                                      ": this libgxn_c was built without the model (LibTorch); "
                                                      "build gxn with GXN_BUILD_MODEL=ON");
  });
}

}  // namespace

extern "C" {

int gxn_has_model(void) { return 0; }

int gxn_model_load(const char*, const gxn_model_options*, gxn_model** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_load");
}

void gxn_model_free(gxn_model*) {}

int gxn_model_get_info(const gxn_model*, gxn_model_info*) { return unsupported("gxn_model_get_info"); }

int gxn_model_encode_texts(const gxn_model*, const char* const*, int64_t, gxn_matrix** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_encode_texts");
}
int gxn_model_encode_image_files(const gxn_model*, const char* const*, int64_t, gxn_matrix** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_encode_image_files");
}
int gxn_model_encode_images(const gxn_model*, const gxn_rgb_image*, int64_t, gxn_matrix** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_encode_images");
}
int gxn_model_encode_features(const gxn_model*, const float*, int64_t, int64_t, gxn_matrix** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_encode_features");
}
int gxn_model_caption_image_files(const gxn_model*, const char* const*, int64_t, const gxn_caption_options*,
                                  gxn_strings** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_caption_image_files");
}
int gxn_model_caption_images(const gxn_model*, const gxn_rgb_image*, int64_t, const gxn_caption_options*,
                             gxn_strings** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_caption_images");
}
int gxn_model_caption_features(const gxn_model*, const float*, int64_t, int64_t, const gxn_caption_options*,
                               gxn_strings** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_caption_features");
}
int gxn_model_imagine(const gxn_model*, const char*, int64_t, uint64_t, uint8_t*, size_t) {
  return unsupported("gxn_model_imagine");
}
int gxn_train(const gxn_train_options*) { return unsupported("gxn_train"); }

int gxn_model_search_text(const gxn_model*, const gxn_index*, const char*, int64_t, int64_t*, float*, int64_t*) {
  return unsupported("gxn_model_search_text");
}
int gxn_model_search_image_file(const gxn_model*, const gxn_index*, const char*, int64_t, int64_t*, float*, int64_t*) {
  return unsupported("gxn_model_search_image_file");
}

int gxn_model_imagine_images(const gxn_model*, const char*, int64_t, uint64_t, gxn_images** out) {
  if (out) *out = nullptr;
  return unsupported("gxn_model_imagine_images");
}
}
