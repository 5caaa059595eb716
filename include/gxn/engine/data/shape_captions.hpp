#pragma once
// Reading a shapes caption back into the shapes it states: what judges a generated caption
// against the scene it was written for. The shapes data's words and sentence templates are
// gxn's own (shapes.hpp), so every reference caption parses exactly to its scene's shapes; a
// generated caption parses as far as it follows them.
//
// A caption is cut into one clause per shape: at ",", ";" or "and" when the next word starts a
// new shape ("a"/"an", "the", "in"/"at"/"on", or a place label before ":"), never inside
// "large and red". A clause with a kind word states a shape; its colour, size and place are the
// colour, size and place words of the same clause (the longest place phrase wins). A stated
// shape with a missing or doubled attribute, or a clause with two kind words, can match
// nothing in the scene.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gxn/engine/data/shapes.hpp"

namespace gxn {

// One shape as a caption states it; an attribute the caption leaves out (or gives twice) is
// nullopt.
struct StatedShape {
  std::optional<int> cell;
  std::optional<ShapeKind> kind;
  std::optional<ShapeColour> colour;
  std::optional<ShapeSize> size;

  bool complete() const { return cell && kind && colour && size; }
  bool operator==(const StatedShape& o) const {
    return cell == o.cell && kind == o.kind && colour == o.colour && size == o.size;
  }
};

// The shapes `caption` states, in the order it states them.
std::vector<StatedShape> parse_shape_caption(const std::string& caption);

// The scene's shapes as its captions state them.
std::vector<StatedShape> stated_shapes(const ShapeScene& scene);

// How well captions state their scenes' shapes, counted over all captions: a stated shape is
// right when a shape of its scene has all four of its attributes (each scene shape matched at
// most once).
struct ShapeStatementScore {
  std::int64_t stated = 0;   // shapes the captions state
  std::int64_t right = 0;    // of them, matching a scene shape
  std::int64_t present = 0;  // shapes in the scenes
  // Attribute by attribute, over the stated shapes whose place holds a scene shape: what a
  // caption gets right when not all four are (which attribute the model has not learnt).
  std::int64_t placed = 0;
  std::int64_t colour_right = 0, kind_right = 0, size_right = 0;
  // The kind again, over those whose scene shape is large: a small shape is a few pixels wide
  // at a small model's input, so the two sizes tell resolution from learning apart.
  std::int64_t placed_large = 0, kind_right_large = 0;
  // kind_stated[scene kind][stated kind], over the placed shapes whose kind is stated: which
  // kinds the captions fall back on when they miss.
  std::array<std::array<std::int64_t, kShapeKinds>, kShapeKinds> kind_stated{};
  double precision() const { return share(right, stated); }
  double recall() const { return share(right, present); }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
  double placed_share(std::int64_t right_count) const { return share(right_count, placed); }
  double kind_share_large() const { return share(kind_right_large, placed_large); }
  double kind_share_small() const { return share(kind_right - kind_right_large, placed - placed_large); }
  static double share(std::int64_t count, std::int64_t of) {
    return of > 0 ? static_cast<double>(count) / static_cast<double>(of) : 0.0;
  }
};

// Adds one caption against the shapes of its scene (as stated_shapes or a parsed reference
// caption gives them).
void add_caption(ShapeStatementScore& score, const std::vector<StatedShape>& caption_shapes,
                 const std::vector<StatedShape>& scene_shapes);

// The scene one image's reference captions describe: its shapes in cell order, when every
// caption states only complete shapes and they all agree (as the shapes data's always do);
// nullopt otherwise (other data).
std::optional<std::vector<StatedShape>> scene_from_references(const std::vector<std::string>& references);

// The same for a split's captions, kCaptionsPerImage per image in order (as EvaluationSplit
// holds them): nullopt unless every image's captions give its scene.
std::optional<std::vector<std::vector<StatedShape>>> scenes_from_captions(const std::vector<std::string>& captions);

}  // namespace gxn
