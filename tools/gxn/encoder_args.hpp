#pragma once
// Options every subcommand that runs a model shares: the model file and how to encode.
#include <CLI/CLI.hpp>

#include <string>

#include "gxn/engine/io/npy.hpp"
#include "gxn/error.hpp"
#include "gxn/model/device.hpp"
#include "gxn/model/encoder.hpp"

namespace gxn::cli {

struct EncoderArgs {
  std::string model;
  std::int64_t batch_size = 128;
  int threads = 0;
  bool quiet = false;
  std::string device = "cpu";

  // gxn::Error naming --device when the device is unknown or unusable (CUDA without a GPU).
  EncoderOptions options() const {
    EncoderOptions o;
    o.batch_size = batch_size;
    o.threads = threads;
    o.quiet = quiet;
    o.device = device_option(device);
    return o;
  }

  static torch::Device device_option(const std::string& name) {
    try {
      return parse_device(name);
    } catch (const Error& e) {
      throw Error(e.code(), std::string("--device: ") + e.what());
    }
  }
};

// Adds --batch-size, --threads, --device and --quiet (and --model unless `model_option` is false).
inline void add_encoder_options(CLI::App* cmd, EncoderArgs& args, bool model_option = true) {
  if (model_option) cmd->add_option("--model", args.model, "model file (.gxn)")->required();
  cmd->add_option("--batch-size", args.batch_size, "items per forward pass")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 20));
  cmd->add_option("--threads", args.threads, "threads for the model and for decoding images; 0 = all cores")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--device", args.device, "where the model runs: cpu, cuda or cuda:N (needs a LibTorch with CUDA)")
      ->capture_default_str();
  cmd->add_flag("--quiet", args.quiet, "no progress line");
}

// A search's query, encoded: the caption `text` (text_query) or the image file `image`; an
// error names the option that gave it.
inline Matrix encode_query(const Encoder& encoder, bool text_query, const std::string& text, const std::string& image) {
  try {
    return text_query ? encoder.encode_texts({text}) : encoder.encode_images(std::vector<std::string>{image});
  } catch (const Error& e) {
    throw Error(e.code(), std::string(text_query ? "--text" : "--image") + ": " + e.what());
  }
}

// Precomputed features read from `path`, (N, D) or (N, R, D), as N rows of R·D floats (a view of `array`).
inline MatrixView feature_rows(const NpyArray& array, const std::string& path) {
  if ((array.shape.size() != 2 && array.shape.size() != 3) || array.shape[0] < 1)
    throw Error(ErrorCode::Shape, path + ": expected features of shape (N, D) or (N, R, D) with N ≥ 1");
  const std::int64_t n = array.shape[0];
  return MatrixView(array.data.data(), n, array.count() / n);
}

}  // namespace gxn::cli
