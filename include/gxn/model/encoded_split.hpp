#pragma once
// A dataset split run through a model: its images and captions as embedding rows, ready for
// evaluate_embeddings (metrics.hpp) and for a report's example queries (gxn/report/split_queries.hpp).
//
//   gxn::Encoder encoder("model.gxn");
//   gxn::EncodedSplit test = gxn::encode_split(encoder, gxn::read_evaluation_split("shapes", "test"));
//   gxn::RetrievalMetrics m = gxn::evaluate_embeddings(test.images, test.texts, encoder.score_options(),
//                                                      gxn::EvalProtocol::All);
#include "gxn/engine/data/evaluation_split.hpp"
#include "gxn/engine/data/shape_captions.hpp"
#include "gxn/engine/data/shape_pixels.hpp"
#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/model/encoder.hpp"

namespace gxn {

struct EncodedSplit {
  EvaluationSplit data;
  Matrix images;  // N × 2D: row i is image i
  Matrix texts;   // 5N × 2D: row j is caption j (of image j / 5)
};

// Encodes every image (files or precomputed features, as the model takes them) and caption of
// `split`. A split of the other kind than the model takes is refused, naming both; a caption
// with no word is refused naming the split and its image.
EncodedSplit encode_split(const Encoder& encoder, EvaluationSplit split);

// The captions the model's decoder writes for every image of `split` (greedy unless `decode`
// says otherwise), and their BLEU-1..4 and CIDEr-D against the split's five captions per image
// (document frequencies over this split's references, as coco-caption does).
struct CaptionedSplit {
  std::vector<std::string> generated;  // one per image
  CaptionMetrics metrics;
  std::int64_t distinct = 0;         // different captions among them
  std::int64_t own = 0;              // images whose caption no other image got
  std::int64_t at_length_limit = 0;  // captions of the decoder's full length: cut short, or exactly that long
  // On shapes data (scenes_from_captions): the shapes the captions state against each scene's.
  std::optional<ShapeStatementScore> shapes;
};
CaptionedSplit caption_split(const Encoder& encoder, const EvaluationSplit& split,
                             const std::optional<DecodeOptions>& decode = std::nullopt);

// What the model imagines for a split of shapes data: `count` images (seeded) for the first
// caption of each of `captions` images spread over the split, read cell by cell against the
// shapes the caption names (shape_pixels.hpp). nullopt for other data; gxn::Error when the
// model has no generator.
struct ImaginedSplit {
  ImaginedScore score;
  std::vector<std::string> captions;       // the captions imagined for
  std::vector<std::vector<Image>> images;  // `count` per caption
};
std::optional<ImaginedSplit> imagine_split(const Encoder& encoder, const EvaluationSplit& split,
                                           std::int64_t captions = 100, std::int64_t count = 4, std::uint64_t seed = 1);

}  // namespace gxn
