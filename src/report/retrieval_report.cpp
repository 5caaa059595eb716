#include "gxn/report/retrieval_report.hpp"

#include "html_escape.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/text/tokenizer.hpp"

namespace gxn {
namespace {

namespace fs = std::filesystem;

// The page's look: readable on a laptop screen, printable, no external resources.
constexpr const char* kStyle = R"CSS(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; color: #1f2328; background: #fff; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.1em 1em; color: #57606a; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table.metrics { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.metrics th, table.metrics td { padding: 0.3em 0.9em; text-align: right; border-bottom: 1px solid #d0d7de; }
table.metrics th:first-child, table.metrics td:first-child { text-align: left; }
table.metrics tr.rsum td { font-weight: 600; border-bottom: none; }
p.note { color: #57606a; font-size: 0.9em; }
section.query { margin: 1.5em 0; padding-bottom: 1em; border-bottom: 1px dashed #d0d7de; }
p.query-text { font-size: 1.1em; margin: 0 0 0.4em 0; }
p.query-text q { font-weight: 600; }
p.query-text .file { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 0.9em; }
img { image-rendering: pixelated; display: block; }
img.query-image { border: 1px solid #d0d7de; }
.labels { display: flex; font-size: 0.8em; color: #57606a; }
.labels div { min-width: 0; }
.labels .name { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.labels .right, .labels .right .score { color: #16a34a; }
.labels .right .score { font-weight: 600; }
.labels .score { margin-left: 0; }
.image-query { display: flex; gap: 1.5em; align-items: flex-start; }
.image-query figure { margin: 0; }
figure figcaption { font-size: 0.8em; color: #57606a; overflow-wrap: anywhere; margin-top: 0.3em; }
ol.captions { margin: 0; padding-left: 1.6em; }
ol.captions li { margin: 0.15em 0; }
ol.captions li.right { color: #16a34a; font-weight: 600; }
.score { color: #8c959f; font-variant-numeric: tabular-nums; font-size: 0.85em; margin-left: 0.5em; }
.extras { display: flex; gap: 1em; margin-top: 0.6em; flex-wrap: wrap; }
.extra-text { font-size: 0.95em; margin: 0.4em 0 0 0; }
.extra-text .label { color: #57606a; }
.legend { color: #57606a; font-size: 0.9em; }
p.rank-note { color: #57606a; font-size: 0.85em; margin: 0.3em 0 0 0; }
.legend .right { color: #16a34a; font-weight: 600; }
)CSS";

std::string format(const char* fmt, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, fmt, value);
  return buffer;
}

// A relative link: every byte outside the unreserved set (and '/') percent-encoded.
std::string url_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (alnum || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Writes the report's PNGs into one folder and remembers their names.
class AssetWriter {
 public:
  AssetWriter(fs::path folder, std::string link_prefix) : folder_(std::move(folder)), prefix_(std::move(link_prefix)) {}

  // Writes `image` as `name` and returns the <img> link to it.
  std::string write(const std::string& name, const Image& image) {
    if (!created_) {
      std::error_code ec;
      fs::create_directories(folder_, ec);
      if (ec || !fs::is_directory(folder_))
        throw Error(ErrorCode::Io,
                    folder_.string() + ": cannot create the report's image folder (" + ec.message() + ")");
      created_ = true;
    }
    write_png((folder_ / name).string(), image);
    written_.insert(name);
    return url_path(prefix_ + "/" + name);
  }

  // Removes PNGs this writer names ("text_…" / "image_…") that the new page does not use.
  void remove_stale() const {
    std::error_code ec;
    if (!fs::is_directory(folder_, ec)) return;
    for (const auto& entry : fs::directory_iterator(folder_, ec)) {
      const std::string name = entry.path().filename().string();
      const bool ours =
          (name.rfind("text_", 0) == 0 || name.rfind("image_", 0) == 0) && entry.path().extension() == ".png";
      if (ours && entry.is_regular_file(ec) && !written_.count(name)) fs::remove(entry.path(), ec);
    }
  }

 private:
  fs::path folder_;
  std::string prefix_;
  std::set<std::string> written_;
  bool created_ = false;
};

// Runs `write`, naming the query in any error it throws.
template <typename Write>
void for_query(const char* kind, std::size_t index, Write&& write) {
  try {
    write();
  } catch (const Error& e) {
    throw Error(e.code(), std::string(kind) + " query " + std::to_string(index + 1) + ": " + e.what());
  }
}

// "text_001": the stem of query 1's files (stem.png, stem_extra_1.png, ...).
std::string query_stem(const char* kind, std::size_t index) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s_%03zu", kind, index + 1);
  return buffer;
}

// "The right image is ranked 12th of 300." when the right answer is not among those shown.
void write_right_rank(std::ostringstream& html, std::int64_t rank, std::size_t shown, const char* what) {
  if (rank <= static_cast<std::int64_t>(shown)) return;
  const std::int64_t last2 = rank % 100;
  const char* suffix = (last2 >= 11 && last2 <= 13) ? "th"
                       : rank % 10 == 1             ? "st"
                       : rank % 10 == 2             ? "nd"
                       : rank % 10 == 3             ? "rd"
                                                    : "th";
  html << "<p class=\"rank-note\">The right " << what << " is ranked " << rank << suffix << ".</p>\n";
}

void write_metrics(std::ostringstream& html, const RetrievalReport& report) {
  if (!report.metrics) return;
  const RetrievalMetrics& m = *report.metrics;
  html << "<h2>Metrics</h2>\n<table class=\"metrics\">\n"
       << "<tr><th></th><th>R@1</th><th>R@5</th><th>R@10</th><th>medr</th><th>meanr</th></tr>\n";
  for (const auto& [name, s] : {std::pair{"image → text", m.i2t}, std::pair{"text → image", m.t2i}})
    html << "<tr><td>" << name << "</td><td>" << format("%.1f", s.r1) << "</td><td>" << format("%.1f", s.r5)
         << "</td><td>" << format("%.1f", s.r10) << "</td><td>" << format("%.1f", s.medr) << "</td><td>"
         << format("%.1f", s.meanr) << "</td></tr>\n";
  html << "<tr class=\"rsum\"><td>rsum</td><td colspan=\"5\">" << format("%.1f", m.rsum) << "</td></tr>\n</table>\n";
  html << "<p class=\"note\">R@K: percent of queries whose right answer is among the top K; medr, meanr: median "
          "and mean rank of the first right answer (1 is best)";
  if (!report.metrics_note.empty()) html << ". " << html_escape(report.metrics_note);
  html << ".</p>\n";
}

void write_generation(std::ostringstream& html, const RetrievalReport& report) {
  if (report.generation.empty()) return;
  html << "<h2>What the model imagines</h2>\n<table class=\"metrics\">\n";
  for (const auto& [name, value] : report.generation)
    html << "<tr><td>" << html_escape(name) << "</td><td>" << html_escape(value) << "</td></tr>\n";
  html << "</table>\n";
  if (!report.generation_note.empty()) html << "<p class=\"note\">" << html_escape(report.generation_note) << "</p>\n";
}

void write_extras(std::ostringstream& html, AssetWriter& assets, const std::string& stem,
                  const std::vector<LabelledImage>& images, const std::vector<LabelledText>& texts, int side) {
  for (const LabelledText& t : texts)
    html << "<p class=\"extra-text\"><span class=\"label\">" << html_escape(t.label) << ":</span> "
         << html_escape(t.text) << "</p>\n";
  if (images.empty()) return;
  html << "<div class=\"extras\">\n";
  for (std::size_t i = 0; i < images.size(); ++i) {
    const Image thumb = scale_to_fit(images[i].image, side, side);
    const std::string link = assets.write(stem + "_extra_" + std::to_string(i + 1) + ".png", thumb);
    html << "<figure><img src=\"" << link << "\" width=\"" << thumb.width << "\" height=\"" << thumb.height
         << "\" alt=\"" << html_escape(images[i].label) << "\"><figcaption>" << html_escape(images[i].label)
         << "</figcaption></figure>\n";
  }
  html << "</div>\n";
}

void write_text_queries(std::ostringstream& html, AssetWriter& assets, const RetrievalReport& report,
                        const ReportOptions& options) {
  if (report.text_queries.empty()) return;
  const ContactSheetOptions& sheet = options.sheet;
  html << "<h2>Text → image</h2>\n<p class=\"legend\">Each caption's best images, best first; the image it "
          "describes is framed in <span class=\"right\">green</span>.</p>\n";
  for (std::size_t q = 0; q < report.text_queries.size(); ++q)
    for_query("text", q, [&] {
      const TextQueryResult& query = report.text_queries[q];
      html << "<section class=\"query\">\n<p class=\"query-text\">" << q + 1 << ". <q>" << html_escape(query.text)
           << "</q></p>\n";
      if (!query.images.empty()) {
        std::vector<SheetTile> tiles;
        for (const ReportImage& r : query.images) tiles.push_back({&r.image, r.relevant});
        const Image strip = compose_contact_sheet(tiles, sheet);
        const std::string link = assets.write(query_stem("text", q) + ".png", strip);
        html << "<img src=\"" << link << "\" width=\"" << strip.width << "\" height=\"" << strip.height
             << "\" alt=\"the best images for query " << q + 1 << "\">\n";
        // Names under their tiles: one cell per tile, at the sheet's pitch.
        const TileRect first = contact_sheet_tile(0, sheet);
        html << "<div class=\"labels\" style=\"padding-left:" << first.x << "px\">\n";
        for (const ReportImage& r : query.images)
          html << "<div" << (r.relevant ? " class=\"right\"" : "") << " style=\"width:" << first.side
               << "px;margin-right:" << sheet.gap << "px\"><span class=\"name\" title=\"" << html_escape(r.name)
               << "\">" << html_escape(r.name) << "</span><span class=\"score\">" << format("%.4f", r.score)
               << (r.relevant ? " ✓" : "") << "</span></div>\n";
        html << "</div>\n";
      }
      write_right_rank(html, query.right_rank, query.images.size(), "image");
      write_extras(html, assets, query_stem("text", q), query.extra_images, query.extra_texts, options.query_image);
      html << "</section>\n";
    });
}

void write_image_queries(std::ostringstream& html, AssetWriter& assets, const RetrievalReport& report,
                         const ReportOptions& options) {
  if (report.image_queries.empty()) return;
  html << "<h2>Image → text</h2>\n<p class=\"legend\">Each image's best captions, best first; captions written "
          "for it are marked <span class=\"right\">✓</span>.</p>\n";
  for (std::size_t q = 0; q < report.image_queries.size(); ++q)
    for_query("image", q, [&] {
      const ImageQueryResult& query = report.image_queries[q];
      const Image thumb = scale_to_fit(query.image, options.query_image, options.query_image);
      const std::string link = assets.write(query_stem("image", q) + ".png", thumb);
      html << "<section class=\"query\">\n<p class=\"query-text\">" << q + 1 << ". <span class=\"file\">"
           << html_escape(query.name) << "</span></p>\n<div class=\"image-query\">\n<img class=\"query-image\" src=\""
           << link << "\" width=\"" << thumb.width << "\" height=\"" << thumb.height << "\" alt=\""
           << html_escape(query.name) << "\">\n<div>\n<ol class=\"captions\">\n";
      for (const ReportCaption& c : query.captions)
        html << "<li" << (c.relevant ? " class=\"right\"" : "") << ">" << html_escape(c.text)
             << (c.relevant ? " ✓" : "") << "<span class=\"score\">" << format("%.4f", c.score) << "</span></li>\n";
      html << "</ol>\n";
      write_right_rank(html, query.right_rank, query.captions.size(), "caption");
      write_extras(html, assets, query_stem("image", q), query.extra_images, query.extra_texts, options.query_image);
      html << "</div>\n</div>\n</section>\n";
    });
}

}  // namespace

void write_retrieval_report(const std::string& html_path, const RetrievalReport& report, const ReportOptions& options) {
  if (options.query_image < 1 || options.query_image > 4096)
    throw Error(ErrorCode::InvalidArgument,
                "report: query_image must be in [1, 4096], got " + std::to_string(options.query_image));
  const fs::path page(html_path);
  if (page.filename().empty()) throw Error(ErrorCode::InvalidArgument, html_path + ": not a file name");
  const std::string folder_name = page.stem().string() + "_files";
  AssetWriter assets(page.parent_path() / folder_name, folder_name);

  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
       << html_escape(report.title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>"
       << html_escape(report.title) << "</h1>\n";
  if (!report.facts.empty()) {
    html << "<dl class=\"facts\">\n";
    for (const auto& [name, value] : report.facts)
      html << "<dt>" << html_escape(name) << "</dt><dd>" << html_escape(value) << "</dd>\n";
    html << "</dl>\n";
  }
  write_metrics(html, report);
  write_generation(html, report);
  write_text_queries(html, assets, report, options);
  write_image_queries(html, assets, report, options);
  html << "</body>\n</html>\n";

  write_file_atomically(html_path, html.str());
  assets.remove_stale();
}

}  // namespace gxn
