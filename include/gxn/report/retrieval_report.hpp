#pragma once
// A retrieval report: one HTML page a person reads to see what a model does. It holds a title,
// a few facts (model, data), the metrics table, and example queries in both directions:
//   text → image: the query caption, a contact sheet of its top images (the right one framed
//                 in green, see contact_sheet.hpp) and their names and scores;
//   image → text: the query image and its top captions, the right ones marked, with scores.
// Each query can carry extra labelled images and texts shown beside it, so later paths can add
// what they make (an image imagined from the query caption, a caption generated for the query
// image) without changing the layout.
//
// Files: the page at `html_path` and its PNGs in the folder "<stem>_files" beside it (for
// report.html: report_files/), referenced by relative links, so the two move together.
// Every PNG is written atomically and the page last, also atomically; PNGs of an earlier,
// longer report that the new page no longer uses are removed (only names this writer makes).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gxn/engine/io/image.hpp"
#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/report/contact_sheet.hpp"

namespace gxn {

struct ReportImage {  // a retrieved image
  std::string name;   // shown under its thumbnail (e.g. its file name)
  Image image;
  double score = 0;
  bool relevant = false;  // a right answer: framed in the marking colour
};

struct ReportCaption {  // a retrieved caption
  std::string text;
  double score = 0;
  bool relevant = false;  // a right answer: marked ✓
};

// Material a query shows beside its results, each with a label ("imagined", "generated").
struct LabelledImage {
  std::string label;
  Image image;
};
struct LabelledText {
  std::string label;
  std::string text;
};

struct TextQueryResult {
  std::string text;                 // the query caption
  std::vector<ReportImage> images;  // best first
  // The 1-based rank of the right image among all candidates, shown when it is not among
  // `images`; 0 = not known.
  std::int64_t right_rank = 0;
  std::vector<LabelledImage> extra_images;
  std::vector<LabelledText> extra_texts;
};

struct ImageQueryResult {
  std::string name;  // the query image's name
  Image image;
  std::vector<ReportCaption> captions;  // best first
  std::int64_t right_rank = 0;          // as TextQueryResult's, for the first right caption
  std::vector<LabelledImage> extra_images;
  std::vector<LabelledText> extra_texts;
};

struct RetrievalReport {
  std::string title = "gxn retrieval report";
  std::vector<std::pair<std::string, std::string>> facts;  // (name, value) lines under the title
  std::optional<RetrievalMetrics> metrics;                 // the table, when given
  std::string metrics_note;                                // e.g. "test split: 300 images, 1500 captions"
  // What the generative paths produce, measured: (measure, value) rows of a table of their own
  // under the retrieval metrics, e.g. ("captions: CIDEr-D", "1.72"); none: no table.
  std::vector<std::pair<std::string, std::string>> generation;
  std::string generation_note;
  std::vector<TextQueryResult> text_queries;
  std::vector<ImageQueryResult> image_queries;
};

struct ReportOptions {
  ContactSheetOptions sheet;  // the result strips of text queries
  int query_image = 128;      // the side query and extra images are fitted into, 1..4096
};

// Writes the page and its images (see the top of this file). Throws gxn::Error naming the
// file at fault: InvalidArgument for a malformed image or bad options, Io when writing fails.
void write_retrieval_report(const std::string& html_path, const RetrievalReport& report,
                            const ReportOptions& options = {});

}  // namespace gxn
