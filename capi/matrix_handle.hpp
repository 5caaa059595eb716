#pragma once
// gxn_matrix: a matrix gxn owns and the caller reads (files read, rows a model encodes).
#include "gxn.h"
#include "gxn/engine/matrix.hpp"

struct gxn_matrix {
  gxn::Matrix matrix;
};
