#pragma once
// GxnModel: the image encoder, the text encoder and the four projections into the common
// space (P_v^h, P_v^l, P_t^h, P_t^l). Images become {v_h, v_l}, captions {t_h, t_l}.
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "gxn/model/config.hpp"
#include "gxn/model/image_encoder.hpp"
#include "gxn/model/order_similarity.hpp"
#include "gxn/model/projection.hpp"
#include "gxn/model/text_encoder.hpp"
#include "gxn/model/word_vectors.hpp"

namespace gxn {

struct GxnModelImpl : torch::nn::Module {
  // Validates `config` (text.vocab_size must be set) and builds the model with random weights.
  // A torchscript backbone is read from config.image.backbone_file unless `scripted_backbone`
  // is given.
  explicit GxnModelImpl(const ModelConfig& config,
                        std::optional<torch::jit::Module> scripted_backbone = std::nullopt);

  // Starts from the pretrained weights the configuration names: image.backbone_file for
  // resnet152 / vgg19, text.word_vectors for W_e (`vocabulary` maps rows to words). Returns
  // the word-vector report when a file was read. Call before training, not after loading.
  std::optional<WordVectorReport> load_pretrained(const std::vector<std::string>& vocabulary);

  // Images as ImageEncoderImpl::forward takes them -> {v_h, v_l}, (B, embed_dim) each.
  Embeddings encode_images(const torch::Tensor& images);
  // Token ids (B, L) and lengths (B), as TextEncoderImpl::forward takes them -> {t_h, t_l}.
  Embeddings encode_texts(const torch::Tensor& ids, const torch::Tensor& lengths);
  // s* for every (caption, image) pair: (Bt, Bv), with the model's lambda.
  torch::Tensor similarity(const Embeddings& texts, const Embeddings& images) const;

  const ModelConfig& config() const { return config_; }
  std::uint64_t fingerprint() const { return model_fingerprint(config_); }

  ImageEncoder image_encoder{nullptr};  // CNN_Enc
  TextEncoder text_encoder{nullptr};    // W_e, RNN_Enc^h, RNN_Enc^l
  Projection image_to_abstract{nullptr}, image_to_grounded{nullptr};  // P_v^h, P_v^l
  Projection text_to_abstract{nullptr}, text_to_grounded{nullptr};    // P_t^h, P_t^l

 private:
  ModelConfig config_;
};
TORCH_MODULE(GxnModel);

}  // namespace gxn
