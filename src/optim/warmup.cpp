#include "nabla/optim/warmup.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "nabla/error.h"

namespace nabla::optim {

LambdaLR::Lambda cosine_with_warmup(int64_t warmup_steps, int64_t total_steps) {
  NABLA_CHECK(warmup_steps >= 0 && warmup_steps < total_steps,
              "cosine_with_warmup: expected 0 <= warmup_steps < total_steps, got ", warmup_steps, " and ", total_steps);
  const double w = static_cast<double>(warmup_steps), t = static_cast<double>(total_steps);
  return [w, t](int64_t epoch) {
    const double e = static_cast<double>(epoch);
    if (e < w) return (e + 1) / w;
    return 0.5 * (1 + std::cos(std::numbers::pi * std::min(e - w, t - w) / (t - w)));
  };
}

LambdaLR::Lambda constant_with_warmup(int64_t warmup_steps) {
  NABLA_CHECK(warmup_steps >= 0, "constant_with_warmup: warmup_steps must be >= 0, got ", warmup_steps);
  const double w = static_cast<double>(warmup_steps);
  return [w](int64_t epoch) { return w == 0 ? 1.0 : std::min(1.0, (static_cast<double>(epoch) + 1) / w); };
}

}  // namespace nabla::optim
