#pragma once
// Encoder: a trained model put to use. Images (files, decoded RGB buffers, or precomputed
// features) become rows ⟨v_h, v_l⟩ and captions rows ⟨t_h, t_l⟩ of the common space, in
// batches, in inference mode. Rows are 2·embed_dim floats, the abstract part first: the
// engine's embedding layout, so OrderScorer, RetrievalIndex, evaluate_embeddings and
// write_embeddings take them directly.
//
//   gxn::Encoder encoder("model.gxn");
//   gxn::Matrix images = encoder.encode_images(std::vector<std::string>{"a.jpg", "b.png"});
//   gxn::Matrix texts = encoder.encode_texts({"a red circle"});
//   gxn::TopK best = gxn::OrderScorer(encoder.score_options()).top_images(texts, images, 1);
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gxn/engine/io/image.hpp"
#include "gxn/engine/matrix.hpp"
#include "gxn/engine/search/score.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/gxn_model.hpp"
#include "gxn/model/model_file.hpp"

namespace gxn {

struct EncoderOptions {
  std::int64_t batch_size = 128;  // items per forward pass, at least 1
  // Threads for LibTorch (set process-wide with torch::set_num_threads) and for decoding
  // images; 0 leaves LibTorch's setting as it is and decodes on OpenMP's default team.
  int threads = 0;
  bool quiet = false;        // no progress line (it is drawn only when stderr is a terminal anyway)
  ImageLimits image_limits;  // for image files
  // Where the model runs; unset = where its weights are (the CPU for a model file). A model
  // given in memory is moved there, so the caller's model moves too.
  std::optional<torch::Device> device;
};

class Encoder {
 public:
  // Loads a model file (load_model). Errors name the file.
  explicit Encoder(const std::string& model_path, const EncoderOptions& options = {});

  // A model load_model() returned; `name` (e.g. its path) is used in error messages.
  Encoder(LoadedModel loaded, const EncoderOptions& options, std::string name);

  // Uses a model in memory (e.g. one being trained: its weights are shared, not copied).
  // Each call runs it in eval mode and puts back the train/eval mode it found.
  // `vocabulary` must have config().text.vocab_size words; `name` is used in error messages.
  Encoder(GxnModel model, const std::vector<std::string>& vocabulary, const EncoderOptions& options = {},
          std::string name = "the model");

  // Image files, decoded by the engine (JPEG, PNG, BMP, GIF) on worker threads, resized and
  // cropped as the model's config says. gxn::Error names the file that fails to decode; a
  // precomp model refuses images (it takes features).
  Matrix encode_images(const std::vector<std::string>& paths) const;
  // Decoded RGB images (any size; resized and cropped as above).
  Matrix encode_images(const std::vector<Image>& images) const;

  // Precomputed features for a precomp model: one row per image of D or R·D floats (R regions
  // of D = config().image.feature_dim, pooled as the config says); finite values only.
  // A CNN model refuses features (it takes images).
  Matrix encode_features(const MatrixView& features) const;

  // Captions: tokenised like the training data, unknown words as <unk>. A caption with no word
  // is refused with gxn::Error naming its index ("caption 3: ...") before any is encoded.
  Matrix encode_texts(const std::vector<std::string>& captions) const;

  // True when the model takes precomputed features (backbone precomp), false when images.
  bool takes_features() const;

  // What the model imagines (the generative paths; gxn::Error when the model lacks the path).
  // Captions RNN_Dec writes for image files / decoded images / precomputed features (one row
  // per image, as encode_features takes them): words joined by spaces. nullopt decodes
  // greedily up to the model's decoder.max_length.
  std::vector<std::string> caption_images(const std::vector<std::string>& paths,
                                          const std::optional<DecodeOptions>& options = std::nullopt) const;
  std::vector<std::string> caption_images(const std::vector<Image>& images,
                                          const std::optional<DecodeOptions>& options = std::nullopt) const;
  std::vector<std::string> caption_features(const MatrixView& features,
                                            const std::optional<DecodeOptions>& options = std::nullopt) const;
  // `count` 64x64 RGB images G imagines for `caption`, one per noise vector z. The same seed
  // gives the same images (z and the conditioning augmentation's noise are drawn from it).
  std::vector<Image> imagine(const std::string& caption, std::int64_t count, std::uint64_t seed = 1) const;
  bool can_caption() const { return model_->has_decoder(); }
  bool can_imagine() const { return model_->has_generator(); }

  const ModelConfig& config() const { return model_->config(); }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  std::int64_t embed_dim() const { return config().embed_dim; }  // D: rows hold 2·D floats
  double lambda() const { return config().lambda; }              // the s* weight of the abstract part

  // s* as the model defines it: λ = lambda(), threads = options().threads.
  ScoreOptions score_options() const;
  // The images × captions matrix s*(t_j, v_i) of rows from this encoder.
  Matrix score(const MatrixView& images, const MatrixView& texts) const;

  const EncoderOptions& options() const { return options_; }
  const std::string& name() const { return name_; }
  GxnModel& model() { return model_; }

 private:
  // Runs `encode` on [start, end) batches in eval and inference mode, rows into one matrix.
  Matrix encode_batches(std::int64_t count, const char* label,
                        const std::function<Embeddings(std::int64_t, std::int64_t)>& encode) const;
  void require_images() const;
  // Checks precomputed features for this model; returns the regions R per row.
  std::int64_t check_features(const MatrixView& features) const;
  torch::Tensor feature_batch(const MatrixView& features, std::int64_t regions, std::int64_t start,
                              std::int64_t end) const;
  // Decodes image files [start, end) of `paths` on worker threads; gxn::Error names the first bad file.
  std::vector<Image> decode_files(const std::vector<std::string>& paths, std::int64_t start, std::int64_t end) const;
  // Captions for `count` images, `inputs(start, end)` giving each batch's model input.
  std::vector<std::string> caption_batches(
      std::int64_t count, const std::optional<DecodeOptions>& options,
      const std::function<torch::Tensor(std::int64_t, std::int64_t)>& inputs) const;

  mutable GxnModel model_{nullptr};  // encoding does not change the model; LibTorch's forward is not const
  Vocabulary vocabulary_;
  EncoderOptions options_;
  std::string name_;
  torch::Device device_{torch::kCPU};
};

}  // namespace gxn
