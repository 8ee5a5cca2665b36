// train_model: data → model, optimizer, schedule → (resume) → epochs with validation, metrics,
// TensorBoard and checkpoints → test evaluation of the best checkpoint.
#include "trainer.h"

#include <omp.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "evaluate.h"
#include "lr_find.h"
#include "nabla/nabla.h"
#include "nabla/train/metrics_logger.h"
#include "nabla/train/summary_writer.h"
#include "nabla/viz.h"
#include "run_plots.h"
#include "train_epoch.h"
#include "train_setup.h"

namespace nabla::cli {

namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kMetricColumns = {"epoch",   "step",         "lr",        "train_loss", "train_acc",
                                                 "val_loss", "val_acc",     "images_per_s", "test_loss", "test_acc"};

// The epoch records of an earlier part of a resumed run (those up to `last_epoch`).
std::vector<train::MetricRecord> previous_records(const std::string& run_dir, int64_t last_epoch) {
  std::vector<train::MetricRecord> out;
  std::ifstream in(run_dir + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.contains("test_acc") || !j.contains("epoch") || j["epoch"].get<double>() > double(last_epoch))
      continue;
    train::MetricRecord r;
    for (const auto& [k, v] : j.items())
      if (v.is_number()) r[k] = v.get<double>();
    out.push_back(r);
  }
  return out;
}

void print_epoch(const train::MetricRecord& rec, int64_t epochs, double seconds) {
  std::printf("epoch %lld/%lld  lr %.4g  train loss %.4f acc %.2f%%", static_cast<long long>(rec.at("epoch")),
              static_cast<long long>(epochs), rec.at("lr"), rec.at("train_loss"), 100 * rec.at("train_acc"));
  if (rec.count("val_acc")) std::printf("  val loss %.4f acc %.2f%%", rec.at("val_loss"), 100 * rec.at("val_acc"));
  std::printf("  %.0f img/s  (%.1f s)\n", rec.at("images_per_s"), seconds);
  std::fflush(stdout);
}

void write_curves_from(const std::string& run_dir, const std::vector<train::MetricRecord>& records) {
  std::vector<double> ep, tl, ta, vl, va;
  for (const auto& r : records) {
    if (!r.count("train_loss")) continue;
    ep.push_back(r.at("epoch"));
    tl.push_back(r.at("train_loss"));
    ta.push_back(r.at("train_acc"));
    if (r.count("val_loss")) {
      vl.push_back(r.at("val_loss"));
      va.push_back(r.at("val_acc"));
    }
  }
  write_curves(run_dir, ep, tl, vl, ta, va);
}

std::vector<int64_t> first_n(const std::vector<int64_t>& v, int64_t n) {
  return {v.begin(), v.begin() + std::min<int64_t>(n, static_cast<int64_t>(v.size()))};
}

}  // namespace

TrainResult train_model(const TrainConfig& c, const TrainOptions& options) {
  TrainResult result;
  const auto run_start = Clock::now();
  omp_set_num_threads(static_cast<int>(c.train.threads));
  const bool resuming = !options.resume_from.empty();
  const bool verbose = options.verbose;

  // ---- data ------------------------------------------------------------------------------------
  FashionData loaded;
  if (!options.data) loaded = load_fashion_data(c.data.dir, c.data.val_size, static_cast<uint64_t>(c.train.seed));
  const FashionData& data = options.data ? *options.data : loaded;
  std::vector<int64_t> train_idx = options.train_indices ? *options.train_indices : data.train_indices;
  const std::vector<int64_t>& val_idx = options.val_indices ? *options.val_indices : data.val_indices;
  if (c.data.train_subset > 0) train_idx = first_n(train_idx, c.data.train_subset);
  const bool overfit = c.train.overfit_batches > 0;
  if (overfit) train_idx = first_n(train_idx, c.train.overfit_batches * c.train.batch_size);
  NABLA_CHECK(!train_idx.empty(), "nabla train: no training images left (data.train_subset / val_size)");
  Normalization norm;
  if (resuming) norm = read_run_info(options.resume_from).norm;
  else if (c.data.normalize == "train") norm = compute_normalization(data.train_file, train_idx);
  const ImageSet val_set = materialize(*data.train_file, val_idx, norm);
  ImageSet test;
  if (options.write_run) {
    std::vector<int64_t> test_idx(static_cast<size_t>(data.test_file->size()));
    for (size_t i = 0; i < test_idx.size(); ++i) test_idx[i] = static_cast<int64_t>(i);
    if (c.data.test_subset > 0) test_idx = first_n(test_idx, c.data.test_subset);
    test = materialize(*data.test_file, test_idx, norm);
  }
  if (verbose)
    std::printf("data: %zu train, %lld validation, %lld test images; augment %s, normalise mean %.4f std %.4f%s\n",
                train_idx.size(), static_cast<long long>(val_set.size()), static_cast<long long>(test.size()),
                c.data.augment.c_str(), norm.mean, norm.std, overfit ? " (overfitting a fixed subset, no shuffling)" : "");
  LoaderSettings ls;
  ls.batch_size = c.train.batch_size;
  ls.shuffle = !overfit;
  ls.drop_last = c.data.drop_last;
  ls.seed = static_cast<uint64_t>(c.train.seed) + 1;
  ls.workers = static_cast<int>(c.data.workers);
  ls.augment = c.data.augment;
  ls.norm = norm;
  auto loader = make_train_loader(data.train_file, train_idx, ls);
  NABLA_CHECK(loader->size() > 0, "nabla train: no training batch (", train_idx.size(), " images, batch size ",
              c.train.batch_size, ", drop_last)");

  // The run directory is made once the data loaded, so bad input leaves no empty run behind.
  std::string run_dir;
  if (options.write_run) {
    run_dir = resuming ? std::filesystem::path(options.resume_from).parent_path().string()
                       : c.train.out_dir + "/" + c.train.name;
    if (run_dir.empty()) run_dir = ".";
    std::filesystem::create_directories(run_dir);
    viz::write_text_atomic(run_dir + "/config.toml", to_toml(c));
    if (verbose) std::printf("run directory: %s\n", run_dir.c_str());
  }
  result.run_dir = run_dir;

  // ---- model, optimizer, schedule --------------------------------------------------------------
  manual_seed(static_cast<uint64_t>(c.train.seed));
  const models::ModelOptions mopt = model_options(c);
  auto model = models::create(c.model.name, mopt);
  const int64_t num_classes = mopt.num_classes;
  if (verbose)
    std::printf("model: %s, %lld parameters\n", c.model.name.c_str(), static_cast<long long>(model->num_parameters()));
  auto opt = make_optimizer(c, model->parameters());
  const int64_t steps_per_epoch = loader->size();
  const int64_t total_steps = steps_per_epoch * c.train.epochs;
  auto sched = make_scheduler(c, *opt, total_steps);

  if (c.train.lr_find && options.write_run) {
    const LrFindResult r = lr_range_test(*model, *opt, *loader);
    write_lr_find(run_dir, r);
    std::printf("learning-rate range test: %zu steps, loss lowest at lr %.3g; suggested lr %.3g (see %s/lr_find.svg)\n",
                r.lrs.size(), r.suggested_lr * 10, r.suggested_lr, run_dir.c_str());
    return result;
  }

  RunState state;
  state.model = model.get();
  state.optimizer = opt.get();
  state.scheduler = sched.get();
  if (resuming) {
    load_run_checkpoint(options.resume_from, state);
    loader->set_epoch(static_cast<uint64_t>(state.loader_epoch));
    if (verbose)
      std::printf("resumed from %s after epoch %lld (step %lld)\n", options.resume_from.c_str(),
                  static_cast<long long>(state.epoch), static_cast<long long>(state.global_step));
  } else if (verbose) {  // The loss before training should be close to ln C (uniform predictions).
    const EvalResult r = evaluate(*model, materialize(*data.train_file, first_n(train_idx, 1000), norm), num_classes);
    std::printf("initial loss %.4f (expected about ln %lld = %.4f)\n", r.loss, static_cast<long long>(num_classes),
                std::log(double(num_classes)));
  }

  std::unique_ptr<train::MetricsLogger> metrics;
  std::unique_ptr<train::SummaryWriter> tb;
  if (options.write_run) {
    metrics = std::make_unique<train::MetricsLogger>(run_dir, kMetricColumns);
    if (resuming)
      for (const auto& r : previous_records(run_dir, state.epoch)) metrics->log(r);
    tb = std::make_unique<train::SummaryWriter>(run_dir);
  }
  std::unique_ptr<train::ProgressBar> bar;
  if (verbose)
    bar = std::make_unique<train::ProgressBar>(stderr, isatty(fileno(stderr)) != 0, static_cast<double>(c.train.log_interval_s));
  const std::string last_path = run_dir + "/last.safetensors", best_path = run_dir + "/best.safetensors";
  RunInfo info{c.model.name, mopt, norm, c, 0.0};
  result.best_val_acc = state.best_val_acc.value_or(NAN);

  TrainLoop loop{*model,     *opt,        sched.get(),       schedule_steps_per_batch(c),
                 *loader,    bar.get(),   c.train.epochs,    total_steps,
                 steps_per_epoch, state.global_step, Clock::now(), options.write_run ? last_path : ""};
  const int64_t last_epoch = options.stop_after_epoch > 0 ? std::min(options.stop_after_epoch, c.train.epochs) : c.train.epochs;
  for (int64_t epoch = state.epoch + 1; epoch <= last_epoch; ++epoch) {
    const double lr_at_start = opt->lr(0);
    const EpochStats st = train_epoch(loop, epoch, state.global_step);
    if (st.diverged) {
      result.diverged = true;
      break;
    }
    if (sched && !loop.per_batch_schedule) sched->step();
    train::MetricRecord rec = {{"epoch", double(epoch)},
                               {"step", double(state.global_step)},
                               {"lr", lr_at_start},
                               {"train_loss", st.loss_sum / double(st.seen)},
                               {"train_acc", double(st.correct) / double(st.seen)},
                               {"images_per_s", double(st.seen) / st.seconds}};
    double val_acc = rec["train_acc"];
    if (val_set.size() > 0) {
      const EvalResult v = evaluate(*model, val_set, num_classes);
      rec["val_loss"] = result.last_val_loss = v.loss;
      rec["val_acc"] = val_acc = v.acc;
    }
    result.last_val_acc = val_acc;
    result.last_train_loss = rec["train_loss"];
    result.epochs_done = epoch;
    if (verbose) print_epoch(rec, c.train.epochs, st.seconds);
    const bool improved = !state.best_val_acc || val_acc > *state.best_val_acc;
    if (improved) state.best_val_acc = val_acc;
    result.best_val_acc = *state.best_val_acc;
    if (!options.write_run) continue;
    metrics->log(rec);
    for (const auto& [key, value] : rec)
      if (key != "epoch" && key != "step") tb->add_scalar(key, value, state.global_step);
    for (const auto& [pname, p] : model->named_parameters()) tb->add_histogram(pname, p, state.global_step);
    state.epoch = epoch;
    state.loader_epoch = static_cast<int64_t>(loader->epoch());
    info.val_acc = val_acc;
    save_run_checkpoint(last_path, state, info);
    if (improved) save_run_checkpoint(best_path, state, info);
  }
  result.global_step = state.global_step;
  result.status = result.diverged ? 2 : 0;
  result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  if (!options.write_run) return result;
  write_curves_from(run_dir, metrics->records());
  if (result.diverged || result.epochs_done < c.train.epochs) return result;  // diverged or stopped early

  // ---- test with the best checkpoint -----------------------------------------------------------
  const LoadedModel best = load_model_checkpoint(best_path);
  const EvalResult t = evaluate(*best.model, test, num_classes);
  result.test_acc = t.acc;
  result.test_loss = t.loss;
  metrics->log({{"epoch", double(c.train.epochs)}, {"step", double(state.global_step)}, {"test_loss", t.loss}, {"test_acc", t.acc}});
  tb->add_scalar("test_acc", t.acc, state.global_step);
  tb->add_scalar("test_loss", t.loss, state.global_step);
  if (test.size() > 0) {
    const Tensor grid = viz::make_grid(test.images.narrow(0, 0, std::min<int64_t>(32, test.size())), 8, 2, true);
    tb->add_image_png("test_images", viz::encode_png(grid), grid.size(1), grid.size(2), grid.size(0), state.global_step);
  }
  write_confusion(run_dir, t, fashion_class_names());
  result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  std::printf("test loss %.4f  test accuracy %.2f%% (best epoch by validation: %lld)  total %.1f s\n", t.loss,
              100 * t.acc, static_cast<long long>(best.epoch), result.seconds);
  if (t.acc < c.train.min_test_acc) {
    std::fprintf(stderr, "nabla train: test accuracy %.4f is below train.min_test_acc %.4f\n", t.acc, c.train.min_test_acc);
    result.status = 1;
  }
  return result;
}

}  // namespace nabla::cli
