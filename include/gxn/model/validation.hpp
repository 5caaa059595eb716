#pragma once
// How training (and anyone holding a model and a CaptionDataset) measures a model: retrieval
// metrics of its embeddings, and caption metrics of what its decoder writes.
#include <torch/torch.h>

#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/gxn_model.hpp"

namespace gxn {

// The retrieval metrics (protocol "all") of `model` on `data`, whose captions must be encoded
// with the model's vocabulary: its images and captions are encoded in inference mode on
// `device` (eval(), no gradients; the model's mode is restored after), then scored by the
// engine's evaluate_embeddings with the model's lambda on `threads` threads (0 = OpenMP's default).
RetrievalMetrics evaluate_retrieval(GxnModel& model, CaptionDataset& data, const torch::Device& device = torch::kCPU,
                                    int threads = 0);

// BLEU and CIDEr-D of `model`'s captions (decoded with `decode`, in inference mode on `device`)
// for the images of `data`, against each image's reference captions. gxn::Error when the model
// has no caption decoder.
CaptionMetrics evaluate_captioning(GxnModel& model, CaptionDataset& data, const Vocabulary& vocabulary,
                                   const DecodeOptions& decode, const torch::Device& device = torch::kCPU);

}  // namespace gxn
