#include "gxn/model/batch_sampler.hpp"

#include <algorithm>

#include "common/splitmix64.hpp"
#include "gxn/error.hpp"

namespace gxn {

std::vector<std::int64_t> epoch_order(std::uint64_t seed, std::int64_t epoch, std::int64_t count) {
  if (count < 0) throw Error(ErrorCode::InvalidArgument, "epoch_order: negative count");
  std::vector<std::int64_t> order(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
  // One stream per epoch: the state starts from the seed mixed with the epoch.
  detail::SplitMix64 random(detail::SplitMix64(seed).next() ^ static_cast<std::uint64_t>(epoch));
  for (std::int64_t i = count - 1; i > 0; --i) {
    const auto r = static_cast<std::int64_t>(random.below64(static_cast<std::uint64_t>(i + 1)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(r)]);
  }
  return order;
}

BatchSampler::BatchSampler(const TrainConfig& config, std::int64_t images)
    : sampling_(config.sampling),
      batch_size_(config.batch_size),
      captions_per_image_(config.captions_per_image),
      images_(images),
      seed_(config.seed) {}

std::int64_t BatchSampler::units_per_batch() const {
  return sampling_ == BatchSampling::Captions ? batch_size_ : batch_size_ / captions_per_image_;
}

std::int64_t BatchSampler::captions_per_epoch() const {
  return sampling_ == BatchSampling::Captions ? images_ * kCaptionsPerImage : images_ * captions_per_image_;
}

std::int64_t BatchSampler::batches_per_epoch() const {
  const std::int64_t units = sampling_ == BatchSampling::Captions ? images_ * kCaptionsPerImage : images_;
  return (units + units_per_batch() - 1) / units_per_batch();
}

void BatchSampler::start_epoch(std::int64_t epoch) {
  epoch_ = epoch;
  order_ = epoch_order(seed_, epoch, sampling_ == BatchSampling::Captions ? images_ * kCaptionsPerImage : images_);
}

std::vector<std::int64_t> BatchSampler::batch(std::int64_t batch) const {
  const auto size = static_cast<std::int64_t>(order_.size());
  const std::int64_t first = batch * units_per_batch(), last = std::min(size, first + units_per_batch());
  if (sampling_ == BatchSampling::Captions) return {order_.begin() + first, order_.begin() + last};
  std::vector<std::int64_t> captions;
  for (std::int64_t i = first; i < last; ++i) {
    const std::int64_t image = order_[static_cast<std::size_t>(i)];
    if (captions_per_image_ == kCaptionsPerImage) {
      for (std::int64_t k = 0; k < kCaptionsPerImage; ++k) captions.push_back(image * kCaptionsPerImage + k);
    } else {
      // This epoch's draw of the image's captions: a function of (seed, epoch, image) alone.
      const std::uint64_t image_seed = seed_ ^ (0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(image + 1));
      const std::vector<std::int64_t> pick = epoch_order(image_seed, epoch_, kCaptionsPerImage);
      for (std::int64_t k = 0; k < captions_per_image_; ++k)
        captions.push_back(image * kCaptionsPerImage + pick[static_cast<std::size_t>(k)]);
    }
  }
  return captions;
}

}  // namespace gxn
