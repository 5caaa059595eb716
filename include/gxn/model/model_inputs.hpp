#pragma once
// Captions and images as the model takes them: the one conversion that training and
// inference share, so a model sees at test time exactly what it saw when it learned.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "gxn/engine/io/image.hpp"
#include "gxn/engine/io/preprocess.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/config.hpp"

namespace gxn {

struct CaptionTensors {
  torch::Tensor ids;      // (B, L) int64: <start> words <end>, padded with <pad> to the longest
  torch::Tensor lengths;  // (B) int64: tokens per caption, <start> and <end> included
};

// A caption as ids: tokenised, words outside the vocabulary as <unk>, wrapped in <start> <end>,
// cut to max_tokens (<end> kept) when max_tokens > 0. Throws gxn::Error(InvalidArgument)
// naming `what` when the caption has no word.
std::vector<std::int64_t> caption_ids(const std::string& caption, const Vocabulary& vocabulary,
                                      std::int64_t max_tokens = 0, const std::string& what = "caption");

// Id sequences (from caption_ids) padded into one batch.
CaptionTensors caption_tensors(const std::vector<std::vector<std::int64_t>>& sequences);

// Decoded RGB images as the image encoder's input (B, 3, crop, crop): resized, centre-cropped
// and ImageNet-normalised per image_input_size(config), on OpenMP threads.
torch::Tensor image_tensor(const std::vector<Image>& images, const ImageEncoderConfig& config);
// The same with explicit preprocessing (B, 3, options.crop, options.crop).
torch::Tensor image_tensor(const std::vector<Image>& images, const PreprocessOptions& options);

}  // namespace gxn
