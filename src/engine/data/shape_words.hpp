#pragma once
// Private to gxn::engine: the words the shapes data's captions use for each kind, colour, size
// and place, shared by the captions' writer (shapes.cpp) and their reader (shape_captions.cpp),
// and the palette its shapes are drawn in (shapes.cpp, shape_pixels.cpp).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/data/shapes.hpp"

namespace gxn::detail {

// Each ShapeColour's RGB (shapes vary it by up to 12 per channel).
constexpr std::array<std::uint8_t, 3> kPalette[kShapeColours] = {
    {220, 40, 40}, {40, 180, 60}, {50, 90, 230}, {240, 220, 40}, {150, 70, 200}, {245, 140, 30}, {240, 240, 240}};

using Words = std::vector<std::string>;

inline const Words kKindWords[kShapeKinds] = {{"circle", "disc"}, {"square", "block"},    {"triangle"},
                                              {"star"},           {"cross", "plus sign"}, {"diamond", "rhombus"}};
inline const Words kColourWords[kShapeColours] = {{"red"},    {"green"}, {"blue"}, {"yellow"}, {"purple", "violet"},
                                                  {"orange"}, {"white"}};
inline const Words kSizeWords[2] = {{"small", "little", "tiny"}, {"large", "big"}};

// Places are chosen so that no cell's phrase appears inside another cell's.
struct CellWords {
  Words places;
  Words prepositions;
  const char* label;
};
inline const CellWords kCellWords[kShapeCells] = {
    {{"the top left", "the upper left", "the top left corner", "the upper left corner"}, {"in", "at"}, "top-left"},
    {{"the top middle", "the top center", "the upper middle", "the top edge"}, {"at"}, "top"},
    {{"the top right", "the upper right", "the top right corner", "the upper right corner"}, {"in", "at"}, "top-right"},
    {{"the left side", "the left edge", "the far left"}, {"on", "at"}, "left"},
    {{"the center", "the middle", "the centre"}, {"in", "at"}, "center"},
    {{"the right side", "the right edge", "the far right"}, {"on", "at"}, "right"},
    {{"the bottom left", "the lower left", "the bottom left corner", "the lower left corner"},
     {"in", "at"},
     "bottom-left"},
    {{"the bottom middle", "the bottom center", "the lower middle", "the bottom edge"}, {"at"}, "bottom"},
    {{"the bottom right", "the lower right", "the bottom right corner", "the lower right corner"},
     {"in", "at"},
     "bottom-right"},
};

}  // namespace gxn::detail
