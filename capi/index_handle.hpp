#pragma once
// gxn_index: a RetrievalIndex behind the C API's opaque handle (index.cpp; model.cpp searches it
// with a model's query).
#include "gxn.h"
#include "gxn/engine/search/index.hpp"

struct gxn_index {
  gxn::RetrievalIndex index;
};
