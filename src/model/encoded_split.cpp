#include "gxn/model/encoded_split.hpp"

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
  return out;
}

}  // namespace gxn
