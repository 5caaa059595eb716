#pragma once
// ModelConfig: everything that defines a GXN embedding model, with its JSON form and the
// fingerprint that tells whether two models (or a model and its embeddings) are compatible.
#include <cstdint>
#include <string>
#include <utility>

namespace gxn {

// Which network turns an image into a feature vector (CNN_Enc).
enum class Backbone {
  Precomp,      // precomputed features: (B, D) or (B, R, D) region vectors, pooled over R
  CnnSmall,     // a small CNN trained from scratch, sized for 64x64 RGB on a CPU
  ResNet152,    // torchvision's resnet152, 2048-d after global average pooling
  Vgg19,        // torchvision's vgg19, 4096-d penultimate FC
  TorchScript,  // any TorchScript module mapping (B, 3, H, W) to (B, feature_dim)
};

// How (B, R, D) precomputed region features become one vector per image.
enum class RegionPooling { Mean, Max };

const char* to_string(Backbone backbone);          // "precomp", "cnn-small", "resnet152", "vgg19", "torchscript"
const char* to_string(RegionPooling pooling);      // "mean", "max"
Backbone parse_backbone(const std::string& name);  // throws gxn::Error listing the names
RegionPooling parse_region_pooling(const std::string& name);

// Feature sizes the built-in CNNs produce.
constexpr std::int64_t kCnnSmallChannels = 256;  // cnn-small: 256 channels on a 3x3 grid
constexpr std::int64_t kCnnSmallFeatureDim = kCnnSmallChannels * 9;
constexpr std::int64_t kResNet152FeatureDim = 2048;
constexpr std::int64_t kVgg19FeatureDim = 4096;

struct ImageEncoderConfig {
  Backbone backbone = Backbone::Precomp;
  // precomp and torchscript: the size D of a feature vector. The built-in CNNs fix their own
  // size (see image_feature_dim); JSON rejects feature_dim for them.
  std::int64_t feature_dim = 2048;
  RegionPooling region_pooling = RegionPooling::Mean;
  // resnet152 / vgg19 / torchscript: train the backbone too (else frozen: no gradients and
  // batch norm in eval mode). cnn-small starts from random weights, so it is always trained.
  bool fine_tune = false;
  // torchscript: the module file (required). resnet152 / vgg19: optional weights written by
  // scripts/export_backbone.py, loaded by GxnModelImpl::load_pretrained.
  std::string backbone_file;
  // Raw images: shorter side resized to `resize`, then a centred crop × crop square
  // (torchvision's Resize + CenterCrop). 0 = the backbone's default (image_input_size).
  int resize = 0;
  int crop = 0;
};

bool has_own_feature_dim(Backbone backbone);  // precomp and torchscript: feature_dim is the config's

// The (resize, crop) raw images get: the config's values, or the backbone's defaults
// (cnn-small 64/64, the demo's image size; resnet152, vgg19 and torchscript 256/224).
std::pair<int, int> image_input_size(const ImageEncoderConfig& config);

struct TextEncoderConfig {
  std::int64_t vocab_size = 0;  // 0: not known yet (set from the training vocabulary)
  std::int64_t word_dim = 300;
  std::int64_t hidden_dim = 1024;
  // Optional word2vec / GloVe text file that initialises W_e (GxnModelImpl::load_pretrained).
  std::string word_vectors;
  // RNN_Enc^l reads each caption both ways (t_l: the mean of the two final states), as RNN_Enc^h
  // does: a colour word then reaches t_l without passing the words after it. Off: one way, as in
  // the paper and in every model file written before this field.
  bool grounded_bidirectional = false;
};

// RNN_Dec, the image→text path: a GRU decoder conditioned on v_l (caption_decoder.hpp). A
// model has one when it is trained with the i2t path (ModelConfig::paths).
struct CaptionDecoderConfig {
  std::int64_t word_dim = 300;
  std::int64_t hidden_dim = 1024;
  // Words a decoded caption may have (<end> not counted). 0: the longest training caption's,
  // set by the trainer when it builds the model (a model always holds a number).
  std::int64_t max_length = 0;
};

// The text→image path: conditioning augmentation, generator G(z, t_c) -> 64x64 RGB and the
// matching-aware discriminator D(i, t_l) (conditioning_augmentation.hpp, image_generator.hpp,
// image_discriminator.hpp). A model has them when it is trained with the t2i path.
struct ImageGeneratorConfig {
  std::int64_t condition_dim = 128;           // size of t_c
  std::int64_t noise_dim = 100;               // size of z
  std::int64_t generator_channels = 64;       // width of G's first block, halved per upsampling
  std::int64_t discriminator_channels = 64;   // width of D's first convolution, doubled per step
  std::int64_t discriminator_text_dim = 128;  // t_l compressed to this before D joins it to the image
};

// The paths a model is trained with, alone or together; they decide which modules it has.
struct TrainingPaths {
  bool embedding = true;  // look & match: the ranking loss L_R+
  bool i2t = false;       // image->text: the caption decoder (RNN_Dec)
  bool t2i = false;       // text->image: the conditional GAN (G and D)
};
std::string to_string(const TrainingPaths& paths);            // "embedding,i2t,t2i"
TrainingPaths parse_training_paths(const std::string& text);  // gxn::Error naming an unknown or missing path

struct ModelConfig {
  TrainingPaths paths;  // decoder exists with i2t, generator with t2i
  ImageEncoderConfig image;
  TextEncoderConfig text;
  CaptionDecoderConfig decoder;
  ImageGeneratorConfig generator;
  std::int64_t embed_dim = 1024;  // size of the common space
  bool l2_normalize = true;       // unit-length embeddings
  bool non_negative = true;       // absolute value, as order embeddings need
  double lambda = 0.5;            // s* = lambda s(t_h, v_h) + (1 - lambda) s(t_l, v_l)
  double margin = 0.2;            // alpha of the ranking loss
  bool max_violation = false;     // hardest in-batch negative only (VSE++)
};

// The feature size CNN_Enc gives for this configuration.
std::int64_t image_feature_dim(const ImageEncoderConfig& config);

// Throws gxn::Error naming the first field out of range and its allowed range. The decoder's
// and generator's fields are checked when their path is trained.
void validate(const ModelConfig& config);

// JSON with "paths" and nested "image", "text", "decoder" and "generator" objects; keys are
// the field names above, enums as their to_string names. Reading: missing keys keep their
// defaults; an unknown key, a wrong type or an out-of-range value throws gxn::Error naming
// `source` (a file name, or where the text came from) and the key.
std::string to_json(const ModelConfig& config, int indent = 2);
ModelConfig model_config_from_json(const std::string& json_text, const std::string& source);

// A hash of what fixes the meaning of the embeddings: backbone, feature size, pooling,
// vocabulary size, word/hidden/embedding sizes, the normalisation flags and lambda. File
// paths, training-only settings (fine_tune, margin, max_violation) and the generative paths
// (decoder, generator: they do not change an embedding) do not change it.
std::uint64_t model_fingerprint(const ModelConfig& config);
std::string fingerprint_hex(std::uint64_t fingerprint);  // 16 lowercase hex digits

}  // namespace gxn
