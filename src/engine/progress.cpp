#include "gxn/engine/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace gxn {

Progress::Progress(std::string label, std::int64_t total, bool quiet)
    : label_(std::move(label)),
      total_(total),
      visible_(!quiet && isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (drawn_) std::fputc('\n', stderr);
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(std::int64_t done, const std::string& note) {
  if (!visible_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(done, note);
}

void Progress::finish(const std::string& note) {
  if (!visible_) return;
  draw(total_ > 0 ? total_ : 0, note);
  std::fputc('\n', stderr);
  drawn_ = false;
}

void Progress::draw(std::int64_t done, const std::string& note) {
  const double seconds = elapsed_seconds();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  char line[256];
  if (total_ > 0) {
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
    std::snprintf(line, sizeof line, "%s %3d%% %lld/%lld  %.1f/s  ETA %s", label_.c_str(),
                  static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_)),
                  static_cast<long long>(done), static_cast<long long>(total_), rate, format_duration(eta).c_str());
  } else {
    std::snprintf(line, sizeof line, "%s %lld  %.1f/s  %s", label_.c_str(), static_cast<long long>(done), rate,
                  format_duration(seconds).c_str());
  }
  std::fprintf(stderr, "\r\033[K%s%s%s", line, note.empty() ? "" : "  ", note.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;  // also catches NaN
  const auto s = static_cast<long long>(seconds + 0.5);
  char out[32];
  if (s >= 3600)
    std::snprintf(out, sizeof out, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60)
    std::snprintf(out, sizeof out, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(out, sizeof out, "%llds", s);
  return out;
}

}  // namespace gxn
