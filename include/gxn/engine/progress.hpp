#pragma once
// A one-line progress report for long work (training, encoding, generating data): items/s
// and ETA, redrawn in place on a terminal; silent when stderr is not a terminal or when quiet.
#include <chrono>
#include <cstdint>
#include <string>

namespace gxn {

class Progress {
 public:
  // `total` items (0 if unknown); `label` starts the line. Shown only if !quiet and stderr is a tty.
  Progress(std::string label, std::int64_t total, bool quiet = false);
  ~Progress();  // ends the line if one was drawn

  // Marks `done` items finished; `note` (e.g. "loss 0.123") is appended. Redraws at most ~10×/s.
  void update(std::int64_t done, const std::string& note = "");
  void finish(const std::string& note = "");

  bool visible() const { return visible_; }
  double elapsed_seconds() const;

 private:
  void draw(std::int64_t done, const std::string& note);

  std::string label_;
  std::int64_t total_;
  bool visible_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "1h02m", "3m07s", "12s": a short human duration.
std::string format_duration(double seconds);

}  // namespace gxn
