#pragma once
// Umbrella header for the torch-free engine. The model layer (LibTorch) has its own headers
// under gxn/model/, included on purpose by those who link gxn::model.
#include "gxn/error.hpp"
#include "gxn/engine/cpu.hpp"
#include "gxn/engine/matrix.hpp"
#include "gxn/engine/search/score.hpp"
#include "gxn/engine/search/topk.hpp"
