#pragma once
// The learning-rate range test (Smith 2017; `nabla train --lr-find`, Trainer::lr_find): train from the initial weights while the
// learning rate grows geometrically from min_lr to max_lr, one step per batch, and record the
// smoothed loss. The loss falls once the rate is large enough to learn and blows up when it is
// too large; a good rate lies about a decade below the minimum of the curve.
#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"

namespace nabla::train {

/// The curve of a range test and the suggested rate (the loss minimum's rate divided by 10).
struct LrFindResult {
  std::vector<double> lrs, losses;  ///< losses smoothed exponentially (β = 0.98, bias-corrected)
  double suggested_lr = 0;
};

/// Runs the test for at most `steps` batches from `loader` (epoch after epoch), stopping early when
/// the smoothed loss exceeds 4× its minimum or becomes non-finite. Changes the model's weights and
/// the optimizer's lr.
LrFindResult lr_range_test(nn::UnaryModule& model, optim::Optimizer& opt, data::DataLoader& loader, double min_lr = 1e-6,
                           double max_lr = 10.0, int64_t steps = 200);

}  // namespace nabla::train
