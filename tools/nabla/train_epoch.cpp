#include "train_epoch.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "nabla/autograd.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"

namespace nabla::cli {

namespace {

using Clock = std::chrono::steady_clock;

void report_divergence(const TrainLoop& L, double loss, int64_t epoch, int64_t step) {
  const bool have_last = !L.last_checkpoint.empty() && std::filesystem::exists(L.last_checkpoint);
  std::fprintf(stderr,
               "nabla train: the loss became %s at epoch %lld, step %lld (lr %.4g); stopping. The last good "
               "checkpoint is %s\n",
               std::isnan(loss) ? "NaN" : "infinite", static_cast<long long>(epoch), static_cast<long long>(step),
               L.opt.lr(0),
               have_last ? L.last_checkpoint.c_str() : "(none: it diverged in the first epoch)");
}

}  // namespace

EpochStats train_epoch(TrainLoop& L, int64_t epoch, int64_t& global_step) {
  L.model.train();
  EpochStats st;
  int64_t step_in_epoch = 0;
  const auto epoch_start = Clock::now();
  for (const data::Batch& batch : L.loader) {
    const Tensor& x = batch.input;
    const Tensor& y = batch.target;
    const Tensor logits = L.model(x);
    Tensor loss = nn::functional::cross_entropy(logits, y);
    const double lv = loss.item();
    if (!std::isfinite(lv)) {
      st.diverged = true;
      if (L.bar) L.bar->finish_line();
      report_divergence(L, lv, epoch, global_step + 1);
      break;
    }
    L.opt.zero_grad();
    loss.backward();
    L.opt.step();
    if (L.sched && L.per_batch_schedule && global_step + 1 < L.total_steps) L.sched->step();
    const int64_t b = y.size(0);
    {
      NoGradGuard no_grad;
      st.correct += static_cast<int64_t>(eq(argmax(logits.detach(), 1), y).sum().item());
    }
    st.loss_sum += lv * double(b);
    st.seen += b;
    ++step_in_epoch;
    ++global_step;
    if (!L.bar) continue;
    const auto now = Clock::now();
    train::ProgressState ps;
    ps.epoch = epoch;
    ps.epochs = L.epochs;
    ps.step = step_in_epoch;
    ps.steps = L.steps_per_epoch;
    ps.loss = st.loss_sum / double(st.seen);
    ps.acc = double(st.correct) / double(st.seen);
    ps.images_per_s = double(st.seen) / std::chrono::duration<double>(now - epoch_start).count();
    ps.eta_s = std::chrono::duration<double>(now - L.run_start).count() / double(global_step - L.first_step) *
               double(L.total_steps - global_step);
    L.bar->update(ps);
  }
  if (L.bar) L.bar->finish_line();
  st.seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
  return st;
}

}  // namespace nabla::cli
