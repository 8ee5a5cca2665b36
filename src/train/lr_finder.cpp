#include "nabla/train/lr_finder.h"

#include <cmath>
#include <cstdio>

#include "nabla/nn/functional/loss.h"

namespace nabla::train {

LrFindResult lr_range_test(nn::UnaryModule& model, optim::Optimizer& opt, data::DataLoader& loader, double min_lr,
                           double max_lr, int64_t steps) {
  LrFindResult r;
  const double factor = std::pow(max_lr / min_lr, 1.0 / double(std::max<int64_t>(steps - 1, 1)));
  double lr = min_lr, avg = 0, best = INFINITY;
  int64_t step = 0;
  model.train();
  bool done = false;
  while (!done) {  // as many passes over the data as the steps need
    for (const data::Batch& batch : loader) {
      const Tensor& x = batch.input;
      const Tensor& y = batch.target;
      for (size_t g = 0; g < opt.num_param_groups(); ++g) opt.set_lr(g, lr);
      Tensor loss = nn::functional::cross_entropy(model(x), y);
      const double lv = loss.item();
      avg = 0.98 * avg + 0.02 * lv;
      const double smoothed = avg / (1.0 - std::pow(0.98, double(step + 1)));
      if (!std::isfinite(smoothed) || (step > 10 && smoothed > 4 * best)) {
        done = true;
        break;
      }
      best = std::min(best, smoothed);
      r.lrs.push_back(lr);
      r.losses.push_back(smoothed);
      opt.zero_grad();
      loss.backward();
      opt.step();
      lr *= factor;
      done = ++step >= steps;
      if (done) break;
    }
  }
  size_t best_i = 0;
  for (size_t i = 0; i < r.losses.size(); ++i)
    if (r.losses[i] < r.losses[best_i]) best_i = i;
  r.suggested_lr = r.lrs.empty() ? 0.0 : r.lrs[best_i] / 10.0;
  return r;
}

}  // namespace nabla::train
