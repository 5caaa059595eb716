#include "gxn/model/encoder.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <omp.h>

#include <cstring>

#include "gxn/engine/progress.hpp"
#include "gxn/model/model_inputs.hpp"
#include "scoped_state.hpp"
#include "tensor_view.hpp"

namespace gxn {
namespace {

void check_options(const EncoderOptions& options) {
  if (options.batch_size < 1)
    throw Error(ErrorCode::InvalidArgument,
                "encoder: batch_size must be at least 1, got " + std::to_string(options.batch_size));
  if (options.threads < 0)
    throw Error(ErrorCode::InvalidArgument,
                "encoder: threads must be 0 (default) or more, got " + std::to_string(options.threads));
}

}  // namespace

Encoder::Encoder(const std::string& model_path, const EncoderOptions& options)
    : Encoder(
          [&] {
            check_options(options);  // before a possibly large file is read
            return load_model(model_path);
          }(),
          options, model_path) {}

Encoder::Encoder(LoadedModel loaded, const EncoderOptions& options, std::string name)
    : Encoder(std::move(loaded.model), loaded.vocabulary, options, std::move(name)) {}

Encoder::Encoder(GxnModel model, const std::vector<std::string>& vocabulary, const EncoderOptions& options,
                 std::string name)
    : model_(std::move(model)),
      vocabulary_(Vocabulary::from_words(vocabulary, name)),
      options_(options),
      name_(std::move(name)) {
  check_options(options_);
  if (!model_) throw Error(ErrorCode::InvalidArgument, name_ + ": no model");
  if (vocabulary_.size() != config().text.vocab_size)
    throw Error(ErrorCode::InvalidArgument, name_ + ": a vocabulary of " + std::to_string(vocabulary_.size()) +
                                                " words for a model of " + std::to_string(config().text.vocab_size));
  if (options_.threads > 0) torch::set_num_threads(options_.threads);
  const auto parameters = model_->parameters();
  device_ = parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
  if (options_.device && *options_.device != device_) {
    model_->to(*options_.device);
    device_ = *options_.device;
  }
}

bool Encoder::takes_features() const { return config().image.backbone == Backbone::Precomp; }

ScoreOptions Encoder::score_options() const {
  ScoreOptions o;
  o.lambda = static_cast<float>(lambda());
  o.threads = options_.threads;
  return o;
}

Matrix Encoder::score(const MatrixView& images, const MatrixView& texts) const {
  const std::int64_t dim2 = 2 * embed_dim();
  if (images.cols != dim2 || texts.cols != dim2)
    throw Error(ErrorCode::Shape, name_ + ": scoring rows of " + std::to_string(images.cols) + " (images) and " +
                                      std::to_string(texts.cols) + " (captions) floats; this model's rows hold " +
                                      std::to_string(dim2));
  return OrderScorer(score_options()).score_matrix(images, texts);
}

Matrix Encoder::encode_batches(std::int64_t count, const char* label,
                               const std::function<Embeddings(std::int64_t, std::int64_t)>& encode) const {
  const std::int64_t dim2 = 2 * embed_dim();
  Matrix out(count, dim2);
  if (count == 0) return out;
  detail::EvalModeScope eval_mode(*model_);
  c10::InferenceMode inference;
  Progress progress(label, count, options_.quiet);
  for (std::int64_t start = 0; start < count; start += options_.batch_size) {
    const std::int64_t end = std::min(count, start + options_.batch_size);
    const Embeddings e = encode(start, end);
    const torch::Tensor rows = torch::cat({e.abstract, e.grounded}, 1).to(torch::kCPU, torch::kFloat32).contiguous();
    if (rows.dim() != 2 || rows.size(0) != end - start || rows.size(1) != dim2)
      throw Error(ErrorCode::Internal, name_ + ": the model returned embeddings of the wrong shape");
    std::memcpy(out.row(start), rows.data_ptr<float>(), sizeof(float) * static_cast<std::size_t>(rows.numel()));
    progress.update(end);
  }
  progress.finish();
  return out;
}

void Encoder::require_images() const {
  if (takes_features())
    throw Error(ErrorCode::InvalidArgument,
                name_ +
                    ": this model takes precomputed image features (backbone precomp), not images; "
                    "encode its features instead (Encoder::encode_features, gxn encode --features)");
}

std::vector<Image> Encoder::decode_files(const std::vector<std::string>& paths, std::int64_t start,
                                         std::int64_t end) const {
  const int threads = options_.threads > 0 ? options_.threads : omp_get_max_threads();
  std::vector<Image> images(static_cast<std::size_t>(end - start));
  // Errors cannot leave an OpenMP region: keep the first file's (in list order) and throw it.
  std::int64_t failed_at = end;
  std::optional<Error> failure;
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (std::int64_t i = start; i < end; ++i) {
    try {
      images[static_cast<std::size_t>(i - start)] =
          decode_image_file(paths[static_cast<std::size_t>(i)], options_.image_limits);
    } catch (const Error& e) {
#pragma omp critical(gxn_encoder_decode)
      if (i < failed_at) failed_at = i, failure = e;
    } catch (const std::exception& e) {
#pragma omp critical(gxn_encoder_decode)
      if (i < failed_at)
        failed_at = i, failure = Error(ErrorCode::Io, paths[static_cast<std::size_t>(i)] + ": " + e.what());
    }
  }
  if (failure) throw *failure;
  return images;
}

Matrix Encoder::encode_images(const std::vector<std::string>& paths) const {
  require_images();
  return encode_batches(
      static_cast<std::int64_t>(paths.size()), "encode images", [&](std::int64_t start, std::int64_t end) {
        return model_->encode_images(image_tensor(decode_files(paths, start, end), config().image).to(device_));
      });
}

Matrix Encoder::encode_images(const std::vector<Image>& images) const {
  require_images();
  for (std::size_t i = 0; i < images.size(); ++i) {
    const Image& image = images[i];
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3)
      throw Error(ErrorCode::InvalidArgument, "image " + std::to_string(i) + ": malformed (" +
                                                  std::to_string(image.width) + "x" + std::to_string(image.height) +
                                                  ", " + std::to_string(image.pixels.size()) + " bytes)");
  }
  return encode_batches(static_cast<std::int64_t>(images.size()), "encode images",
                        [&](std::int64_t start, std::int64_t end) {
                          const std::vector<Image> batch(images.begin() + start, images.begin() + end);
                          return model_->encode_images(image_tensor(batch, config().image).to(device_));
                        });
}

std::int64_t Encoder::check_features(const MatrixView& features) const {
  if (!takes_features())
    throw Error(ErrorCode::InvalidArgument, name_ + ": this model takes images (backbone " +
                                                to_string(config().image.backbone) +
                                                "), not precomputed features; encode image files or decoded images");
  check_view(features, "image features");
  const std::int64_t dim = config().image.feature_dim;
  if (features.rows > 0 && (features.cols < dim || features.cols % dim != 0))
    throw Error(ErrorCode::Shape, "image features: rows of " + std::to_string(features.cols) + " floats; " + name_ +
                                      " takes " + std::to_string(dim) + " per region (rows of R·" +
                                      std::to_string(dim) + ")");
  check_finite(features, "image features");
  return features.rows > 0 ? features.cols / dim : 1;
}

torch::Tensor Encoder::feature_batch(const MatrixView& features, std::int64_t regions, std::int64_t start,
                                     std::int64_t end) const {
  const MatrixView batch(features.row(start), end - start, features.cols, features.stride);
  torch::Tensor x = to_tensor(batch);
  if (regions > 1) x = x.view({end - start, regions, config().image.feature_dim});
  return x;
}

Matrix Encoder::encode_features(const MatrixView& features) const {
  const std::int64_t regions = check_features(features);
  return encode_batches(features.rows, "encode features", [&](std::int64_t start, std::int64_t end) {
    return model_->encode_images(feature_batch(features, regions, start, end).to(device_));
  });
}

Matrix Encoder::encode_texts(const std::vector<std::string>& captions) const {
  // Every caption is checked before any is encoded: a bad line 90000 fails at once.
  std::vector<std::vector<std::int64_t>> ids;
  ids.reserve(captions.size());
  for (std::size_t j = 0; j < captions.size(); ++j)
    ids.push_back(caption_ids(captions[j], vocabulary_, 0, "caption " + std::to_string(j)));
  return encode_batches(static_cast<std::int64_t>(ids.size()), "encode captions",
                        [&](std::int64_t start, std::int64_t end) {
                          const CaptionTensors batch = caption_tensors({ids.begin() + start, ids.begin() + end});
                          return model_->encode_texts(batch.ids.to(device_), batch.lengths);
                        });
}

std::vector<std::string> Encoder::caption_batches(
    std::int64_t count, const std::optional<DecodeOptions>& options,
    const std::function<torch::Tensor(std::int64_t, std::int64_t)>& inputs) const {
  if (!can_caption())
    throw Error(ErrorCode::InvalidArgument, name_ +
                                                " has no caption decoder: train it with the i2t path "
                                                "(gxn train --paths embedding,i2t)");
  const DecodeOptions decode = options ? *options : greedy_decoding(config());
  std::vector<std::string> captions;
  captions.reserve(static_cast<std::size_t>(count));
  detail::EvalModeScope eval_mode(*model_);
  c10::InferenceMode inference;
  Progress progress("caption images", count, options_.quiet);
  for (std::int64_t start = 0; start < count; start += options_.batch_size) {
    const std::int64_t end = std::min(count, start + options_.batch_size);
    const DecodedCaptions decoded = model_->caption_images(inputs(start, end).to(device_), decode);
    for (const auto& ids : decoded.ids) captions.push_back(vocabulary_.decode_text(ids));
    progress.update(end);
  }
  progress.finish();
  return captions;
}

std::vector<std::string> Encoder::caption_images(const std::vector<std::string>& paths,
                                                 const std::optional<DecodeOptions>& options) const {
  require_images();
  return caption_batches(static_cast<std::int64_t>(paths.size()), options, [&](std::int64_t start, std::int64_t end) {
    return image_tensor(decode_files(paths, start, end), config().image);
  });
}

std::vector<std::string> Encoder::caption_images(const std::vector<Image>& images,
                                                 const std::optional<DecodeOptions>& options) const {
  require_images();
  return caption_batches(static_cast<std::int64_t>(images.size()), options, [&](std::int64_t start, std::int64_t end) {
    return image_tensor({images.begin() + start, images.begin() + end}, config().image);
  });
}

std::vector<std::string> Encoder::caption_features(const MatrixView& features,
                                                   const std::optional<DecodeOptions>& options) const {
  const std::int64_t regions = check_features(features);
  return caption_batches(features.rows, options, [&](std::int64_t start, std::int64_t end) {
    return feature_batch(features, regions, start, end);
  });
}

std::vector<Image> Encoder::imagine(const std::string& caption, std::int64_t count, std::uint64_t seed) const {
  if (!can_imagine())
    throw Error(ErrorCode::InvalidArgument, name_ +
                                                " has no image generator: train it with the t2i path "
                                                "(gxn train --paths embedding,t2i)");
  if (count < 1 || count > 4096)
    throw Error(ErrorCode::InvalidArgument, "imagine: count = " + std::to_string(count) + " is out of range 1..4096");
  const std::vector<std::int64_t> ids = caption_ids(caption, vocabulary_, 0, "the caption");
  detail::EvalModeScope eval_mode(*model_);
  c10::InferenceMode inference;
  // z and the conditioning noise come from a generator of this call's own: the same seed gives
  // the same images, and calls from several threads do not draw from each other's numbers.
  const at::Generator random = at::detail::createCPUGenerator(seed);
  const CaptionTensors text = caption_tensors({ids});
  const torch::Tensor t_l = model_->encode_texts(text.ids.to(device_), text.lengths).grounded.expand({count, -1});
  const torch::Tensor noise = sample_noise(count, config().generator.noise_dim, t_l.options(), random);
  const torch::Tensor images = model_->imagine(t_l.contiguous(), noise, random);
  // [-1, 1] -> bytes, (count, 3, 64, 64) -> interleaved RGB.
  const torch::Tensor bytes = ((images.to(torch::kCPU, torch::kFloat32) + 1) * 127.5)
                                  .round()
                                  .clamp(0, 255)
                                  .to(torch::kUInt8)
                                  .permute({0, 2, 3, 1})
                                  .contiguous();
  std::vector<Image> out;
  for (std::int64_t i = 0; i < count; ++i) {
    Image image(static_cast<int>(bytes.size(2)), static_cast<int>(bytes.size(1)));
    std::memcpy(image.pixels.data(), bytes[i].data_ptr<std::uint8_t>(), image.pixels.size());
    out.push_back(std::move(image));
  }
  return out;
}

}  // namespace gxn
