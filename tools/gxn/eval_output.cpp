#include "eval_output.hpp"

#include <cstdio>

namespace gxn::cli {
namespace {

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

nlohmann::ordered_json metrics_json(const RetrievalMetrics& m, const std::string& protocol, std::int64_t images,
                                    std::int64_t captions) {
  auto j = nlohmann::ordered_json::parse(to_json(m));
  j["protocol"] = protocol;
  j["images"] = images;
  j["captions"] = captions;
  return j;
}

void print_metrics_table(const RetrievalMetrics& m, const std::string& protocol, std::int64_t images,
                         std::int64_t captions) {
  std::printf("%lld images, %lld captions, protocol %s\n", static_cast<long long>(images),
              static_cast<long long>(captions), protocol.c_str());
  print_metrics_table(m);
}

void print_metrics_table(const RetrievalMetrics& m) {
  std::printf("%-5s %7s %7s %7s %7s %7s\n", "", "R@1", "R@5", "R@10", "medr", "meanr");
  for (const auto& [name, s] : {std::pair{"i2t", m.i2t}, std::pair{"t2i", m.t2i}})
    std::printf("%-5s %7.2f %7.2f %7.2f %7.2f %7.2f\n", name, s.r1, s.r5, s.r10, s.medr, s.meanr);
  std::printf("%-5s %7.2f\n", "rsum", m.rsum);
}

nlohmann::ordered_json caption_metrics_json(const CaptionMetrics& m) {
  return nlohmann::ordered_json::parse(to_json(m));
}

void print_caption_metrics_table(const CaptionMetrics& m, std::int64_t hypotheses, std::int64_t references) {
  std::printf("%lld captions, %lld references\n", static_cast<long long>(hypotheses),
              static_cast<long long>(references));
  std::printf("%7s %7s %7s %7s %7s\n", "BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "CIDEr-D");
  std::printf("%7.4f %7.4f %7.4f %7.4f %7.4f\n", m.bleu1, m.bleu2, m.bleu3, m.bleu4, m.cider);
}

RetrievalReport model_report(const Encoder& encoder, const EncodedSplit& encoded, const RetrievalMetrics& m,
                             const std::string& protocol, const std::string& model, const std::string& data,
                             const std::string& split, std::int64_t queries) {
  RetrievalReport report;
  report.title = "gxn: " + model + " on " + data + " (" + split + ")";
  const ModelConfig& c = encoder.config();
  report.facts = {{"model", model},
                  {"backbone", to_string(c.image.backbone)},
                  {"common space", std::to_string(c.embed_dim) + " dimensions, λ = " + format_number(c.lambda)},
                  {"data", data + ", split " + split},
                  {"images", std::to_string(encoded.images.rows())},
                  {"captions", std::to_string(encoded.texts.rows())}};
  report.metrics = m;
  report.metrics_note = "Protocol " + protocol + " on the " + split + " split";
  add_split_queries(report, report_split(encoded.data, encoded.images, encoded.texts),
                    spread_indices(encoded.texts.rows(), queries), spread_indices(encoded.images.rows(), queries),
                    encoder.score_options(), 5);
  // What the generative paths imagine, beside what retrieval found.
  if (encoder.can_imagine())
    for (std::size_t q = 0; q < report.text_queries.size(); ++q) {
      auto& query = report.text_queries[q];
      for (Image& image : encoder.imagine(query.text, 4, q + 1))
        query.extra_images.push_back({"imagined", std::move(image)});
    }
  if (encoder.can_caption())
    for (auto& query : report.image_queries)
      query.extra_texts.push_back({"generated caption", encoder.caption_images(std::vector<Image>{query.image}).at(0)});
  return report;
}

}  // namespace gxn::cli
