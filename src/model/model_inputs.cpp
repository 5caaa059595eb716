#include "gxn/model/model_inputs.hpp"

#include <algorithm>

#include "gxn/engine/io/preprocess.hpp"
#include "gxn/engine/text/tokenizer.hpp"

namespace gxn {

std::vector<std::int64_t> caption_ids(const std::string& caption, const Vocabulary& vocabulary, std::int64_t max_tokens,
                                      const std::string& what) {
  const std::vector<std::string> tokens = tokenize(caption);
  if (tokens.empty()) throw Error(ErrorCode::InvalidArgument, what + ": the caption has no word");
  std::vector<std::int64_t> ids = vocabulary.encode_caption(tokens);
  if (max_tokens > 0 && static_cast<std::int64_t>(ids.size()) > max_tokens) {
    if (max_tokens < 3) throw Error(ErrorCode::InvalidArgument, "max_tokens: must be at least 3 (<start> word <end>)");
    ids.resize(static_cast<std::size_t>(max_tokens));
    ids.back() = Vocabulary::end_id;
  }
  return ids;
}

CaptionTensors caption_tensors(const std::vector<std::vector<std::int64_t>>& sequences) {
  if (sequences.empty()) throw Error(ErrorCode::InvalidArgument, "caption batch: no captions");
  std::size_t longest = 0;
  for (const auto& s : sequences) longest = std::max(longest, s.size());
  const auto batch = static_cast<std::int64_t>(sequences.size());
  CaptionTensors out{torch::full({batch, static_cast<std::int64_t>(longest)}, Vocabulary::pad_id, torch::kInt64),
                     torch::empty({batch}, torch::kInt64)};
  auto* ids = out.ids.data_ptr<std::int64_t>();
  auto* lengths = out.lengths.data_ptr<std::int64_t>();
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto& s = sequences[static_cast<std::size_t>(b)];
    if (s.empty()) throw Error(ErrorCode::InvalidArgument, "caption batch: caption " + std::to_string(b) + " is empty");
    std::copy(s.begin(), s.end(), ids + b * static_cast<std::int64_t>(longest));
    lengths[b] = static_cast<std::int64_t>(s.size());
  }
  return out;
}

torch::Tensor image_tensor(const std::vector<Image>& images, const ImageEncoderConfig& config) {
  if (config.backbone == Backbone::Precomp)
    throw Error(ErrorCode::InvalidArgument, "image input: a precomp model takes feature vectors, not images");
  const auto [resize, crop] = image_input_size(config);
  PreprocessOptions options;
  options.resize = resize;
  options.crop = crop;
  return image_tensor(images, options);
}

torch::Tensor image_tensor(const std::vector<Image>& images, const PreprocessOptions& options) {
  if (images.empty()) throw Error(ErrorCode::InvalidArgument, "image batch: no images");
  const int crop = options.crop;
  const auto batch = static_cast<std::int64_t>(images.size());
  const std::int64_t plane = 3LL * crop * crop;
  auto out = torch::empty({batch, 3, crop, crop}, torch::kFloat32);
  float* dst = out.data_ptr<float>();
  // Errors cannot leave an OpenMP region: keep the first and throw it after.
  std::string failure;
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t b = 0; b < batch; ++b) {
    try {
      const ChwImage chw = preprocess(images[static_cast<std::size_t>(b)], options);
      std::copy(chw.values.begin(), chw.values.end(), dst + b * plane);
    } catch (const std::exception& e) {
#pragma omp critical(gxn_image_tensor)
      if (failure.empty()) failure = "image " + std::to_string(b) + ": " + e.what();
    }
  }
  if (!failure.empty()) throw Error(ErrorCode::InvalidArgument, failure);
  return out;
}

}  // namespace gxn
