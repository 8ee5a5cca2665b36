#include "nabla/train/progress_bar.h"

#include <cmath>

namespace nabla::train {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s % 3600 / 60));
  return buf;
}

std::string format_progress(const ProgressState& s, int bar_width) {
  std::string line = "epoch " + std::to_string(s.epoch) + "/" + std::to_string(s.epochs) + " ";
  if (bar_width > 0) {
    const double frac = s.steps > 0 ? std::min(1.0, double(s.step) / double(s.steps)) : 0.0;
    const int filled = static_cast<int>(frac * bar_width);
    line += '[';
    line.append(static_cast<size_t>(filled), '#');
    line.append(static_cast<size_t>(bar_width - filled), '.');
    line += "] ";
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "%lld/%lld loss %.4f", static_cast<long long>(s.step), static_cast<long long>(s.steps),
                s.loss);
  line += buf;
  if (s.show_acc) {
    std::snprintf(buf, sizeof buf, " acc %.2f%%", 100.0 * s.acc);
    line += buf;
  }
  std::snprintf(buf, sizeof buf, " %.0f %s/s ETA %s", s.images_per_s, s.unit.c_str(), format_duration(s.eta_s).c_str());
  return line + buf;
}

ProgressBar::ProgressBar(std::FILE* out, bool interactive, double interval_s)
    : out_(out), interactive_(interactive), interval_s_(interval_s) {}

void ProgressBar::update(const ProgressState& s) {
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  const bool last_step = s.step == s.steps;
  if (interactive_) {
    if (!last_step && drawn_ && since < 0.1) return;
    std::fprintf(out_, "\r%s\033[K", format_progress(s, 24).c_str());
    drawn_ = true;
  } else {
    if (!drawn_) {  // the first call starts the interval
      drawn_ = true;
      last_ = now;
      return;
    }
    if (since < interval_s_) return;
    std::fprintf(out_, "%s\n", format_progress(s, 0).c_str());
  }
  std::fflush(out_);
  last_ = now;
}

void ProgressBar::finish_line() {
  if (interactive_ && drawn_) {
    std::fputc('\n', out_);
    std::fflush(out_);
  }
  drawn_ = false;
}

}  // namespace nabla::train
