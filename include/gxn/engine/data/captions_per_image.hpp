#pragma once
// Every dataset gxn reads pairs each image with five captions, caption j belonging to image
// j / 5: the layout of Flickr30K, COCO (first five kept), the VSE++/SCAN precomputed files and
// gxn's shapes data, and what the retrieval protocol (metrics.hpp) counts ranks by.
#include <cstdint>

namespace gxn {

inline constexpr std::int64_t kCaptionsPerImage = 5;

}  // namespace gxn
