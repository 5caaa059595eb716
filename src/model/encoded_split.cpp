#include "gxn/model/encoded_split.hpp"

#include <algorithm>
#include <map>

#include "gxn/engine/text/tokenizer.hpp"

namespace gxn {

EncodedSplit encode_split(const Encoder& encoder, EvaluationSplit split) {
  if (split.precomputed != encoder.takes_features()) {
    const std::string takes = encoder.takes_features()
                                  ? std::string("precomputed features (backbone precomp)")
                                  : std::string("images (backbone ") + to_string(encoder.config().image.backbone) + ")";
    throw Error(ErrorCode::InvalidArgument, split.source + " holds " +
                                                (split.precomputed ? "precomputed image features" : "image files") +
                                                " but " + encoder.name() + " takes " + takes);
  }
  EncodedSplit out;
  out.images = split.precomputed ? encoder.encode_features(split.features) : encoder.encode_images(split.image_paths);
  try {
    out.texts = encoder.encode_texts(split.captions);
  } catch (const Error& e) {
    throw Error(e.code(), split.source + ": " + e.what() + " (captions count from 0, five per image)");
  }
  out.data = std::move(split);
  return out;
}

CaptionedSplit caption_split(const Encoder& encoder, const EvaluationSplit& split,
                             const std::optional<DecodeOptions>& decode) {
  CaptionedSplit out;
  out.generated = split.precomputed ? encoder.caption_features(split.features, decode)
                                    : encoder.caption_images(split.image_paths, decode);
  std::vector<Tokens> hypotheses;
  std::vector<std::vector<Tokens>> references(out.generated.size());
  for (const std::string& caption : out.generated) hypotheses.push_back(caption_metric_tokens(caption));
  for (std::size_t j = 0; j < split.captions.size(); ++j)
    references[j / kCaptionsPerImage].push_back(caption_metric_tokens(split.captions[j]));
  out.metrics = evaluate_captions(hypotheses, references);

  std::map<std::string, std::int64_t> uses;
  for (const std::string& caption : out.generated) ++uses[caption];
  out.distinct = static_cast<std::int64_t>(uses.size());
  const std::int64_t limit = decode ? decode->max_length : encoder.config().decoder.max_length;
  for (std::size_t i = 0; i < out.generated.size(); ++i) {
    out.own += uses[out.generated[i]] == 1;
    out.at_length_limit += static_cast<std::int64_t>(tokenize(out.generated[i]).size()) >= limit;
  }
  if (const auto scenes = scenes_from_captions(split.captions)) {
    out.shapes = ShapeStatementScore{};
    for (std::size_t i = 0; i < out.generated.size(); ++i)
      add_caption(*out.shapes, parse_shape_caption(out.generated[i]), (*scenes)[i]);
  }
  return out;
}

std::optional<ImaginedSplit> imagine_split(const Encoder& encoder, const EvaluationSplit& split, std::int64_t captions,
                                           std::int64_t count, std::uint64_t seed) {
  if (!scenes_from_captions(split.captions)) return std::nullopt;
  if (captions < 1) throw Error(ErrorCode::InvalidArgument, "imagine_split: captions must be at least 1");
  ImaginedSplit out;
  const std::int64_t images = split.images(), n = std::min(images, captions);
  for (std::int64_t q = 0; q < n; ++q) {
    const std::string& caption = split.captions[static_cast<std::size_t>(q * images / n * kCaptionsPerImage)];
    std::vector<Image> imagined = encoder.imagine(caption, count, seed + static_cast<std::uint64_t>(q));
    for (const Image& image : imagined) add_image(out.score, read_shape_cells(image), parse_shape_caption(caption));
    out.captions.push_back(caption);
    out.images.push_back(std::move(imagined));
  }
  return out;
}

}  // namespace gxn
