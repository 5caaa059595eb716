#pragma once
// A folder of images as a list of files: what `gxn encode --images DIR` and `gxn search
// --images DIR` encode, in this order.
#include <string>
#include <vector>

namespace gxn {

// The paths (DIR/name) of the image files directly in `dir` (not in subfolders): regular files
// (or links to them) named *.jpg, *.jpeg, *.png, *.bmp or *.gif in any letter case, not hidden
// (no leading '.'), sorted by name in byte order. Throws gxn::Error naming `dir`: NotFound when
// it is not a folder, InvalidArgument when it holds no image file.
std::vector<std::string> list_image_files(const std::string& dir);

}  // namespace gxn
