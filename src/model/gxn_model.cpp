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
  if (config_.paths.i2t) {
    if (config_.decoder.max_length < 1)
      throw Error(ErrorCode::InvalidArgument, "decoder.max_length = " + std::to_string(config_.decoder.max_length) +
                                                  ": a model's decoder needs a length limit (0 is resolved from "
                                                  "the training captions by the trainer)");
    CaptionDecoderOptions options;
    options.vocab_size = config_.text.vocab_size;
    options.embed_dim = config_.embed_dim;
    options.word_dim = config_.decoder.word_dim;
    options.hidden_dim = config_.decoder.hidden_dim;
    caption_decoder = register_module("caption_decoder", CaptionDecoder(options));
  }
  if (config_.paths.t2i) {
    const auto& g = config_.generator;
    conditioning = register_module("conditioning", ConditioningAugmentation(config_.embed_dim, g.condition_dim));
    image_generator = register_module(
        "image_generator",
        ImageGenerator(ImageGeneratorOptions(g.condition_dim).noise_dim(g.noise_dim).channels(g.generator_channels)));
    image_discriminator =
        register_module("image_discriminator", ImageDiscriminator(ImageDiscriminatorOptions(config_.embed_dim)
                                                                      .channels(g.discriminator_channels)
                                                                      .text_dim(g.discriminator_text_dim)));
  }
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

DecodeOptions greedy_decoding(const ModelConfig& config) {
  DecodeOptions options;
  options.mode = DecodeMode::Greedy;
  options.max_length = config.decoder.max_length;
  return options;
}

DecodeOptions beam_decoding(const ModelConfig& config, std::int64_t beams) {
  DecodeOptions options = greedy_decoding(config);
  options.mode = DecodeMode::Beam;
  options.beam_size = beams;
  return options;
}

DecodedCaptions GxnModelImpl::caption_images(const torch::Tensor& images, const DecodeOptions& options) {
  if (!has_decoder())
    throw Error(ErrorCode::InvalidArgument,
                "this model has no caption decoder: train it with the i2t path "
                "(paths embedding,i2t)");
  return caption_decoder->decode(encode_images(images).grounded, options);
}

torch::Tensor GxnModelImpl::imagine(const torch::Tensor& grounded_texts, const torch::Tensor& noise,
                                    const std::optional<at::Generator>& generator) {
  if (!has_generator())
    throw Error(ErrorCode::InvalidArgument,
                "this model has no image generator: train it with the t2i path "
                "(paths embedding,t2i)");
  return image_generator(noise, conditioning(grounded_texts, generator).condition);
}

torch::Tensor GxnModelImpl::similarity(const Embeddings& texts, const Embeddings& images) const {
  return blended_similarity(texts, images, config_.lambda);
}

}  // namespace gxn
