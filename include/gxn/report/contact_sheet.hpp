#pragma once
// A contact sheet: images side by side in one strip, each in a frame, the frames of the
// "right" ones (e.g. the image a query caption describes) drawn in a marking colour. What a
// retrieval report shows for a query: its top-k images at a glance.
//
// Layout (pixels): a `gap` margin all round; tiles of (thumbnail + 2·border) squared, `gap`
// apart. Each image is scaled to fit thumbnail × thumbnail with its aspect ratio kept and
// centred in the tile on the background colour. Shrinking uses the engine's antialiased
// bilinear resampling (preprocess.hpp); enlarging uses nearest neighbour, so small synthetic
// scenes (64×64) stay crisp instead of blurred.
#include <array>
#include <cstdint>
#include <vector>

#include "gxn/engine/io/image.hpp"

namespace gxn {

using Rgb = std::array<std::uint8_t, 3>;

struct ContactSheetOptions {
  int thumbnail = 128;            // the side of the square each image is fitted into, 1..4096
  int border = 5;                 // frame width, 0..256
  int gap = 8;                    // between tiles and round the edge, 0..256
  Rgb background{255, 255, 255};  // behind and between the tiles
  Rgb frame{210, 210, 210};       // the frame of an unmarked tile
  Rgb mark{22, 163, 74};          // the frame of a marked tile (green)
};

struct SheetTile {
  const Image* image = nullptr;  // borrowed; must outlive the call
  bool marked = false;
};

// `image` scaled by one factor so that it fits in max_width × max_height (at least 1×1 pixel):
// antialiased bilinear when shrinking, nearest neighbour when enlarging, unchanged if it fits
// exactly. Throws gxn::Error(InvalidArgument) for a malformed image or a non-positive size.
Image scale_to_fit(const Image& image, int max_width, int max_height);

// The strip of `tiles`, left to right. Throws gxn::Error(InvalidArgument) for no tiles, a null
// or malformed image, or options out of range.
Image compose_contact_sheet(const std::vector<SheetTile>& tiles, const ContactSheetOptions& options = {});

// The pixel rectangle of tile `index` in a sheet composed with `options`, frame included:
// x, y of the top-left corner and the side (thumbnail + 2·border). For tests and image maps.
struct TileRect {
  int x = 0, y = 0, side = 0;
};
TileRect contact_sheet_tile(int index, const ContactSheetOptions& options = {});

}  // namespace gxn
