#pragma once
// BatchSampler: which captions each step of a training run sees. An epoch visits, in an order
// shuffled by (seed, epoch) alone, either every caption (sampling = captions: batch_size
// captions a step) or every image (sampling = images: batch_size / captions_per_image images a
// step, each with captions_per_image of its captions, drawn anew each epoch by (seed, epoch,
// image)). The same on every machine, so a resumed run visits what the uninterrupted one would.
#include <cstdint>
#include <vector>

#include "gxn/model/train_config.hpp"

namespace gxn {

// A permutation of [0, count) by a Fisher-Yates shuffle driven by splitmix64 from
// (seed, epoch): the order an epoch visits its captions or images in.
std::vector<std::int64_t> epoch_order(std::uint64_t seed, std::int64_t epoch, std::int64_t count);

class BatchSampler {
 public:
  // For a training split of `images` images and their kCaptionsPerImage captions each.
  BatchSampler(const TrainConfig& config, std::int64_t images);

  std::int64_t batches_per_epoch() const;
  std::int64_t captions_per_epoch() const;

  // Shuffles for epoch `epoch` (0-based); batch() then cuts that order.
  void start_epoch(std::int64_t epoch);
  // The captions of batch `batch` (0-based) of the current epoch.
  std::vector<std::int64_t> batch(std::int64_t batch) const;

 private:
  std::int64_t units_per_batch() const;  // captions, or images (sampling = images), per batch

  BatchSampling sampling_;
  std::int64_t batch_size_, captions_per_image_, images_;
  std::uint64_t seed_;
  std::int64_t epoch_ = 0;
  std::vector<std::int64_t> order_;
};

}  // namespace gxn
