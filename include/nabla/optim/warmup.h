#pragma once
// Learning-rate factors with a linear warmup for optim::LambdaLR, stepped once per batch:
//   optim::LambdaLR sched(opt, optim::cosine_with_warmup(/*warmup_steps=*/500, /*total_steps=*/20000));
// (inverse_sqrt_with_warmup, the Transformer schedule, is in lr_scheduler.h.)
#include <cstdint>

#include "nabla/optim/lr_scheduler.h"

namespace nabla::optim {

/// lr factor: linear warmup over warmup_steps, then cosine annealing to 0 at total_steps (the
/// image-classification recipe of timm and most papers): (e + 1)/warmup_steps for
/// e < warmup_steps, then (1 + cos(π·(e − warmup_steps)/(total_steps − warmup_steps)))/2.
/// warmup_steps 0 is plain cosine annealing. Raises Error unless 0 <= warmup_steps < total_steps.
LambdaLR::Lambda cosine_with_warmup(int64_t warmup_steps, int64_t total_steps);

/// lr factor: linear warmup over warmup_steps ((e + 1)/warmup_steps), then 1.
LambdaLR::Lambda constant_with_warmup(int64_t warmup_steps);

}  // namespace nabla::optim
