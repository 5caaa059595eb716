// The model part's default options and result handles: the same in a library built without
// the model, so a host can always fill options and free what it was given.
#include "model_results.hpp"

extern "C" {

void gxn_model_default_options(gxn_model_options* options) {
  if (options == nullptr) return;
  *options = gxn_model_options{};
  options->size = sizeof(gxn_model_options);
  options->threads = 0;
  options->batch_size = 128;
  options->device = nullptr;  // "cpu"
}

void gxn_caption_default_options(gxn_caption_options* options) {
  if (options == nullptr) return;
  *options = gxn_caption_options{};
  options->size = sizeof(gxn_caption_options);
  options->mode = GXN_DECODE_GREEDY;
  options->beam_size = 3;
  options->temperature = 1.0;
  options->seed = 1;
  options->max_length = 0;
}

void gxn_train_default_options(gxn_train_options* options) {
  if (options == nullptr) return;
  *options = gxn_train_options{};
  options->size = sizeof(gxn_train_options);
}

int64_t gxn_strings_count(const gxn_strings* s) { return s ? static_cast<int64_t>(s->strings.size()) : 0; }

const char* gxn_strings_get(const gxn_strings* s, int64_t i) {
  if (s == nullptr || i < 0 || i >= static_cast<int64_t>(s->strings.size())) return nullptr;
  return s->strings[static_cast<std::size_t>(i)].c_str();
}

void gxn_strings_free(gxn_strings* s) { delete s; }

int64_t gxn_images_count(const gxn_images* images) { return images ? images->count : 0; }
int gxn_images_width(const gxn_images* images) { return images ? images->width : 0; }
int gxn_images_height(const gxn_images* images) { return images ? images->height : 0; }
const uint8_t* gxn_images_data(const gxn_images* images) { return images ? images->pixels.data() : nullptr; }
void gxn_images_free(gxn_images* images) { delete images; }
}
