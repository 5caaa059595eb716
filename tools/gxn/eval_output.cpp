#include "eval_output.hpp"

#include <array>
#include <cstdio>
#include <string>

namespace gxn::cli {
namespace {

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// {"circle": {"circle": n, "square": n, ...}, ...}: kind_stated keyed by the scene's kind, then the stated one.
nlohmann::ordered_json kind_stated_json(const ShapeStatementScore& s) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (int scene = 0; scene < kShapeKinds; ++scene)
    for (int stated = 0; stated < kShapeKinds; ++stated)
      j[shape_kind_name(static_cast<ShapeKind>(scene))][shape_kind_name(static_cast<ShapeKind>(stated))] =
          s.kind_stated[scene][stated];
  return j;
}

// "circle 5% (17%), square ...": each kind's share of the kinds stated at a scene shape's place,
// and in brackets its share of those places' scene kinds.
std::string kind_shares(const ShapeStatementScore& s) {
  std::array<std::int64_t, kShapeKinds> stated{}, in_scene{};
  std::int64_t total = 0;
  for (int a = 0; a < kShapeKinds; ++a)
    for (int b = 0; b < kShapeKinds; ++b) {
      in_scene[a] += s.kind_stated[a][b];
      stated[b] += s.kind_stated[a][b];
      total += s.kind_stated[a][b];
    }
  std::string out;
  for (int k = 0; k < kShapeKinds; ++k) {
    char text[64];
    std::snprintf(text, sizeof text, "%s%s %.0f%% (%.0f%%)", k ? ", " : "", shape_kind_name(static_cast<ShapeKind>(k)),
                  100 * ShapeStatementScore::share(stated[k], total),
                  100 * ShapeStatementScore::share(in_scene[k], total));
    out += text;
  }
  return out;
}

// Beam search with `beam` beams, or (0) the model's greedy decoding.
std::optional<DecodeOptions> caption_decoding(const Encoder& encoder, std::int64_t beam) {
  if (beam == 0) return std::nullopt;
  return beam_decoding(encoder.config(), beam);
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

GenerationMeasures measure_generation(const Encoder& encoder, const EvaluationSplit& split, bool captions, bool imagine,
                                      std::int64_t beam) {
  GenerationMeasures g;
  g.references = static_cast<std::int64_t>(split.captions.size());
  g.beam = beam;
  if (captions && encoder.can_caption()) g.captions = caption_split(encoder, split, caption_decoding(encoder, beam));
  if (imagine && encoder.can_imagine()) g.imagined = imagine_split(encoder, split);
  return g;
}

nlohmann::ordered_json generation_json(const GenerationMeasures& g) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (g.captions) {
    const CaptionedSplit& c = *g.captions;
    auto captioning = caption_metrics_json(c.metrics);
    captioning["captions"] = c.generated.size();
    captioning["beam"] = g.beam;
    captioning["distinct"] = c.distinct;
    captioning["own"] = c.own;
    captioning["at_length_limit"] = c.at_length_limit;
    if (c.shapes)
      captioning["shapes"] = {{"precision", c.shapes->precision()},
                              {"recall", c.shapes->recall()},
                              {"f1", c.shapes->f1()},
                              {"stated", c.shapes->stated},
                              {"right", c.shapes->right},
                              {"present", c.shapes->present},
                              {"placed", c.shapes->placed},
                              {"colour_right_at_place", c.shapes->placed_share(c.shapes->colour_right)},
                              {"kind_right_at_place", c.shapes->placed_share(c.shapes->kind_right)},
                              {"kind_right_at_large", c.shapes->kind_share_large()},
                              {"kind_right_at_small", c.shapes->kind_share_small()},
                              {"size_right_at_place", c.shapes->placed_share(c.shapes->size_right)},
                              {"kind_stated", kind_stated_json(*c.shapes)}};
    j["captioning"] = captioning;
  }
  if (g.imagined) {
    const ImaginedSplit& i = *g.imagined;
    j["imagining"] = {{"captions", i.captions.size()},
                      {"images", i.captions.empty() ? 0 : i.captions.size() * i.images.front().size()},
                      {"colour_at_place", i.score.colour_at_place()},
                      {"background_elsewhere", i.score.background_elsewhere()},
                      {"named", i.score.named},
                      {"unnamed", i.score.unnamed}};
  }
  return j;
}

void print_generation(const GenerationMeasures& g) {
  if (g.captions) {
    const CaptionedSplit& c = *g.captions;
    const std::string decoding = g.beam > 0 ? "beam " + std::to_string(g.beam) : "greedy";
    std::printf("\ngenerated captions (%s) against the split's references:\n", decoding.c_str());
    print_caption_metrics_table(c.metrics, static_cast<std::int64_t>(c.generated.size()), g.references);
    std::printf("%lld distinct captions; %lld of %zu images have a caption of their own; %lld at the length limit\n",
                static_cast<long long>(c.distinct), static_cast<long long>(c.own), c.generated.size(),
                static_cast<long long>(c.at_length_limit));
    if (c.shapes)
      std::printf(
          "shapes the captions state: precision %.3f, recall %.3f, F1 %.3f (%lld right of %lld stated, %lld in the "
          "scenes)\n",
          c.shapes->precision(), c.shapes->recall(), c.shapes->f1(), static_cast<long long>(c.shapes->right),
          static_cast<long long>(c.shapes->stated), static_cast<long long>(c.shapes->present));
    if (c.shapes)
      std::printf(
          "of the %lld stated at a scene shape's place: colour right %.1f%%, kind %.1f%% (large shapes %.1f%%, small "
          "%.1f%%), size %.1f%%\n",
          static_cast<long long>(c.shapes->placed), 100 * c.shapes->placed_share(c.shapes->colour_right),
          100 * c.shapes->placed_share(c.shapes->kind_right), 100 * c.shapes->kind_share_large(),
          100 * c.shapes->kind_share_small(), 100 * c.shapes->placed_share(c.shapes->size_right));
    if (c.shapes)
      std::printf("kinds stated there (the scenes' kinds in brackets): %s\n", kind_shares(*c.shapes).c_str());
  }
  if (g.imagined) {
    const ImaginedSplit& i = *g.imagined;
    std::printf(
        "\nimagined images (%zu captions, %zu images each): the named colour at the named place %.1f%%, "
        "places not named left background %.1f%%\n",
        i.captions.size(), i.images.empty() ? std::size_t{0} : i.images.front().size(), 100 * i.score.colour_at_place(),
        100 * i.score.background_elsewhere());
  }
}

std::vector<std::pair<std::string, std::string>> generation_rows(const GenerationMeasures& g) {
  std::vector<std::pair<std::string, std::string>> rows;
  const auto number = [](const char* format, double value) {
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return std::string(text);
  };
  if (g.captions) {
    const CaptionedSplit& c = *g.captions;
    rows.push_back({"captions: decoding", g.beam > 0 ? "beam search, " + std::to_string(g.beam) + " beams" : "greedy"});
    rows.push_back({"captions: BLEU-4", number("%.3f", c.metrics.bleu4)});
    rows.push_back({"captions: CIDEr-D", number("%.3f", c.metrics.cider)});
    rows.push_back({"captions: images with a caption of their own",
                    std::to_string(c.own) + " of " + std::to_string(c.generated.size())});
    rows.push_back({"captions: at the length limit", std::to_string(c.at_length_limit)});
    if (c.shapes) {
      rows.push_back({"captions: shapes stated right (precision)", number("%.3f", c.shapes->precision())});
      rows.push_back({"captions: scene shapes stated (recall)", number("%.3f", c.shapes->recall())});
      rows.push_back({"captions: shapes F1", number("%.3f", c.shapes->f1())});
      rows.push_back({"captions: at a scene shape's place, colour / kind / size right",
                      number("%.0f%% / ", 100 * c.shapes->placed_share(c.shapes->colour_right)) +
                          number("%.0f%% / ", 100 * c.shapes->placed_share(c.shapes->kind_right)) +
                          number("%.0f%%", 100 * c.shapes->placed_share(c.shapes->size_right))});
      rows.push_back({"captions: kind right at a large / small shape's place",
                      number("%.0f%% / ", 100 * c.shapes->kind_share_large()) +
                          number("%.0f%%", 100 * c.shapes->kind_share_small())});
      rows.push_back({"captions: kinds stated at a shape's place (the scenes' kinds)", kind_shares(*c.shapes)});
    }
  }
  if (g.imagined) {
    rows.push_back(
        {"imagined: the named colour at the named place", number("%.1f%%", 100 * g.imagined->score.colour_at_place())});
    rows.push_back({"imagined: places not named left background",
                    number("%.1f%%", 100 * g.imagined->score.background_elsewhere())});
  }
  return rows;
}

RetrievalReport model_report(const Encoder& encoder, const EncodedSplit& encoded, const RetrievalMetrics& m,
                             const std::string& protocol, const std::string& model, const std::string& data,
                             const std::string& split, std::int64_t queries, const GenerationMeasures& generation) {
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
  report.generation = generation_rows(generation);
  if (generation.imagined)
    report.generation_note =
        "Imagined images are read cell by cell on the 3×3 grid: a named shape's cell must "
        "hold its colour, every other cell stay dark. Captions are read back into the shapes "
        "they state, against the scene's.";
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
      query.extra_texts.push_back(
          {"generated caption",
           encoder.caption_images(std::vector<Image>{query.image}, caption_decoding(encoder, generation.beam)).at(0)});
  return report;
}

}  // namespace gxn::cli
