// Library-wide calls of the C API: version and last error.
#include "boundary.hpp"

namespace gxn::capi {

static thread_local std::string last_error;

void set_last_error(const std::string& message) { last_error = message; }

}  // namespace gxn::capi

extern "C" {

const char* gxn_version(void) { return GXN_VERSION; }

const char* gxn_last_error(void) { return gxn::capi::last_error.c_str(); }
}
