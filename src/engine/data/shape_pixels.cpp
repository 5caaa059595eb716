#include "gxn/engine/data/shape_pixels.hpp"

#include <algorithm>

#include "shape_words.hpp"

namespace gxn {

std::array<CellReading, kShapeCells> read_shape_cells(const Image& image) {
  if (image.width != kShapeImageSize || image.height != kShapeImageSize)
    throw Error(ErrorCode::InvalidArgument, "read_shape_cells: a " + std::to_string(kShapeImageSize) + "x" +
                                                std::to_string(kShapeImageSize) + " image is needed, got " +
                                                std::to_string(image.width) + "x" + std::to_string(image.height));
  std::array<CellReading, kShapeCells> cells;
  for (int cell = 0; cell < kShapeCells; ++cell) {
    const int x0 = kShapeImageSize * (cell % 3) / 3, x1 = kShapeImageSize * (cell % 3 + 1) / 3;
    const int y0 = kShapeImageSize * (cell / 3) / 3, y1 = kShapeImageSize * (cell / 3 + 1) / 3;
    std::array<int, kShapeColours> votes{};
    int bright = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        const std::uint8_t* p = image.pixel(x, y);
        if (std::max({p[0], p[1], p[2]}) < kBrightChannel) continue;
        ++bright;
        int nearest = 0, best = -1;
        for (int c = 0; c < kShapeColours; ++c) {
          const auto& q = detail::kPalette[c];
          const int d = (p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]);
          if (best < 0 || d < best) best = d, nearest = c;
        }
        ++votes[static_cast<std::size_t>(nearest)];
      }
    CellReading& r = cells[static_cast<std::size_t>(cell)];
    r.bright_share = static_cast<double>(bright) / static_cast<double>((x1 - x0) * (y1 - y0));
    r.shape = r.bright_share >= kShapeCellShare;
    r.colour = static_cast<ShapeColour>(std::max_element(votes.begin(), votes.end()) - votes.begin());
  }
  return cells;
}

void add_image(ImaginedScore& score, const std::array<CellReading, kShapeCells>& cells,
               const std::vector<StatedShape>& named) {
  std::array<bool, kShapeCells> is_named{};
  for (const StatedShape& s : named) {
    if (!s.cell) continue;
    is_named[static_cast<std::size_t>(*s.cell)] = true;
    ++score.named;
    const CellReading& r = cells[static_cast<std::size_t>(*s.cell)];
    if (r.shape && s.colour && r.colour == *s.colour) ++score.named_right;
  }
  for (int cell = 0; cell < kShapeCells; ++cell) {
    if (is_named[static_cast<std::size_t>(cell)]) continue;
    ++score.unnamed;
    if (!cells[static_cast<std::size_t>(cell)].shape) ++score.unnamed_background;
  }
}

}  // namespace gxn
