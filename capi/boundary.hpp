#pragma once
// The one place C++ exceptions become C status codes: every API function body runs inside
// guard(), which records the message for gxn_last_error().
#include <exception>
#include <string>

#include "gxn.h"
#include "gxn/error.hpp"

namespace gxn::capi {

void set_last_error(const std::string& message);

template <typename Body>
int guard(Body&& body) noexcept {
  try {
    body();
    set_last_error("");
    return GXN_OK;
  } catch (const gxn::Error& e) {
    set_last_error(e.what());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    set_last_error("out of memory");
    return GXN_ERR_INTERNAL;
  } catch (const std::exception& e) {
    set_last_error(std::string("internal error: ") + e.what());
    return GXN_ERR_INTERNAL;
  } catch (...) {
    set_last_error("internal error: unknown exception");
    return GXN_ERR_INTERNAL;
  }
}

// Refuses a NULL pointer argument by name.
inline void require(const void* p, const char* name) {
  if (p == nullptr) throw gxn::Error(gxn::ErrorCode::InvalidArgument, std::string(name) + " must not be NULL");
}

}  // namespace gxn::capi
