// Batch-level MixUp and CutMix with probability targets.
#include <cmath>

#include "data/label_check.h"
#include "data/random_util.h"
#include "nabla/data/transforms.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::data::transforms {

Tensor soft_targets(const Tensor& target, int64_t num_classes, const char* who) {
  NABLA_CHECK(target.defined(), who, ": the batch has no targets");
  if (target.dim() == 2) {
    NABLA_CHECK(target.size(1) == num_classes && is_floating(target.dtype()), who,
                ": probability targets must be floating (N, ", num_classes, "), got ", shape_str(target.shape()), " ",
                dtype_name(target.dtype()));
    return target.to(DType::Float32).contiguous();
  }
  NABLA_CHECK(target.dim() == 1 && target.dtype() == DType::Int64, who,
              ": expected int64 class indices (N) or probabilities (N, C), got ", shape_str(target.shape()), " ",
              dtype_name(target.dtype()));
  if (const std::optional<int64_t> i = detail::first_label_outside(target, num_classes))
    throw Error(str_cat(who, ": label ", target[*i].item<int64_t>(), " of sample ", *i, " is outside [0, ",
                        num_classes, ")"));
  return one_hot(target, num_classes).to(DType::Float32);
}

namespace {
/// The batch shifted by one along dim 0: row i of the result is row i − 1 (row 0 is row N − 1).
Tensor roll_batch(const Tensor& x) {
  const int64_t n = x.size(0);
  if (n <= 1) return x;
  return cat({x.slice(0, n - 1, n), x.slice(0, 0, n - 1)}, 0);
}

Tensor mix_targets(const Tensor& soft, double lam) {
  return (soft * lam + roll_batch(soft) * (1.0 - lam)).contiguous();
}
}  // namespace

MixUp::MixUp(int64_t classes, double a) : alpha(a), num_classes(classes) {
  NABLA_CHECK(classes >= 1 && a > 0, "MixUp: expected num_classes >= 1 and alpha > 0, got ", classes, " and ", a);
}

Batch MixUp::operator()(const Batch& batch, Generator& gen) const {
  NABLA_CHECK(batch.input.defined() && batch.input.dim() >= 1, "MixUp: the batch has no inputs");
  Tensor soft = soft_targets(batch.target, num_classes, "MixUp");
  NABLA_CHECK(soft.size(0) == batch.input.size(0), "MixUp: ", batch.input.size(0), " inputs but ", soft.size(0),
              " targets");
  const double lam = detail::beta_draw(gen, alpha, alpha);
  Tensor x = batch.input.to(DType::Float32);
  return {(x * lam + roll_batch(x) * (1.0 - lam)).contiguous(), mix_targets(soft, lam)};
}

CutMix::CutMix(int64_t classes, double a) : alpha(a), num_classes(classes) {
  NABLA_CHECK(classes >= 1 && a > 0, "CutMix: expected num_classes >= 1 and alpha > 0, got ", classes, " and ", a);
}

Batch CutMix::operator()(const Batch& batch, Generator& gen) const {
  NABLA_CHECK(batch.input.defined() && batch.input.dim() == 4, "CutMix: expected inputs (N, C, H, W), got ",
              batch.input.defined() ? shape_str(batch.input.shape()) : std::string("none"));
  Tensor soft = soft_targets(batch.target, num_classes, "CutMix");
  NABLA_CHECK(soft.size(0) == batch.input.size(0), "CutMix: ", batch.input.size(0), " inputs but ", soft.size(0),
              " targets");
  const double lam = detail::beta_draw(gen, alpha, alpha);
  Tensor x = batch.input.to(DType::Float32).contiguous();
  const int64_t h = x.size(2), w = x.size(3);
  const int64_t cx = detail::uniform_int(gen, 0, w), cy = detail::uniform_int(gen, 0, h);
  const double r = 0.5 * std::sqrt(1.0 - lam);
  const int64_t half_w = static_cast<int64_t>(r * static_cast<double>(w));
  const int64_t half_h = static_cast<int64_t>(r * static_cast<double>(h));
  const int64_t x0 = std::max<int64_t>(cx - half_w, 0), x1 = std::min<int64_t>(cx + half_w, w);
  const int64_t y0 = std::max<int64_t>(cy - half_h, 0), y1 = std::min<int64_t>(cy + half_h, h);
  Tensor out = x.clone();
  if (x1 > x0 && y1 > y0) {  // paste the box of the rolled batch
    Tensor box = out.slice(2, y0, y1).slice(3, x0, x1);
    box.copy_(roll_batch(x).slice(2, y0, y1).slice(3, x0, x1));
  }
  const double lam_adjusted = 1.0 - static_cast<double>((x1 - x0) * (y1 - y0)) / static_cast<double>(w * h);
  return {out, mix_targets(soft, lam_adjusted)};
}

}  // namespace nabla::data::transforms
