#pragma once
// gxn::Error: the one exception type gxn throws. Its message names the file, field or
// argument at fault so a user can act on it; its code survives the C API as a status.
#include <stdexcept>
#include <string>

namespace gxn {

enum class ErrorCode : int {
  InvalidArgument = 1,  // a bad value from the caller: option, dimension, range
  NotFound = 2,         // a file or key that does not exist
  Io = 3,               // reading or writing failed
  Format = 4,           // a file exists but is malformed, truncated or of another kind
  Shape = 5,            // dimensions that do not agree
  NonFinite = 6,        // NaN or Inf where numbers must be finite
  Unsupported = 7,      // valid, but not something gxn does
  Internal = 8,         // a bug in gxn
  Cancelled = 9,        // the caller asked to stop (a progress callback said so)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace gxn
