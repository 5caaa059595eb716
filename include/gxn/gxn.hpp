#pragma once
// Umbrella header for the torch-free engine: scoring and search, metrics, files and images,
// text, datasets. The model layer (LibTorch) has its own headers under gxn/model/ and the
// report layer under gxn/report/, included on purpose by those who link gxn::model or
// gxn::report; gxn/engine/eigen.hpp (views of Eigen matrices) is left to those who want it.
#include "gxn/engine/cpu.hpp"
#include "gxn/engine/data/captions_per_image.hpp"
#include "gxn/engine/data/evaluation_split.hpp"
#include "gxn/engine/data/karpathy_dataset.hpp"
#include "gxn/engine/data/precomp_dataset.hpp"
#include "gxn/engine/data/shapes.hpp"
#include "gxn/engine/data/shapes_dataset.hpp"
#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/io/image.hpp"
#include "gxn/engine/io/image_folder.hpp"
#include "gxn/engine/io/npy.hpp"
#include "gxn/engine/io/preprocess.hpp"
#include "gxn/engine/matrix.hpp"
#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/engine/metrics/metrics_json.hpp"
#include "gxn/engine/progress.hpp"
#include "gxn/engine/search/index.hpp"
#include "gxn/engine/search/score.hpp"
#include "gxn/engine/search/topk.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/error.hpp"
