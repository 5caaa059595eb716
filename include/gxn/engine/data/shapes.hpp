#pragma once
// Synthetic shapes: gxn's built-in dataset. A scene is one to three coloured shapes on a 3x3
// grid over a dark, gently shaded background, rendered at 64x64 with 4x4 supersampling (all in
// integer arithmetic, so the pixels are identical on every machine), and described by captions
// that name every shape's size, colour, kind and position in varied words and orders.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/io/image.hpp"

namespace gxn {

enum class ShapeKind : std::uint8_t { Circle, Square, Triangle, Star, Cross, Diamond };
enum class ShapeColour : std::uint8_t { Red, Green, Blue, Yellow, Purple, Orange, White };
enum class ShapeSize : std::uint8_t { Small, Large };

constexpr int kShapeKinds = 6;
constexpr int kShapeColours = 7;
constexpr int kShapeCells = 9;       // a 3x3 grid, row-major: 0 top left ... 4 centre ... 8 bottom right
constexpr int kShapeImageSize = 64;  // pixels per side
constexpr int kShapeCaptions = 5;    // captions per scene in the dataset

struct Shape {
  ShapeKind kind = ShapeKind::Circle;
  ShapeColour colour = ShapeColour::Red;
  ShapeSize size = ShapeSize::Small;
  int cell = 0;
  // Rendering variety the captions do not mention, in 1/8 pixel: offset from the cell centre
  // (|dx|, |dy| <= 4) and radius (small 32..40, large 60..66); a shade offset per channel.
  int dx = 0;
  int dy = 0;
  int radius = 36;
  std::array<int, 3> shade{0, 0, 0};  // each in [-12, 12]
};

struct ShapeScene {
  std::vector<Shape> shapes;             // 1..3 shapes, in distinct cells
  std::array<std::uint8_t, 3> top{};     // background colour at the top row
  std::array<std::uint8_t, 3> bottom{};  // ... and at the bottom row (linear in between)

  // What the captions say: the shapes' (cell, kind, colour, size), order-independent. Two
  // scenes with the same key cannot be told apart by their captions.
  std::uint64_t key() const;
};

const char* shape_kind_name(ShapeKind kind);        // "circle", ...
const char* shape_colour_name(ShapeColour colour);  // "red", ...
const char* shape_size_name(ShapeSize size);        // "small", "large"
const char* shape_cell_name(int cell);              // "top-left", "top", ..., "bottom-right"

// A random scene; the same seed gives the same scene. One shape with probability 1/5, two or
// three with 2/5 each.
ShapeScene random_shape_scene(std::uint64_t seed);

// The scene as a 64x64 RGB image. Throws gxn::Error(InvalidArgument) on a malformed scene
// (no shapes or more than 3, a cell out of range or used twice, offsets or radius out of range).
Image render_shape_scene(const ShapeScene& scene);

// `count` (1..8) captions of the scene, each from a different sentence template, with
// synonyms and shape orders drawn from `seed`:
//   "A large red circle in the top left and a small blue square at the bottom middle."
//   "top-left: red disc, big; bottom: blue square, tiny"
std::vector<std::string> describe_shape_scene(const ShapeScene& scene, std::uint64_t seed, int count = kShapeCaptions);

}  // namespace gxn
