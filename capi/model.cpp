// The C API's model: gxn::Encoder behind an opaque handle (encode, caption, imagine).
// Every call is const on the Encoder, whose model is loaded in eval mode and never changed, so
// one handle serves many threads at once (see gxn.h).
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "boundary.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/model/device.hpp"
#include "gxn/model/encoder.hpp"
#include "gxn/model/image_generator.hpp"
#include "index_handle.hpp"
#include "matrix_handle.hpp"
#include "model_results.hpp"
#include "options_struct.hpp"

struct gxn_model {
  gxn::Encoder encoder;
};

using gxn::Error;
using gxn::ErrorCode;
using gxn::capi::guard;
using gxn::capi::require;

namespace {

void require_count(const void* items, int64_t n, const char* name) {
  if (n < 0) throw Error(ErrorCode::InvalidArgument, std::string("n = ") + std::to_string(n) + " is negative");
  if (n > 0) require(items, name);
}

// The C strings strings[0..n), each non-NULL, refused naming the index.
std::vector<std::string> c_strings(const char* const* strings, int64_t n, const char* name) {
  require_count(strings, n, name);
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (strings[i] == nullptr)
      throw Error(ErrorCode::InvalidArgument, std::string(name) + "[" + std::to_string(i) + "] is NULL");
    out.emplace_back(strings[i]);
  }
  return out;
}

// Captions: C strings that must also be valid UTF-8 (file paths need not be).
std::vector<std::string> utf8_strings(const char* const* texts, int64_t n, const char* name) {
  std::vector<std::string> out = c_strings(texts, n, name);
  for (std::size_t i = 0; i < out.size(); ++i)
    if (!gxn::is_valid_utf8(out[i]))
      throw Error(ErrorCode::InvalidArgument, std::string(name) + "[" + std::to_string(i) + "] is not valid UTF-8");
  return out;
}

std::vector<gxn::Image> copy_images(const gxn_rgb_image* images, int64_t n) {
  require_count(images, n, "images");
  const gxn::ImageLimits limits;
  std::vector<gxn::Image> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const gxn_rgb_image& in = images[i];
    const std::string where = "images[" + std::to_string(i) + "]";
    if (in.pixels == nullptr) throw Error(ErrorCode::InvalidArgument, where + ".pixels is NULL");
    if (in.width < 1 || in.height < 1 || in.width > limits.max_dimension || in.height > limits.max_dimension ||
        static_cast<int64_t>(in.width) * in.height > limits.max_pixels)
      throw Error(ErrorCode::InvalidArgument, where + " is " + std::to_string(in.width) + " x " +
                                                  std::to_string(in.height) + ": each side must be 1.." +
                                                  std::to_string(limits.max_dimension) + ", at most " +
                                                  std::to_string(limits.max_pixels) + " pixels");
    const int64_t row = 3 * static_cast<int64_t>(in.width);
    if (in.stride < row)
      throw Error(ErrorCode::InvalidArgument, where + ".stride = " + std::to_string(in.stride) +
                                                  " is less than 3 * width = " + std::to_string(row));
    gxn::Image image(in.width, in.height);
    for (int y = 0; y < in.height; ++y)
      std::memcpy(image.pixel(0, y), in.pixels + y * in.stride, static_cast<std::size_t>(row));
    out.push_back(std::move(image));
  }
  return out;
}

gxn::MatrixView feature_view(const float* features, int64_t n, int64_t cols) {
  require_count(features, n, "features");
  if (cols < 1) throw Error(ErrorCode::InvalidArgument, "cols = " + std::to_string(cols) + ", must be at least 1");
  return gxn::MatrixView(features, n, cols);
}

gxn::DecodeOptions decode_options(const gxn::Encoder& encoder, const gxn_caption_options* given) {
  const gxn_caption_options o = gxn::capi::read_options(given, gxn_caption_default_options,
                                                        gxn::capi::kCaptionOptionsFirstSize, "gxn_caption_options");
  gxn::DecodeOptions decode = gxn::greedy_decoding(encoder.config());
  if (o.max_length < 0 || o.max_length > 1000)
    throw Error(ErrorCode::InvalidArgument,
                "max_length = " + std::to_string(o.max_length) + ": 0 (the model's) or 1..1000 words");
  if (o.max_length > 0) decode.max_length = o.max_length;
  switch (o.mode) {
    case GXN_DECODE_GREEDY: break;
    case GXN_DECODE_BEAM:
      if (o.beam_size < 1 || o.beam_size > 100)
        throw Error(ErrorCode::InvalidArgument, "beam_size = " + std::to_string(o.beam_size) + ", must be 1..100");
      decode.mode = gxn::DecodeMode::Beam;
      decode.beam_size = o.beam_size;
      break;
    case GXN_DECODE_SAMPLE:
      if (!(o.temperature > 0) || !std::isfinite(o.temperature))
        throw Error(ErrorCode::InvalidArgument,
                    "temperature = " + std::to_string(o.temperature) + ", must be a finite number > 0");
      decode.mode = gxn::DecodeMode::Sample;
      decode.temperature = o.temperature;
      decode.generator = at::detail::createCPUGenerator(o.seed);
      break;
    default:
      throw Error(ErrorCode::InvalidArgument,
                  "mode = " + std::to_string(o.mode) + ": GXN_DECODE_GREEDY, GXN_DECODE_BEAM or GXN_DECODE_SAMPLE");
  }
  return decode;
}

void give_matrix(gxn::Matrix rows, gxn_matrix** out) { *out = new gxn_matrix{std::move(rows)}; }
void give_strings(std::vector<std::string> strings, gxn_strings** out) { *out = new gxn_strings{std::move(strings)}; }

// Runs `body` with *out cleared first, so a failed call leaves the caller no dangling handle.
template <typename Out, typename Body>
int produce(const gxn_model* model, Out** out, Body&& body) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    require(model, "model");
    body(model->encoder);
  });
}

// Searches `index` for one encoded query of the kind it answers (`text_query`: captions search images).
void search_one(const gxn_model* model, const gxn_index* index, bool text_query, const gxn::Matrix& query, int64_t k,
                int64_t* out_ids, float* out_scores, int64_t* out_k) {
  const gxn::RetrievalIndex& i = index->index;
  if (text_query != (i.side() == gxn::IndexedSide::Images))
    throw Error(ErrorCode::InvalidArgument,
                std::string("this index holds ") +
                    (text_query ? "captions: search it with an image" : "images: search it with a text"));
  if (i.dim() != model->encoder.embed_dim())
    throw Error(ErrorCode::Shape, "the index holds rows of dimension " + std::to_string(i.dim()) +
                                      ", the model makes " + std::to_string(model->encoder.embed_dim()) +
                                      ": search with the model the index was built with");
  const gxn::TopK top = i.search(query, k);
  std::copy(top.index.begin(), top.index.end(), out_ids);
  std::copy(top.score.begin(), top.score.end(), out_scores);
  *out_k = top.k;
}

void require_search(const gxn_model* model, const gxn_index* index, int64_t* out_ids, float* out_scores,
                    int64_t* out_k) {
  require(model, "model");
  require(index, "index");
  require(out_ids, "out_ids");
  require(out_scores, "out_scores");
  require(out_k, "out_k");
}

}  // namespace

extern "C" {

int gxn_model_search_text(const gxn_model* model, const gxn_index* index, const char* text, int64_t k, int64_t* out_ids,
                          float* out_scores, int64_t* out_k) {
  return guard([&] {
    require_search(model, index, out_ids, out_scores, out_k);
    const gxn::Matrix query = model->encoder.encode_texts(utf8_strings(&text, 1, "text"));
    search_one(model, index, true, query, k, out_ids, out_scores, out_k);
  });
}

int gxn_model_search_image_file(const gxn_model* model, const gxn_index* index, const char* path, int64_t k,
                                int64_t* out_ids, float* out_scores, int64_t* out_k) {
  return guard([&] {
    require_search(model, index, out_ids, out_scores, out_k);
    const gxn::Matrix query = model->encoder.encode_images(c_strings(&path, 1, "path"));
    search_one(model, index, false, query, k, out_ids, out_scores, out_k);
  });
}

int gxn_has_model(void) { return 1; }

int gxn_model_load(const char* path, const gxn_model_options* options, gxn_model** out) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    require(path, "path");
    const gxn_model_options o = gxn::capi::read_options(options, gxn_model_default_options,
                                                        gxn::capi::kModelOptionsFirstSize, "gxn_model_options");
    gxn::EncoderOptions encoder;
    encoder.threads = o.threads;
    encoder.batch_size = o.batch_size;
    encoder.quiet = true;  // a library draws no progress line on the host's terminal
    try {                  // the device is checked before the file is read
      encoder.device = gxn::parse_device(o.device != nullptr ? o.device : "cpu");
    } catch (const gxn::Error& e) {
      throw gxn::Error(e.code(), std::string("gxn_model_options.device: ") + e.what());
    }
    *out = new gxn_model{gxn::Encoder(path, encoder)};
  });
}

void gxn_model_free(gxn_model* model) { delete model; }

int gxn_model_get_info(const gxn_model* model, gxn_model_info* out) {
  return guard([&] {
    require(model, "model");
    require(out, "out");
    const gxn::Encoder& e = model->encoder;
    const gxn::ModelConfig& c = e.config();
    gxn_model_info info{};
    info.size = sizeof(info);
    info.embed_dim = c.embed_dim;
    info.lambda = static_cast<float>(c.lambda);
    info.paths = (c.paths.embedding ? GXN_PATH_EMBEDDING : 0u) | (c.paths.i2t ? GXN_PATH_I2T : 0u) |
                 (c.paths.t2i ? GXN_PATH_T2I : 0u);
    info.takes_features = e.takes_features() ? 1 : 0;
    info.feature_dim = e.takes_features() ? c.image.feature_dim : 0;
    info.vocab_size = c.text.vocab_size;
    info.max_caption_length = e.can_caption() ? c.decoder.max_length : 0;
    info.imagine_width = info.imagine_height = e.can_imagine() ? static_cast<int>(gxn::kImagineImageSize) : 0;
    gxn::capi::write_sized(info, out, gxn::capi::kModelInfoFirstSize, "gxn_model_info");
  });
}

int gxn_model_encode_texts(const gxn_model* model, const char* const* texts, int64_t n, gxn_matrix** out) {
  return produce(model, out,
                 [&](const gxn::Encoder& e) { give_matrix(e.encode_texts(utf8_strings(texts, n, "texts")), out); });
}

int gxn_model_encode_image_files(const gxn_model* model, const char* const* paths, int64_t n, gxn_matrix** out) {
  return produce(model, out,
                 [&](const gxn::Encoder& e) { give_matrix(e.encode_images(c_strings(paths, n, "paths")), out); });
}

int gxn_model_encode_images(const gxn_model* model, const gxn_rgb_image* images, int64_t n, gxn_matrix** out) {
  return produce(model, out, [&](const gxn::Encoder& e) { give_matrix(e.encode_images(copy_images(images, n)), out); });
}

int gxn_model_encode_features(const gxn_model* model, const float* features, int64_t n, int64_t cols,
                              gxn_matrix** out) {
  return produce(model, out,
                 [&](const gxn::Encoder& e) { give_matrix(e.encode_features(feature_view(features, n, cols)), out); });
}

int gxn_model_caption_image_files(const gxn_model* model, const char* const* paths, int64_t n,
                                  const gxn_caption_options* options, gxn_strings** out) {
  return produce(model, out, [&](const gxn::Encoder& e) {
    const gxn::DecodeOptions decode = decode_options(e, options);
    give_strings(e.caption_images(c_strings(paths, n, "paths"), decode), out);
  });
}

int gxn_model_caption_images(const gxn_model* model, const gxn_rgb_image* images, int64_t n,
                             const gxn_caption_options* options, gxn_strings** out) {
  return produce(model, out, [&](const gxn::Encoder& e) {
    const gxn::DecodeOptions decode = decode_options(e, options);
    give_strings(e.caption_images(copy_images(images, n), decode), out);
  });
}

int gxn_model_caption_features(const gxn_model* model, const float* features, int64_t n, int64_t cols,
                               const gxn_caption_options* options, gxn_strings** out) {
  return produce(model, out, [&](const gxn::Encoder& e) {
    const gxn::DecodeOptions decode = decode_options(e, options);
    give_strings(e.caption_features(feature_view(features, n, cols), decode), out);
  });
}

int gxn_model_imagine_images(const gxn_model* model, const char* text, int64_t count, uint64_t seed, gxn_images** out) {
  return produce(model, out, [&](const gxn::Encoder& e) {
    const std::string caption = utf8_strings(&text, 1, "text").front();
    const std::vector<gxn::Image> images = e.imagine(caption, count, seed);
    auto result = std::make_unique<gxn_images>();
    result->count = static_cast<int64_t>(images.size());
    result->width = images.front().width;
    result->height = images.front().height;
    for (const gxn::Image& image : images)
      result->pixels.insert(result->pixels.end(), image.pixels.begin(), image.pixels.end());
    *out = result.release();
  });
}

int gxn_model_imagine(const gxn_model* model, const char* text, int64_t count, uint64_t seed, uint8_t* out,
                      size_t capacity) {
  return guard([&] {
    require(model, "model");
    require(out, "out");
    const gxn::Encoder& e = model->encoder;
    // A model without a generator, or a count out of range, is refused by imagine() itself.
    const int64_t side = gxn::kImagineImageSize;
    if (e.can_imagine() && count >= 1 && count <= 4096 && static_cast<uint64_t>(count * side * side * 3) > capacity)
      throw Error(ErrorCode::InvalidArgument, "out holds " + std::to_string(capacity) + " bytes; " +
                                                  std::to_string(count) + " images of " + std::to_string(side) + " x " +
                                                  std::to_string(side) + " RGB need " +
                                                  std::to_string(count * side * side * 3));
    const std::string caption = utf8_strings(&text, 1, "text").front();
    uint8_t* at = out;
    for (const gxn::Image& image : e.imagine(caption, count, seed)) {
      std::memcpy(at, image.pixels.data(), image.pixels.size());
      at += image.pixels.size();
    }
  });
}
}
