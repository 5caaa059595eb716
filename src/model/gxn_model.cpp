#include "gxn/model/gxn_model.hpp"

#include "gxn/error.hpp"

namespace gxn {

GxnModelImpl::GxnModelImpl(const ModelConfig& config, std::optional<torch::jit::Module> scripted_backbone)
    : config_(config) {
  validate(config_);
  if (config_.text.vocab_size == 0)
    throw Error(ErrorCode::InvalidArgument, "text.vocab_size: not set (the model needs its vocabulary's size)");
  image_encoder = register_module("image_encoder", ImageEncoder(config_.image, std::move(scripted_backbone)));
  text_encoder = register_module("text_encoder", TextEncoder(config_.text));
  auto projection = [&](std::int64_t in_dim) {
    return Projection(ProjectionOptions(in_dim, config_.embed_dim)
                          .l2_normalize(config_.l2_normalize)
                          .non_negative(config_.non_negative));
  };
  const std::int64_t image_dim = image_encoder->feature_dim(), text_dim = config_.text.hidden_dim;
  image_to_abstract = register_module("image_to_abstract", projection(image_dim));
  image_to_grounded = register_module("image_to_grounded", projection(image_dim));
  text_to_abstract = register_module("text_to_abstract", projection(text_dim));
  text_to_grounded = register_module("text_to_grounded", projection(text_dim));
}

std::optional<WordVectorReport> GxnModelImpl::load_pretrained(const std::vector<std::string>& vocabulary) {
  const auto& image = config_.image;
  if (!image.backbone_file.empty() && (image.backbone == Backbone::ResNet152 || image.backbone == Backbone::Vgg19))
    image_encoder->load_backbone_weights(image.backbone_file);
  if (config_.text.word_vectors.empty()) return std::nullopt;
  return load_word_vectors(text_encoder->word_embedding->weight, config_.text.word_vectors, vocabulary);
}

Embeddings GxnModelImpl::encode_images(const torch::Tensor& images) {
  const auto features = image_encoder(images);
  return {image_to_abstract(features), image_to_grounded(features)};
}

Embeddings GxnModelImpl::encode_texts(const torch::Tensor& ids, const torch::Tensor& lengths) {
  const auto features = text_encoder(ids, lengths);
  return {text_to_abstract(features.abstract), text_to_grounded(features.grounded)};
}

torch::Tensor GxnModelImpl::similarity(const Embeddings& texts, const Embeddings& images) const {
  return blended_similarity(texts, images, config_.lambda);
}

}  // namespace gxn
