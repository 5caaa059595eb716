#pragma once
// GxnModel: the image encoder, the text encoder and the four projections into the common
// space (P_v^h, P_v^l, P_t^h, P_t^l). Images become {v_h, v_l}, captions {t_h, t_l}.
// Trained with the i2t path (config.paths.i2t) it also holds RNN_Dec (captions from v_l), and
// with the t2i path the text->image modules: conditioning augmentation, G and D (images from
// t_l). Retrieval uses only the embeddings.
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "gxn/model/caption_decoder.hpp"
#include "gxn/model/conditioning_augmentation.hpp"
#include "gxn/model/config.hpp"
#include "gxn/model/image_discriminator.hpp"
#include "gxn/model/image_encoder.hpp"
#include "gxn/model/image_generator.hpp"
#include "gxn/model/order_similarity.hpp"
#include "gxn/model/projection.hpp"
#include "gxn/model/text_encoder.hpp"
#include "gxn/model/word_vectors.hpp"

namespace gxn {

// Greedy decoding up to the model's decoder.max_length words: how gxn captions by default.
DecodeOptions greedy_decoding(const ModelConfig& config);
// Beam search with `beams` hypotheses per image, up to the same length.
DecodeOptions beam_decoding(const ModelConfig& config, std::int64_t beams);

struct GxnModelImpl : torch::nn::Module {
  // Validates `config` (text.vocab_size must be set) and builds the model with random weights.
  // A torchscript backbone is read from config.image.backbone_file unless `scripted_backbone`
  // is given.
  explicit GxnModelImpl(const ModelConfig& config, std::optional<torch::jit::Module> scripted_backbone = std::nullopt);

  // Starts from the pretrained weights the configuration names: image.backbone_file for
  // resnet152 / vgg19, text.word_vectors for W_e (`vocabulary` maps rows to words). Returns
  // the word-vector report when a file was read. Call before training, not after loading.
  std::optional<WordVectorReport> load_pretrained(const std::vector<std::string>& vocabulary);

  // Images as ImageEncoderImpl::forward takes them -> {v_h, v_l}, (B, embed_dim) each.
  Embeddings encode_images(const torch::Tensor& images);
  // Token ids (B, L) and lengths (B), as TextEncoderImpl::forward takes them -> {t_h, t_l}.
  Embeddings encode_texts(const torch::Tensor& ids, const torch::Tensor& lengths);
  // Captions for images (as encode_images takes them): RNN_Dec decodes from v_l. Runs in the
  // model's current mode; gxn::Error when the model has no decoder.
  DecodedCaptions caption_images(const torch::Tensor& images, const DecodeOptions& options);
  // Images G imagines for captions' t_l (B, embed_dim), one per row of `noise` (B, noise_dim):
  // (B, 3, 64, 64) in [-1, 1]; the conditioning augmentation draws from `generator` (see
  // ConditioningAugmentationImpl::forward). gxn::Error when the model has no generator.
  torch::Tensor imagine(const torch::Tensor& grounded_texts, const torch::Tensor& noise,
                        const std::optional<at::Generator>& generator = std::nullopt);
  // s* for every (caption, image) pair: (Bt, Bv), with the model's lambda.
  torch::Tensor similarity(const Embeddings& texts, const Embeddings& images) const;

  const ModelConfig& config() const { return config_; }
  std::uint64_t fingerprint() const { return model_fingerprint(config_); }

  ImageEncoder image_encoder{nullptr};                                // CNN_Enc
  TextEncoder text_encoder{nullptr};                                  // W_e, RNN_Enc^h, RNN_Enc^l
  Projection image_to_abstract{nullptr}, image_to_grounded{nullptr};  // P_v^h, P_v^l
  Projection text_to_abstract{nullptr}, text_to_grounded{nullptr};    // P_t^h, P_t^l
  CaptionDecoder caption_decoder{nullptr};                            // RNN_Dec: null unless config.paths.i2t
  ConditioningAugmentation conditioning{nullptr};                     // phi, mu, sigma: null unless config.paths.t2i
  ImageGenerator image_generator{nullptr};                            // G
  ImageDiscriminator image_discriminator{nullptr};                    // D (trained by its own optimiser)

  bool has_decoder() const { return !caption_decoder.is_empty(); }
  bool has_generator() const { return !image_generator.is_empty(); }

 private:
  ModelConfig config_;
};
TORCH_MODULE(GxnModel);

}  // namespace gxn
