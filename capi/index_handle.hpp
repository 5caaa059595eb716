#pragma once
// gxn_index: a RetrievalIndex behind the C API's opaque handle (index.cpp; model.cpp searches it
// with a model's query).
#include <string>

#include "gxn.h"
#include "gxn/engine/search/index.hpp"

struct gxn_index {
  gxn::RetrievalIndex index;
  std::string device = "cpu";  // gxn_index_device: where search runs, "cpu" or "cuda:N"
};
