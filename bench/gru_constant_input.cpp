// What the caption decoder saves by giving its GRU the image as a constant input (its product
// taken once per caption) rather than appended to every step's word: the time of one forward
// and backward pass both ways, with the same weights, on the demo's shapes (128 captions of
// 6..40 tokens, word 32, image 256, state 256), on one thread as a training lane runs it.
//
//   gru_constant_input [repeats=20]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gxn/model/gru.hpp"

namespace {

constexpr std::int64_t kCaptions = 128, kSteps = 39, kWord = 32, kImage = 256, kState = 256;

// Median milliseconds of `repeats` calls of `pass`.
template <typename Pass>
double median_ms(int repeats, Pass pass) {
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    pass();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 20;
  if (repeats < 1) {
    std::fprintf(stderr, "usage: gru_constant_input [repeats=20]\n");
    return 2;
  }
  at::set_num_threads(1);
  torch::manual_seed(1);
  gxn::Gru gru(gxn::GruOptions{kWord + kImage, kState, false});
  const auto words = torch::randn({kCaptions, kSteps, kWord}).requires_grad_(true);
  const auto image = torch::randn({kCaptions, kImage}).requires_grad_(true);
  const auto lengths = torch::randint(5, kSteps + 1, {kCaptions}, torch::kInt64);
  const auto weights = torch::randn({kCaptions, kSteps, kState});
  const auto pass = [&](bool constant) {
    gru->zero_grad();
    const auto states =
        constant ? gru->forward(words, lengths, {}, true, image).states
                 : gru->forward(torch::cat({words, image.unsqueeze(1).expand({kCaptions, kSteps, kImage})}, 2), lengths,
                                {}, true)
                       .states;
    (states * weights).sum().backward();
  };
  pass(true), pass(false);  // warm-up
  const double appended = median_ms(repeats, [&] { pass(false); });
  const double constant = median_ms(repeats, [&] { pass(true); });
  std::printf("GRU forward + backward, %lld captions, state %lld, one thread (median of %d):\n",
              static_cast<long long>(kCaptions), static_cast<long long>(kState), repeats);
  std::printf("  image appended to every step  %8.1f ms\n", appended);
  std::printf("  image as a constant input     %8.1f ms\n", constant);
  std::printf("  ratio                         %8.2fx\n", appended / constant);
  return 0;
}
