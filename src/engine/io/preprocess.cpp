#include "gxn/engine/io/preprocess.hpp"

#include <cmath>
#include <string>

namespace gxn {

namespace {

// Pillow's resampling (libImaging/Resample.c), restated: the same arithmetic in the same
// order, so that every output byte agrees with Pillow's.
constexpr int kPrecisionBits = 32 - 8 - 2;  // fixed-point bits of the coefficients

double triangle(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

// For each output position along one axis: the first input index, the number of inputs, and
// that many fixed-point weights (row `ksize` long).
struct Coefficients {
  int ksize = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<std::int32_t> weights;
};

Coefficients bilinear_coefficients(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  // Shrinking widens the filter by the scale factor: that is the antialiasing.
  const double filter_scale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filter_scale;
  Coefficients c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.weights.assign(static_cast<std::size_t>(out_size) * c.ksize, 0);
  std::vector<double> k(c.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filter_scale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double total = 0.0;
    for (int x = 0; x < xmax; ++x) {
      k[x] = triangle((x + xmin - center + 0.5) * ss);
      total += k[x];
    }
    for (int x = 0; x < xmax; ++x) {
      const double w = total != 0.0 ? k[x] / total : k[x];
      // Round half away from zero to kPrecisionBits fixed point.
      c.weights[static_cast<std::size_t>(xx) * c.ksize + x] =
          static_cast<std::int32_t>(w < 0 ? -0.5 + w * (1 << kPrecisionBits) : 0.5 + w * (1 << kPrecisionBits));
    }
    c.first[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

std::uint8_t clip8(std::int32_t value) {
  const std::int32_t v = value >> kPrecisionBits;  // arithmetic shift: floor
  return static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

constexpr std::int32_t kHalf = 1 << (kPrecisionBits - 1);

// Rows [row0, row0 + out.height) of `in`, resampled horizontally to out.width.
void resample_horizontal(const Image& in, int row0, const Coefficients& c, Image& out) {
  for (int y = 0; y < out.height; ++y) {
    const std::uint8_t* src = in.pixel(0, y + row0);
    std::uint8_t* dst = out.pixel(0, y);
    for (int xx = 0; xx < out.width; ++xx) {
      const std::int32_t* k = &c.weights[static_cast<std::size_t>(xx) * c.ksize];
      std::int32_t s0 = kHalf, s1 = kHalf, s2 = kHalf;
      const std::uint8_t* p = src + static_cast<std::size_t>(c.first[xx]) * 3;
      for (int x = 0; x < c.count[xx]; ++x, p += 3) {
        s0 += p[0] * k[x];
        s1 += p[1] * k[x];
        s2 += p[2] * k[x];
      }
      dst[xx * 3 + 0] = clip8(s0);
      dst[xx * 3 + 1] = clip8(s1);
      dst[xx * 3 + 2] = clip8(s2);
    }
  }
}

// `in` resampled vertically; `row_shift` is subtracted from the coefficients' first rows
// (the horizontal pass only produced the rows the vertical pass reads).
void resample_vertical(const Image& in, int row_shift, const Coefficients& c, Image& out) {
  const std::size_t row_bytes = static_cast<std::size_t>(in.width) * 3;
  for (int yy = 0; yy < out.height; ++yy) {
    const std::int32_t* k = &c.weights[static_cast<std::size_t>(yy) * c.ksize];
    const std::uint8_t* top = in.pixel(0, c.first[yy] - row_shift);
    std::uint8_t* dst = out.pixel(0, yy);
    for (std::size_t i = 0; i < row_bytes; ++i) {
      std::int32_t s = kHalf;
      const std::uint8_t* p = top + i;
      for (int y = 0; y < c.count[yy]; ++y, p += row_bytes) s += *p * k[y];
      dst[i] = clip8(s);
    }
  }
}

void check_image(const Image& image, const char* what) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3)
    throw Error(ErrorCode::Shape, std::string(what) + ": malformed image (" + std::to_string(image.width) + "x" +
                                      std::to_string(image.height) + ", " + std::to_string(image.pixels.size()) +
                                      " bytes)");
}

// Python's round() on x / 2.0 for an integer x: halves go to the even neighbour.
int half_round_even(int x) {
  const int q = x / 2;  // x >= 0 here
  return (x % 2 != 0 && q % 2 != 0) ? q + 1 : q;
}

}  // namespace

PreprocessOptions preprocess_options_for_size(int crop) {
  if (crop < 1 || crop > 16384)
    throw Error(ErrorCode::InvalidArgument, "preprocess: size must be in [1, 16384], got " + std::to_string(crop));
  PreprocessOptions options;
  options.crop = crop;
  options.resize = (crop * 256 + 112) / 224;  // round(crop * 256 / 224), halves up
  return options;
}

Image resize_bilinear(const Image& image, int width, int height) {
  check_image(image, "resize");
  if (width <= 0 || height <= 0)
    throw Error(ErrorCode::InvalidArgument,
                "resize: bad output size " + std::to_string(width) + "x" + std::to_string(height));
  const Coefficients horizontal = bilinear_coefficients(image.width, width);
  const Coefficients vertical = bilinear_coefficients(image.height, height);
  const bool need_horizontal = width != image.width;
  const bool need_vertical = height != image.height;
  if (!need_horizontal && !need_vertical) return image;

  if (!need_horizontal) {
    Image out(width, height);
    resample_vertical(image, 0, vertical, out);
    return out;
  }
  // Only the rows the vertical pass will read are resampled horizontally.
  const int first_row = vertical.first[0];
  const int last_row = vertical.first[height - 1] + vertical.count[height - 1];
  Image wide(width, last_row - first_row);
  resample_horizontal(image, first_row, horizontal, wide);
  if (!need_vertical) return wide;
  Image out(width, height);
  resample_vertical(wide, first_row, vertical, out);
  return out;
}

Image resize_shorter_side(const Image& image, int size) {
  check_image(image, "resize");
  if (size <= 0) throw Error(ErrorCode::InvalidArgument, "resize: bad size " + std::to_string(size));
  const bool portrait = image.width <= image.height;
  const int short_side = portrait ? image.width : image.height;
  const int long_side = portrait ? image.height : image.width;
  // torchvision: int(size * long / short), a float division then truncation.
  const double long_exact = static_cast<double>(static_cast<std::int64_t>(size) * long_side) / short_side;
  if (long_exact > 1e9)
    throw Error(ErrorCode::InvalidArgument, "resize: a " + std::to_string(image.width) + "x" +
                                                std::to_string(image.height) + " image cannot be resized to " +
                                                std::to_string(size) + " on its shorter side");
  const int new_long = static_cast<int>(long_exact);
  const int new_width = portrait ? size : new_long;
  const int new_height = portrait ? new_long : size;
  if (static_cast<std::int64_t>(new_width) * new_height > ImageLimits{}.max_pixels)
    throw Error(ErrorCode::InvalidArgument,
                "resize: a " + std::to_string(image.width) + "x" + std::to_string(image.height) + " image resized to " +
                    std::to_string(size) + " on its shorter side would be " + std::to_string(new_width) + "x" +
                    std::to_string(new_height) + ", above the pixel limit");
  if (new_width == image.width && new_height == image.height) return image;
  return resize_bilinear(image, new_width, new_height);
}

Image center_crop(const Image& image, int width, int height) {
  check_image(image, "center_crop");
  if (width <= 0 || height <= 0)
    throw Error(ErrorCode::InvalidArgument,
                "center_crop: bad crop size " + std::to_string(width) + "x" + std::to_string(height));
  // Pad (black) where the crop is larger, left/top getting the smaller half, as torchvision.
  const int pad_left = width > image.width ? (width - image.width) / 2 : 0;
  const int pad_top = height > image.height ? (height - image.height) / 2 : 0;
  const int padded_width = width > image.width ? width : image.width;
  const int padded_height = height > image.height ? height : image.height;
  const int top = half_round_even(padded_height - height);
  const int left = half_round_even(padded_width - width);

  Image out(width, height);
  for (int y = 0; y < height; ++y) {
    const int sy = y + top - pad_top;
    if (sy < 0 || sy >= image.height) continue;
    for (int x = 0; x < width; ++x) {
      const int sx = x + left - pad_left;
      if (sx < 0 || sx >= image.width) continue;
      const std::uint8_t* p = image.pixel(sx, sy);
      std::uint8_t* q = out.pixel(x, y);
      q[0] = p[0], q[1] = p[1], q[2] = p[2];
    }
  }
  return out;
}

ChwImage normalize_to_chw(const Image& image, const std::array<float, 3>& mean, const std::array<float, 3>& std) {
  check_image(image, "normalize");
  for (int c = 0; c < 3; ++c)
    if (!(std[c] > 0.0f) || !std::isfinite(std[c]) || !std::isfinite(mean[c]))
      throw Error(ErrorCode::InvalidArgument, "normalize: channel " + std::to_string(c) +
                                                  " needs a finite mean and a "
                                                  "positive finite std, got mean " +
                                                  std::to_string(mean[c]) + ", std " + std::to_string(std[c]));
  ChwImage out;
  out.channels = 3;
  out.height = image.height;
  out.width = image.width;
  const std::size_t plane = static_cast<std::size_t>(image.width) * image.height;
  out.values.resize(plane * 3);
  for (int c = 0; c < 3; ++c) {
    float* dst = out.values.data() + plane * c;
    const std::uint8_t* src = image.pixels.data() + c;
    // Two float32 operations, each rounded, as torch does: x / 255, then (x - mean) / std.
    for (std::size_t i = 0; i < plane; ++i) dst[i] = (static_cast<float>(src[i * 3]) / 255.0f - mean[c]) / std[c];
  }
  return out;
}

ChwImage preprocess(const Image& image, const PreprocessOptions& options) {
  if (options.resize < 1 || options.crop < 1 || options.resize > 16384 || options.crop > 16384)
    throw Error(ErrorCode::InvalidArgument, "preprocess: resize and crop must be in [1, 16384], got " +
                                                std::to_string(options.resize) + " and " +
                                                std::to_string(options.crop));
  const Image resized = resize_shorter_side(image, options.resize);
  return normalize_to_chw(center_crop(resized, options.crop, options.crop), options.mean, options.std);
}

}  // namespace gxn
