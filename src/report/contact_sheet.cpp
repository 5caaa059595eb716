#include "gxn/report/contact_sheet.hpp"

#include <algorithm>
#include <string>

#include "gxn/engine/io/preprocess.hpp"

namespace gxn {
namespace {

constexpr std::int64_t kMaxSheetWidth = 65535;  // PNG viewers and browsers cope; far beyond a report's needs

void check_image(const Image& image, const std::string& what) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3)
    throw Error(ErrorCode::InvalidArgument, what + ": malformed image (" + std::to_string(image.width) + "x" +
                                                std::to_string(image.height) + ", " +
                                                std::to_string(image.pixels.size()) + " bytes)");
}

void check_range(int value, int low, int high, const char* name) {
  if (value < low || value > high)
    throw Error(ErrorCode::InvalidArgument, std::string("contact sheet: ") + name + " must be in [" +
                                                std::to_string(low) + ", " + std::to_string(high) + "], got " +
                                                std::to_string(value));
}

Image scale_nearest(const Image& image, int width, int height) {
  Image out(width, height);
  for (int y = 0; y < height; ++y) {
    // The source pixel whose area holds this pixel's centre.
    const int sy = std::min(image.height - 1, static_cast<int>((2LL * y + 1) * image.height / (2LL * height)));
    for (int x = 0; x < width; ++x) {
      const int sx = std::min(image.width - 1, static_cast<int>((2LL * x + 1) * image.width / (2LL * width)));
      const std::uint8_t* p = image.pixel(sx, sy);
      std::uint8_t* q = out.pixel(x, y);
      q[0] = p[0], q[1] = p[1], q[2] = p[2];
    }
  }
  return out;
}

void fill(Image& image, int x0, int y0, int width, int height, const Rgb& colour) {
  for (int y = y0; y < y0 + height; ++y)
    for (int x = x0; x < x0 + width; ++x) std::copy(colour.begin(), colour.end(), image.pixel(x, y));
}

}  // namespace

Image scale_to_fit(const Image& image, int max_width, int max_height) {
  check_image(image, "scale_to_fit");
  if (max_width <= 0 || max_height <= 0)
    throw Error(ErrorCode::InvalidArgument,
                "scale_to_fit: bad size " + std::to_string(max_width) + "x" + std::to_string(max_height));
  // One factor for both sides: the smaller of the two that fit (integer arithmetic, no drift).
  int width = max_width;
  int height = static_cast<int>(static_cast<std::int64_t>(image.height) * max_width / image.width);
  if (height > max_height) {
    height = max_height;
    width = static_cast<int>(static_cast<std::int64_t>(image.width) * max_height / image.height);
  }
  width = std::max(width, 1);
  height = std::max(height, 1);
  if (width == image.width && height == image.height) return image;
  if (width <= image.width && height <= image.height) return resize_bilinear(image, width, height);
  return scale_nearest(image, width, height);
}

TileRect contact_sheet_tile(int index, const ContactSheetOptions& options) {
  const int side = options.thumbnail + 2 * options.border;
  return {options.gap + index * (side + options.gap), options.gap, side};
}

Image compose_contact_sheet(const std::vector<SheetTile>& tiles, const ContactSheetOptions& options) {
  if (tiles.empty()) throw Error(ErrorCode::InvalidArgument, "contact sheet: no images");
  check_range(options.thumbnail, 1, 4096, "thumbnail");
  check_range(options.border, 0, 256, "border");
  check_range(options.gap, 0, 256, "gap");
  const std::int64_t side = options.thumbnail + 2 * options.border;
  const std::int64_t width = options.gap + static_cast<std::int64_t>(tiles.size()) * (side + options.gap);
  if (width > kMaxSheetWidth)
    throw Error(ErrorCode::InvalidArgument, "contact sheet: " + std::to_string(tiles.size()) + " tiles make a " +
                                                std::to_string(width) + "-pixel-wide strip (at most " +
                                                std::to_string(kMaxSheetWidth) + ")");
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    if (!tiles[i].image)
      throw Error(ErrorCode::InvalidArgument, "contact sheet: tile " + std::to_string(i) + " has no image");
    check_image(*tiles[i].image, "contact sheet tile " + std::to_string(i));
  }

  Image sheet(static_cast<int>(width), static_cast<int>(side + 2 * options.gap));
  fill(sheet, 0, 0, sheet.width, sheet.height, options.background);
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const TileRect rect = contact_sheet_tile(static_cast<int>(i), options);
    fill(sheet, rect.x, rect.y, rect.side, rect.side, tiles[i].marked ? options.mark : options.frame);
    const int inner_x = rect.x + options.border, inner_y = rect.y + options.border;
    fill(sheet, inner_x, inner_y, options.thumbnail, options.thumbnail, options.background);
    const Image thumb = scale_to_fit(*tiles[i].image, options.thumbnail, options.thumbnail);
    const int x0 = inner_x + (options.thumbnail - thumb.width) / 2;
    const int y0 = inner_y + (options.thumbnail - thumb.height) / 2;
    for (int y = 0; y < thumb.height; ++y)
      std::copy(thumb.pixel(0, y), thumb.pixel(0, y) + 3 * thumb.width, sheet.pixel(x0, y0 + y));
  }
  return sheet;
}

}  // namespace gxn
