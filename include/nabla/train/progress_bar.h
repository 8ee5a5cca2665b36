#pragma once
// A training progress display: drawn in place (carriage return) on a terminal, plain lines at a
// fixed interval otherwise (log files, CI).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace nabla::train {

/// What one progress line shows.
struct ProgressState {
  int64_t epoch = 1, epochs = 1;  ///< 1-based epoch and the total
  int64_t step = 0, steps = 0;    ///< batches done in this epoch and per epoch
  double loss = 0, acc = 0;       ///< running means over the epoch so far
  bool show_acc = true;           ///< false for steps without an accuracy (language models)
  double images_per_s = 0;        ///< samples per second, in `unit`
  std::string unit = "img";       ///< what a sample is ("img", "tok")
  double eta_s = 0;               ///< seconds left for the whole run
};

/// "epoch 2/10 [#######.....] 430/860 loss 0.4123 acc 85.12% 5321 img/s ETA 1m12s"; the bar
/// (of `bar_width` cells) is drawn only when bar_width > 0, the accuracy only with show_acc.
std::string format_progress(const ProgressState& s, int bar_width);

/// Seconds as "45s", "3m07s" or "1h02m".
std::string format_duration(double seconds);

/// Prints progress to `out`. interactive: redraws one line at most 10 times a second and ends it
/// with finish_line(); otherwise prints a full line every `interval_s` seconds. Example:
///   train::ProgressBar bar(stderr, isatty(2));
///   bar.update(state);  …  bar.finish_line();
class ProgressBar {
 public:
  ProgressBar(std::FILE* out, bool interactive, double interval_s = 10.0);
  /// Shows `s` if enough time has passed since the last draw (always for the last step).
  void update(const ProgressState& s);
  /// Terminal: ends the in-place line. Otherwise nothing.
  void finish_line();
  bool interactive() const { return interactive_; }

 private:
  std::FILE* out_;
  bool interactive_;
  double interval_s_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace nabla::train
