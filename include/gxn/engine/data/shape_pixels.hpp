#pragma once
// Reading a 64x64 image the way the shapes data draws scenes: what judges an image imagined
// for a caption against the shapes the caption names. Each cell of the 3x3 grid either holds a
// shape (enough bright pixels: a palette colour stands out from the dark background) of the
// palette colour most of its bright pixels are nearest to, or is background.
#include <array>
#include <cstdint>
#include <vector>

#include "gxn/engine/data/shape_captions.hpp"
#include "gxn/engine/data/shapes.hpp"
#include "gxn/engine/io/image.hpp"

namespace gxn {

// A pixel is bright when a channel reaches this (the background stays below 80, every palette
// colour has a channel of 150 or more).
constexpr int kBrightChannel = 110;
// A cell holds a shape when this share of its pixels is bright (a small shape covers 11% or
// more of its cell; a large neighbour reaches into it by a pixel at most).
constexpr double kShapeCellShare = 0.05;

struct CellReading {
  bool shape = false;                     // enough bright pixels
  ShapeColour colour = ShapeColour::Red;  // the colour most bright pixels are nearest to
  double bright_share = 0;                // bright pixels / the cell's pixels
};

// The cells of a 64x64 image, row-major (cell 0 top left ... 8 bottom right).
// gxn::Error(InvalidArgument) for another size.
std::array<CellReading, kShapeCells> read_shape_cells(const Image& image);

// How well images show the shapes their captions name, over all images: a named shape's cell
// must hold its colour; a cell the caption does not name must stay background.
struct ImaginedScore {
  std::int64_t named = 0, named_right = 0;           // named shapes, and those in the right colour
  std::int64_t unnamed = 0, unnamed_background = 0;  // cells not named, and those left background
  double colour_at_place() const {
    return named > 0 ? static_cast<double>(named_right) / static_cast<double>(named) : 0.0;
  }
  double background_elsewhere() const {
    return unnamed > 0 ? static_cast<double>(unnamed_background) / static_cast<double>(unnamed) : 0.0;
  }
};

// Adds one image against the shapes its caption names (parse_shape_caption); a named shape
// without a place names no cell.
void add_image(ImaginedScore& score, const std::array<CellReading, kShapeCells>& cells,
               const std::vector<StatedShape>& named);

}  // namespace gxn
