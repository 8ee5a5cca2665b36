#include "train_setup.h"

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "nabla/error.h"
#include "nabla/optim.h"
#include "nabla/optim/warmup.h"
#include "nabla/viz.h"

namespace nabla::cli {

models::ModelSpec model_spec(const TrainConfig& c, const ImageData& data) {
  return {c.model.name, {data.num_classes(), data.input_shape}, model_options(c)};
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& c, const std::vector<Tensor>& params) {
  const auto& o = c.optimizer;
  if (o.name == "sgd")
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions{.lr = o.lr, .momentum = o.momentum, .weight_decay = o.weight_decay, .nesterov = o.nesterov});
  if (o.name == "adam") return std::make_unique<optim::Adam>(params, optim::AdamOptions{.lr = o.lr, .weight_decay = o.weight_decay});
  return std::make_unique<optim::AdamW>(params, optim::AdamWOptions{.lr = o.lr, .weight_decay = o.weight_decay});
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& c, optim::Optimizer& opt, int64_t total_steps) {
  const auto& s = c.schedule;
  if (s.name == "onecycle") {
    optim::OneCycleLROptions o;
    o.max_lr = c.optimizer.lr;
    o.total_steps = total_steps;
    o.pct_start = s.warmup_pct;
    o.cycle_momentum = c.optimizer.name != "sgd" || c.optimizer.momentum > 0;
    return std::make_unique<optim::OneCycleLR>(opt, o);
  }
  const int64_t warmup = warmup_steps(c, total_steps);
  if (s.name == "cosine" && warmup > 0)
    return std::make_unique<optim::LambdaLR>(opt, optim::cosine_with_warmup(warmup, total_steps));
  if (s.name == "cosine") return std::make_unique<optim::CosineAnnealingLR>(opt, total_steps);
  if (s.name == "constant" && warmup > 0) return std::make_unique<optim::LambdaLR>(opt, optim::constant_with_warmup(warmup));
  if (s.name == "step") return std::make_unique<optim::StepLR>(opt, s.step_size, s.gamma);
  return nullptr;
}

bool schedule_steps_per_batch(const TrainConfig& c) {
  return c.schedule.name == "onecycle" || c.schedule.name == "cosine" ||
         (c.schedule.name == "constant" && (c.schedule.warmup_epochs > 0 || c.schedule.warmup_steps > 0));
}

int64_t warmup_steps(const TrainConfig& c, int64_t total_steps) {
  const int64_t steps = c.schedule.warmup_steps > 0 ? c.schedule.warmup_steps
                                                    : c.schedule.warmup_epochs * (total_steps / c.train.epochs);
  NABLA_CHECK(steps == 0 || steps < total_steps, "nabla train: the warmup (", steps, " steps) must be shorter than the run (",
              total_steps, " steps)");
  return steps;
}

std::string prepare_run_dir(const TrainConfig& c, const std::string& resume_from, bool write_run, bool verbose) {
  if (!write_run) return "";
  std::string run_dir = !resume_from.empty() ? std::filesystem::path(resume_from).parent_path().string()
                                             : c.train.out_dir + "/" + c.train.name;
  if (run_dir.empty()) run_dir = ".";
  std::filesystem::create_directories(run_dir);
  viz::write_text_atomic(run_dir + "/config.toml", to_toml(c));
  if (verbose) std::printf("run directory: %s\n", run_dir.c_str());
  return run_dir;
}

std::string default_run_name(const std::string& model) {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&t));
  return model + "_" + buf;
}

}  // namespace nabla::cli
