#include "gxn/engine/data/shape_captions.hpp"

#include <algorithm>

#include "gxn/engine/data/captions_per_image.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "shape_words.hpp"

namespace gxn {
namespace {

using Tokens = std::vector<std::string>;

// A phrase of the shapes vocabulary, as tokens, and what it names.
struct Phrase {
  Tokens tokens;
  enum class Names { Kind, Colour, Size, Place, Label } names;
  int value;  // the kind, colour, size or cell
};

// Every phrase the captions use, longest first so that "the top left corner" wins over "the top
// left" and "plus sign" is one phrase.
const std::vector<Phrase>& phrases() {
  static const std::vector<Phrase> all = [] {
    std::vector<Phrase> out;
    const auto add = [&](const std::string& words, Phrase::Names names, int value) {
      out.push_back({tokenize(words), names, value});
    };
    for (int k = 0; k < kShapeKinds; ++k)
      for (const auto& w : detail::kKindWords[k]) add(w, Phrase::Names::Kind, k);
    for (int c = 0; c < kShapeColours; ++c)
      for (const auto& w : detail::kColourWords[c]) add(w, Phrase::Names::Colour, c);
    for (int s = 0; s < 2; ++s)
      for (const auto& w : detail::kSizeWords[s]) add(w, Phrase::Names::Size, s);
    for (int cell = 0; cell < kShapeCells; ++cell) {
      for (const auto& w : detail::kCellWords[cell].places) add(w, Phrase::Names::Place, cell);
      add(detail::kCellWords[cell].label, Phrase::Names::Label, cell);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Phrase& a, const Phrase& b) { return a.tokens.size() > b.tokens.size(); });
    return out;
  }();
  return all;
}

bool matches_at(const Tokens& tokens, std::size_t at, const Tokens& phrase) {
  if (at + phrase.size() > tokens.size()) return false;
  return std::equal(phrase.begin(), phrase.end(), tokens.begin() + static_cast<std::ptrdiff_t>(at));
}

bool is_separator(const std::string& t) { return t == "," || t == ";" || t == "and"; }

// Whether the tokens from `at` start a new shape's clause.
bool starts_clause(const Tokens& tokens, std::size_t at) {
  if (at >= tokens.size()) return false;
  const std::string& t = tokens[at];
  if (t == "a" || t == "an" || t == "the" || t == "in" || t == "at" || t == "on") return true;
  // A place label before ":" ("top-left : red disc , big").
  return at + 1 < tokens.size() && tokens[at + 1] == ":" &&
         std::any_of(std::begin(detail::kCellWords), std::end(detail::kCellWords),
                     [&](const detail::CellWords& c) { return t == c.label; });
}

// The attributes one clause states.
StatedShape read_clause(const Tokens& tokens, std::size_t begin, std::size_t end, int* kinds) {
  StatedShape shape;
  bool doubled[4] = {false, false, false, false};  // cell, kind, colour, size given twice
  const auto set = [](auto& field, int value, bool& twice) {
    using T = typename std::decay_t<decltype(field)>::value_type;
    if (field && *field != static_cast<T>(value)) twice = true;
    field = static_cast<T>(value);
  };
  *kinds = 0;
  for (std::size_t i = begin; i < end;) {
    const Phrase* found = nullptr;
    for (const Phrase& p : phrases())
      if (matches_at(tokens, i, p.tokens) && i + p.tokens.size() <= end) {
        // A label names a place only before ":" (a bare "top" or "left" is no place).
        if (p.names == Phrase::Names::Label && (i + 1 >= end || tokens[i + 1] != ":")) continue;
        found = &p;
        break;
      }
    if (!found) {
      ++i;
      continue;
    }
    switch (found->names) {
      case Phrase::Names::Place:
      case Phrase::Names::Label: set(shape.cell, found->value, doubled[0]); break;
      case Phrase::Names::Kind:
        set(shape.kind, found->value, doubled[1]);
        ++*kinds;
        break;
      case Phrase::Names::Colour: set(shape.colour, found->value, doubled[2]); break;
      case Phrase::Names::Size: set(shape.size, found->value, doubled[3]); break;
    }
    i += found->tokens.size();
  }
  if (doubled[0]) shape.cell.reset();
  if (doubled[1]) shape.kind.reset();
  if (doubled[2]) shape.colour.reset();
  if (doubled[3]) shape.size.reset();
  return shape;
}

}  // namespace

std::vector<StatedShape> parse_shape_caption(const std::string& caption) {
  const Tokens tokens = tokenize(caption);
  std::vector<StatedShape> shapes;
  std::size_t begin = 0;
  const auto close = [&](std::size_t end) {
    int kinds = 0;
    StatedShape shape = read_clause(tokens, begin, end, &kinds);
    if (kinds == 1) shapes.push_back(shape);
    if (kinds > 1) shapes.push_back(StatedShape{});  // two shapes run together: matches nothing
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (!is_separator(tokens[i])) continue;
    std::size_t next = i + 1;
    while (next < tokens.size() && is_separator(tokens[next])) ++next;
    if (!starts_clause(tokens, next)) continue;
    close(i);
    begin = next;
    i = next - 1;
  }
  close(tokens.size());
  return shapes;
}

std::vector<StatedShape> stated_shapes(const ShapeScene& scene) {
  std::vector<StatedShape> out;
  for (const Shape& s : scene.shapes) out.push_back({s.cell, s.kind, s.colour, s.size});
  return out;
}

void add_caption(ShapeStatementScore& score, const std::vector<StatedShape>& caption_shapes,
                 const std::vector<StatedShape>& scene_shapes) {
  std::vector<bool> used(scene_shapes.size(), false);
  score.stated += static_cast<std::int64_t>(caption_shapes.size());
  score.present += static_cast<std::int64_t>(scene_shapes.size());
  for (const StatedShape& stated : caption_shapes) {
    const auto at_place = std::find_if(scene_shapes.begin(), scene_shapes.end(),
                                       [&](const StatedShape& s) { return stated.cell && s.cell == stated.cell; });
    if (at_place != scene_shapes.end()) {
      ++score.placed;
      score.colour_right += stated.colour && stated.colour == at_place->colour;
      score.kind_right += stated.kind && stated.kind == at_place->kind;
      score.size_right += stated.size && stated.size == at_place->size;
      if (stated.kind && at_place->kind)
        ++score.kind_stated[static_cast<int>(*at_place->kind)][static_cast<int>(*stated.kind)];
      if (at_place->size == ShapeSize::Large) {
        ++score.placed_large;
        score.kind_right_large += stated.kind && stated.kind == at_place->kind;
      }
    }
    if (!stated.complete()) continue;
    for (std::size_t i = 0; i < scene_shapes.size(); ++i)
      if (!used[i] && scene_shapes[i] == stated) {
        used[i] = true;
        ++score.right;
        break;
      }
  }
}

std::optional<std::vector<StatedShape>> scene_from_references(const std::vector<std::string>& references) {
  const auto in_cell_order = [](std::vector<StatedShape> shapes) {
    std::sort(shapes.begin(), shapes.end(),
              [](const StatedShape& a, const StatedShape& b) { return *a.cell < *b.cell; });
    return shapes;
  };
  if (references.empty()) return std::nullopt;
  std::vector<StatedShape> scene;
  for (std::size_t j = 0; j < references.size(); ++j) {
    const std::vector<StatedShape> shapes = parse_shape_caption(references[j]);
    if (shapes.empty() || !std::all_of(shapes.begin(), shapes.end(), [](const StatedShape& s) { return s.complete(); }))
      return std::nullopt;
    if (j == 0)
      scene = in_cell_order(shapes);
    else if (in_cell_order(shapes) != scene)
      return std::nullopt;
  }
  return scene;
}

std::optional<std::vector<std::vector<StatedShape>>> scenes_from_captions(const std::vector<std::string>& captions) {
  if (captions.empty() || captions.size() % kCaptionsPerImage != 0) return std::nullopt;
  std::vector<std::vector<StatedShape>> scenes;
  for (auto first = captions.begin(); first != captions.end(); first += kCaptionsPerImage) {
    auto scene = scene_from_references({first, first + kCaptionsPerImage});
    if (!scene) return std::nullopt;
    scenes.push_back(std::move(*scene));
  }
  return scenes;
}

}  // namespace gxn
