#pragma once
// Image preprocessing for a CNN trained with torchvision, reproducing on gxn::Image what
//   transforms.Compose([Resize(resize), CenterCrop(crop), ToTensor(), Normalize(mean, std)])
// does to a PIL RGB image (torchvision 0.14, Pillow 9): the resize is Pillow's own bilinear
// resampling (ImagingResample: separable, triangle filter widened by the scale factor when
// shrinking, so it antialiases; fixed-point coefficients; rounding to 8 bits after each pass),
// the output sizes and crop offsets use torchvision's formulas (truncation, round-half-even).
// On PNG input the result equals torchvision's bit for bit; on JPEG input the only difference
// is stb_image's decoder versus libjpeg's (see tests/data/preprocess).
#include <array>
#include <cstdint>
#include <vector>

#include "gxn/engine/io/image.hpp"

namespace gxn {

// A float image in channel-major order (C, H, W), as torch's ToTensor produces.
struct ChwImage {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<float> values;  // channels * height * width

  float at(int c, int y, int x) const { return values[(static_cast<std::size_t>(c) * height + y) * width + x]; }
};

struct PreprocessOptions {
  int resize = 256;                                   // the shorter side is resized to this
  int crop = 224;                                     // then the centre crop x crop is kept
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};  // ImageNet
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

// Options for a network that takes `crop` x `crop` inputs: the ImageNet ratio 256/224,
// resize = round(crop * 256 / 224) (224 -> 256, 299 -> 342 as torchvision's Inception v3 uses,
// 64 -> 73). Throws gxn::Error(InvalidArgument) unless 1 <= crop <= 16384.
PreprocessOptions preprocess_options_for_size(int crop);

// Pillow's Image.resize(size, Image.BILINEAR) on an RGB image; sizes equal to the input's
// leave that direction untouched. Throws gxn::Error(InvalidArgument) on a non-positive size.
Image resize_bilinear(const Image& image, int width, int height);

// torchvision's Resize(size) with an int size: the shorter side becomes `size`, the longer
// int(size * long / short); an image already that size is returned unchanged.
Image resize_shorter_side(const Image& image, int size);

// torchvision's CenterCrop((height, width)): offsets round((H - h) / 2) with round-half-even;
// a side smaller than the crop is first padded with black, as torchvision does.
Image center_crop(const Image& image, int width, int height);

// ToTensor then Normalize: (pixel / 255 - mean[c]) / std[c] in float32, as torch computes it.
// Throws gxn::Error(InvalidArgument) if a std is not positive and finite.
ChwImage normalize_to_chw(const Image& image, const std::array<float, 3>& mean, const std::array<float, 3>& std);

// resize_shorter_side, center_crop, normalize_to_chw: a (3, crop, crop) input for the CNN.
// Throws gxn::Error(InvalidArgument) on bad options.
ChwImage preprocess(const Image& image, const PreprocessOptions& options = {});

}  // namespace gxn
