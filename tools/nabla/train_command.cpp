// `nabla train`: config → data → model → optimizer and schedule → epochs with validation →
// test evaluation, writing the run directory (config.toml, metrics, TensorBoard events,
// checkpoints, plots).
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

#include "checkpoint.h"
#include "commands.h"
#include "config.h"
#include "evaluate.h"
#include "fashion_data.h"
#include "lr_find.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/optim.h"
#include "nabla/train/metrics_logger.h"
#include "nabla/train/progress_bar.h"
#include "nabla/train/summary_writer.h"
#include "nabla/viz.h"
#include "run_plots.h"

namespace nabla::cli {

namespace {

using Clock = std::chrono::steady_clock;

void print_help() {
  std::printf(
      "Usage: nabla train [CONFIG.toml] [--section.key VALUE | --alias VALUE]...\n\n"
      "Trains a classifier on Fashion-MNIST. Values come from the defaults, then the config file,\n"
      "then the flags. Aliases: --lr --epochs --batch-size --seed --threads --model --optimizer\n"
      "--schedule --name --out-dir --data --momentum --weight-decay --overfit-batches --min-test-acc\n"
      "--lr-find\n\n"
      "Config keys (default value):\n");
  for (const auto& k : config_keys(TrainConfig{}))
    std::printf("  %-24s %-14s %-12s %s\n", k.key.c_str(), k.type.c_str(), k.value.c_str(), k.help.c_str());
}

std::string default_run_name(const std::string& model) {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&t));
  return model + "_" + buf;
}

models::ModelOptions model_options(const TrainConfig& c) {
  models::ModelOptions o;
  o.num_classes = 10;
  o.in_channels = 1;
  o.image_size = 28;
  o.hidden = c.model.hidden;
  o.batch_norm = c.model.batch_norm;
  o.dropout = c.model.dropout;
  return o;
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& c, const std::vector<Tensor>& params) {
  const auto& o = c.optimizer;
  if (o.name == "sgd")
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions{.lr = o.lr, .momentum = o.momentum, .weight_decay = o.weight_decay, .nesterov = o.nesterov});
  if (o.name == "adam") return std::make_unique<optim::Adam>(params, optim::AdamOptions{.lr = o.lr, .weight_decay = o.weight_decay});
  return std::make_unique<optim::AdamW>(params, optim::AdamWOptions{.lr = o.lr, .weight_decay = o.weight_decay});
}

// Per-batch schedules step after every optimizer step; "step" steps once per epoch.
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
  if (s.name == "cosine") return std::make_unique<optim::CosineAnnealingLR>(opt, total_steps);
  if (s.name == "step") return std::make_unique<optim::StepLR>(opt, s.step_size, s.gamma);
  return nullptr;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Everything one epoch of training touches.
struct TrainLoop {
  nn::Module& model;
  optim::Optimizer& opt;
  optim::LRScheduler* sched;  // may be null (constant lr)
  bool per_batch_schedule;
  const ImageSet& data;
  const TrainConfig& config;
  Generator& shuffle_gen;
  train::ProgressBar& bar;
  int64_t total_steps, steps_per_epoch;
  Clock::time_point run_start;
  std::string last_checkpoint;
};

struct EpochStats {
  double loss_sum = 0;  // sum over images of the batch-mean loss
  int64_t correct = 0, seen = 0;
  double seconds = 0;
  bool diverged = false;  // a non-finite loss stopped the epoch; nothing was stepped with it
};

// One pass over the training data: forward, loss, backward, step, per-batch schedule, progress.
EpochStats train_epoch(TrainLoop& L, int64_t epoch, int64_t& global_step) {
  L.model.train();
  EpochStats st;
  int64_t step_in_epoch = 0;
  const auto epoch_start = Clock::now();
  const bool shuffle = L.config.train.overfit_batches == 0;
  for_each_batch(L.data, L.config.train.batch_size, shuffle, L.shuffle_gen, [&](const Tensor& x, const Tensor& y) {
    const Tensor logits = L.model(x);
    Tensor loss = nn::functional::cross_entropy(logits, y);
    const double lv = loss.item();
    if (!std::isfinite(lv)) {
      st.diverged = true;
      L.bar.finish_line();
      const bool have_last = std::filesystem::exists(L.last_checkpoint);
      std::fprintf(stderr,
                   "nabla train: the loss became %s at epoch %lld, step %lld (lr %.4g); stopping. The last good "
                   "checkpoint is %s\n",
                   std::isnan(lv) ? "NaN" : "infinite", static_cast<long long>(epoch),
                   static_cast<long long>(global_step + 1), L.opt.param_groups()[0].get("lr"),
                   have_last ? L.last_checkpoint.c_str() : "(none: it diverged in the first epoch)");
      return false;
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
    const auto now = Clock::now();
    train::ProgressState ps;
    ps.epoch = epoch;
    ps.epochs = L.config.train.epochs;
    ps.step = step_in_epoch;
    ps.steps = L.steps_per_epoch;
    ps.loss = st.loss_sum / double(st.seen);
    ps.acc = double(st.correct) / double(st.seen);
    ps.images_per_s = double(st.seen) / std::chrono::duration<double>(now - epoch_start).count();
    ps.eta_s = std::chrono::duration<double>(now - L.run_start).count() / double(global_step) *
               double(L.total_steps - global_step);
    L.bar.update(ps);
    return true;
  });
  L.bar.finish_line();
  st.seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
  return st;
}

}  // namespace

int run_train(const std::vector<std::string>& args) {
  const TrainArgs parsed = parse_train_args(args);
  if (parsed.help) {
    print_help();
    return 0;
  }
  TrainConfig c = resolve_config(parsed);
  omp_set_num_threads(static_cast<int>(c.train.threads));
  if (c.train.name.empty()) c.train.name = default_run_name(c.model.name);

  // ---- data ------------------------------------------------------------------------------------
  const ImageSet full = load_fashion_mnist(c.data.dir, "train");
  ImageSet test = load_fashion_mnist(c.data.dir, "t10k");
  auto [train_set, val_set] = split_train_val(full, c.data.val_size, static_cast<uint64_t>(c.train.seed));
  auto first = [](const ImageSet& s, int64_t n) {
    return subset(s, arange(0, static_cast<double>(std::min(n, s.size())), 1.0, DType::Int64));
  };
  if (c.data.train_subset > 0) train_set = first(train_set, c.data.train_subset);
  if (c.data.test_subset > 0) test = first(test, c.data.test_subset);
  const bool overfit = c.train.overfit_batches > 0;
  if (overfit) train_set = first(train_set, c.train.overfit_batches * c.train.batch_size);
  std::printf("data: %lld train, %lld validation, %lld test images%s\n", static_cast<long long>(train_set.size()),
              static_cast<long long>(val_set.size()), static_cast<long long>(test.size()),
              overfit ? " (overfitting a fixed subset, no shuffling)" : "");

  // The run directory is made once the data loaded, so bad input leaves no empty run behind.
  const std::string run_dir = c.train.out_dir + "/" + c.train.name;
  std::filesystem::create_directories(run_dir);
  viz::write_text_atomic(run_dir + "/config.toml", to_toml(c));
  std::printf("run directory: %s\n", run_dir.c_str());

  // ---- model, optimizer, schedule --------------------------------------------------------------
  manual_seed(static_cast<uint64_t>(c.train.seed));
  const models::ModelOptions mopt = model_options(c);
  auto model = models::create(c.model.name, mopt);
  const int64_t num_classes = mopt.num_classes;
  std::printf("model: %s, %lld parameters\n", c.model.name.c_str(), static_cast<long long>(model->num_parameters()));
  auto opt = make_optimizer(c, model->parameters());
  const int64_t steps_per_epoch = (train_set.size() + c.train.batch_size - 1) / c.train.batch_size;
  const int64_t total_steps = steps_per_epoch * c.train.epochs;
  auto sched = make_scheduler(c, *opt, total_steps);
  const bool per_batch_schedule = c.schedule.name == "onecycle" || c.schedule.name == "cosine";

  if (c.train.lr_find) {
    Generator gen(static_cast<uint64_t>(c.train.seed) + 1);
    const LrFindResult r = lr_range_test(*model, *opt, train_set, c.train.batch_size, gen);
    write_lr_find(run_dir, r);
    std::printf("learning-rate range test: %zu steps, loss lowest at lr %.3g; suggested lr %.3g (see %s/lr_find.svg)\n",
                r.lrs.size(), r.suggested_lr * 10, r.suggested_lr, run_dir.c_str());
    return 0;
  }

  {  // The loss before training should be close to ln C (uniform predictions).
    const ImageSet probe = first(train_set, 1000);
    const EvalResult r = evaluate(*model, probe, num_classes);
    std::printf("initial loss %.4f (expected about ln %lld = %.4f)\n", r.loss, static_cast<long long>(num_classes),
                std::log(double(num_classes)));
  }

  train::MetricsLogger metrics(run_dir, {"epoch", "step", "lr", "train_loss", "train_acc", "val_loss", "val_acc",
                                         "images_per_s", "test_loss", "test_acc"});
  train::SummaryWriter tb(run_dir);
  train::ProgressBar bar(stderr, isatty(fileno(stderr)) != 0, static_cast<double>(c.train.log_interval_s));
  std::map<std::string, std::string> facts = {{"dataset", "fashion-mnist"},
                                              {"normalize_mean", fmt(kFashionMean)},
                                              {"normalize_std", fmt(kFashionStd)}};
  const std::string last_path = run_dir + "/last.safetensors", best_path = run_dir + "/best.safetensors";
  Generator shuffle_gen(static_cast<uint64_t>(c.train.seed) + 1);
  int64_t global_step = 0;
  double best_val = -1;
  bool diverged = false;
  std::vector<double> ep_x, tr_loss, tr_acc, va_loss, va_acc;
  const auto run_start = Clock::now();

  TrainLoop loop{*model, *opt, sched.get(), per_batch_schedule, train_set, c, shuffle_gen, bar, total_steps,
                 steps_per_epoch, run_start, last_path};
  for (int64_t epoch = 1; epoch <= c.train.epochs && !diverged; ++epoch) {
    const double lr_at_start = opt->param_groups()[0].get("lr");
    const EpochStats st = train_epoch(loop, epoch, global_step);
    diverged = st.diverged;
    if (diverged) break;
    const double loss_sum = st.loss_sum, epoch_s = st.seconds;
    const int64_t correct = st.correct, seen = st.seen;
    if (sched && !per_batch_schedule) sched->step();
    train::MetricRecord rec = {{"epoch", double(epoch)},
                               {"step", double(global_step)},
                               {"lr", lr_at_start},
                               {"train_loss", loss_sum / double(seen)},
                               {"train_acc", double(correct) / double(seen)},
                               {"images_per_s", double(seen) / epoch_s}};
    double val_acc = rec["train_acc"];
    if (val_set.size() > 0) {
      const EvalResult v = evaluate(*model, val_set, num_classes);
      rec["val_loss"] = v.loss;
      rec["val_acc"] = v.acc;
      val_acc = v.acc;
    }
    metrics.log(rec);
    for (const auto& [key, value] : rec)
      if (key != "epoch" && key != "step") tb.add_scalar(key, value, global_step);
    for (const auto& [pname, p] : model->named_parameters()) tb.add_histogram(pname, p, global_step);
    ep_x.push_back(double(epoch));
    tr_loss.push_back(rec["train_loss"]);
    tr_acc.push_back(rec["train_acc"]);
    if (rec.count("val_loss")) {
      va_loss.push_back(rec["val_loss"]);
      va_acc.push_back(rec["val_acc"]);
    }
    std::printf("epoch %lld/%lld  lr %.4g  train loss %.4f acc %.2f%%", static_cast<long long>(epoch),
                static_cast<long long>(c.train.epochs), lr_at_start, rec["train_loss"], 100 * rec["train_acc"]);
    if (rec.count("val_acc")) std::printf("  val loss %.4f acc %.2f%%", rec["val_loss"], 100 * rec["val_acc"]);
    std::printf("  %.0f img/s  (%.1f s)\n", rec["images_per_s"], epoch_s);
    std::fflush(stdout);

    facts["epoch"] = std::to_string(epoch);
    facts["val_acc"] = fmt(val_acc);
    save_checkpoint(last_path, *model, c.model.name, mopt, facts);
    if (val_acc > best_val) {
      best_val = val_acc;
      save_checkpoint(best_path, *model, c.model.name, mopt, facts);
    }
  }
  write_curves(run_dir, ep_x, tr_loss, va_loss, tr_acc, va_acc);
  if (diverged) return 2;

  // ---- test with the best checkpoint -----------------------------------------------------------
  LoadedModel best = load_checkpoint(best_path);
  const EvalResult t = evaluate(*best.model, test, num_classes);
  metrics.log({{"epoch", double(c.train.epochs)}, {"step", double(global_step)}, {"test_loss", t.loss}, {"test_acc", t.acc}});
  tb.add_scalar("test_acc", t.acc, global_step);
  tb.add_scalar("test_loss", t.loss, global_step);
  {
    const Tensor grid = viz::make_grid(test.images.narrow(0, 0, std::min<int64_t>(32, test.size())), 8, 2, true);
    tb.add_image_png("test_images", viz::encode_png(grid), grid.size(1), grid.size(2), grid.size(0), global_step);
  }
  write_confusion(run_dir, t, fashion_class_names());
  const double total_s = std::chrono::duration<double>(Clock::now() - run_start).count();
  std::printf("test loss %.4f  test accuracy %.2f%% (best epoch by validation: %s)  total %.1f s\n", t.loss,
              100 * t.acc, best.metadata["epoch"].c_str(), total_s);
  if (t.acc < c.train.min_test_acc) {
    std::fprintf(stderr, "nabla train: test accuracy %.4f is below train.min_test_acc %.4f\n", t.acc, c.train.min_test_acc);
    return 1;
  }
  return 0;
}

}  // namespace nabla::cli
