#include "lr_find.h"

#include <cmath>
#include <cstdio>

#include "nabla/nn/functional/loss.h"
#include "nabla/viz.h"

namespace nabla::cli {

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

void write_lr_find(const std::string& dir, const LrFindResult& result) {
  std::string csv = "lr,loss\n";
  char line[64];
  for (size_t i = 0; i < result.lrs.size(); ++i) {
    std::snprintf(line, sizeof line, "%.6g,%.6g\n", result.lrs[i], result.losses[i]);
    csv += line;
  }
  viz::write_text_atomic(dir + "/lr_find.csv", csv);
  viz::PlotOptions opt;
  opt.title = "Learning-rate range test";
  opt.x_label = "learning rate";
  opt.y_label = "smoothed training loss";
  opt.log_x = true;
  viz::write_text_atomic(dir + "/lr_find.svg", viz::line_plot_svg({{"loss", result.lrs, result.losses}}, opt));
}

}  // namespace nabla::cli
