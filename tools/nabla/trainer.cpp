// train_model: data → model, optimizer, schedule → (resume) → epochs with validation, metrics,
// TensorBoard and checkpoints → test evaluation of the best checkpoint.
#include "trainer.h"

#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "checkpoint.h"
#include "nabla/io/pytorch.h"
#include "nabla/nabla.h"
#include "nabla/train/evaluate.h"
#include "nabla/train/transfer.h"
#include "nabla/train/trainer.h"
#include "nabla/viz.h"
#include "run_plots.h"
#include "train_setup.h"

namespace nabla::cli {

namespace {

using Clock = std::chrono::steady_clock;

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

// train.init: the weights of a `nabla train` checkpoint, strictly by name. The classifier head
// keeps its fresh initialisation where its shape differs (another number of classes) or where the
// task differs (another dataset or data.classes): its weights belong to the source's classes.
// train.init with a PyTorch file: its state dict (train.init_key picks a nested entry), strictly
// by name as above, the head keeping its initialisation where its shape differs (the file says
// nothing of its task). Non-strict: the tensors the model has, with the same shape, are loaded;
// the missing, unexpected and mis-shaped keys are printed.
std::vector<std::string> init_weights_pytorch(nn::UnaryModule& model, const TrainConfig& c, bool verbose) {
  const std::string& path = c.train.init;
  StateDict source = io::load_pytorch(path, c.train.init_key);
  const std::string head = train::classifier_head(model);
  std::vector<std::string> missing, unexpected, mismatched;
  if (c.train.init_non_strict) {
    const StateDict own = model.state_dict();
    const std::string head_prefix = head + ".";
    StateDict merged = own;
    for (const auto& [key, t] : source) {
      const auto it = own.find(key);
      if (it == own.end()) unexpected.push_back(key);
      else if (it->second.shape() == t.shape() || key.compare(0, head_prefix.size(), head_prefix) == 0) merged[key] = t;
      else mismatched.push_back(key + " " + str_cat(t.shape()) + " -> " + str_cat(it->second.shape()));
    }
    for (const auto& [key, t] : own)
      if (!source.count(key)) missing.push_back(key);
    source = std::move(merged);
  }
  train::InitResult r;
  try {
    r = train::init_from(model, source, head, true);
  } catch (const Error& e) {
    throw Error("nabla train: train.init = " + path + " (PyTorch): " + e.what() +
                " (--init-non-strict loads the tensors that match)");
  }
  if (c.train.init_non_strict) r.loaded -= static_cast<int64_t>(missing.size() + mismatched.size());
  if (verbose) {
    std::printf("init: %lld tensors from %s (PyTorch%s)\n", static_cast<long long>(r.loaded), path.c_str(),
                c.train.init_key.empty() ? "" : (", key " + c.train.init_key).c_str());
    auto list = [](const char* what, const std::vector<std::string>& keys) {
      if (keys.empty()) return;
      std::printf("init: %s keys (%zu):", what, keys.size());
      for (size_t i = 0; i < keys.size(); ++i) std::printf("%s %s", i ? "," : "", keys[i].c_str());
      std::printf("\n");
    };
    list("missing", missing);
    list("unexpected", unexpected);
    list("mis-shaped (kept the model's)", mismatched);
    list("head re-initialised (shape differs)", r.reinitialized);
  }
  return r.reinitialized;
}

std::vector<std::string> init_weights(nn::UnaryModule& model, const TrainConfig& c, bool verbose) {
  const std::string& path = c.train.init;
  if (io::is_pytorch_file(path)) return init_weights_pytorch(model, c, verbose);
  NABLA_CHECK(c.train.init_key.empty() && !c.train.init_non_strict, "nabla train: train.init_key and "
              "train.init_non_strict apply to PyTorch files; ", path, " is not one");
  const LoadedModel source = load_model_checkpoint(path);
  const std::string head = train::classifier_head(model);
  const TrainConfig::Data& from = source.info.config.data;
  const bool same_task = from.name == c.data.name && from.classes == c.data.classes;
  train::InitResult r;
  try {
    r = train::init_from(model, source.model->state_dict(), head, same_task);
  } catch (const Error& e) {
    throw Error("nabla train: train.init = " + path + " (model " + source.spec.name + "): " + e.what());
  }
  if (verbose) {
    std::printf("init: %lld tensors from %s (model %s)", static_cast<long long>(r.loaded), path.c_str(), source.spec.name.c_str());
    if (r.reinitialized.empty()) std::printf("\n");
    for (size_t i = 0; i < r.reinitialized.size(); ++i)
      std::printf("%s%s", i ? ", " : same_task ? "; head re-initialised (shape differs): " : "; head re-initialised (another task): ",
                  r.reinitialized[i].c_str());
    if (!r.reinitialized.empty()) std::printf("\n");
  }
  return r.reinitialized;
}

// train.freeze = backbone: every parameter outside the classifier head is frozen and the
// backbone's modules stay in eval mode (returned for the training step).
std::vector<std::shared_ptr<nn::Module>> freeze_backbone(nn::UnaryModule& model, bool verbose) {
  const std::string head = train::classifier_head(model);
  auto frozen = train::freeze_all_but(model, head);
  if (verbose)
    std::printf("freeze: backbone frozen (eval mode), training the head '%s': %lld of %lld parameters\n", head.c_str(),
                static_cast<long long>(model.num_parameters(/*only_trainable=*/true)),
                static_cast<long long>(model.num_parameters()));
  return frozen;
}

// The final report of a run: test accuracy (and with TTA), wall time, seed and command line.
std::string run_report(const TrainConfig& c, const TrainResult& r, const std::string& command_line) {
  char line[256];
  std::string out = "report:\n";
  std::snprintf(line, sizeof line, "  model            %s\n", c.model.name.c_str());
  out += line;
  std::snprintf(line, sizeof line, "  test accuracy    %.2f%%\n", 100 * r.test_acc);
  out += line;
  if (c.train.tta) {
    std::snprintf(line, sizeof line, "  with flip TTA    %.2f%%\n", 100 * r.test_acc_tta);
    out += line;
  }
  std::snprintf(line, sizeof line, "  wall time        %.1f s\n  seed             %lld\n", r.seconds,
                static_cast<long long>(c.train.seed));
  out += line;
  out += "  command          " + (command_line.empty() ? std::string("(train_model called directly)") : command_line) + "\n";
  return out;
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
  ImageData loaded;
  if (!options.data) loaded = load_image_data(c.data, static_cast<uint64_t>(c.train.seed));
  const ImageData& data = options.data ? *options.data : loaded;
  std::vector<int64_t> train_idx = options.train_indices ? *options.train_indices : data.train_indices;
  const std::vector<int64_t>& val_idx = options.val_indices ? *options.val_indices : data.val_indices;
  if (c.data.train_subset > 0) train_idx = first_n(train_idx, c.data.train_subset);
  const bool overfit = c.train.overfit_batches > 0;
  if (overfit) train_idx = first_n(train_idx, c.train.overfit_batches * c.train.batch_size);
  NABLA_CHECK(!train_idx.empty(), "nabla train: no training images left (data.train_subset / val_size)");
  Normalization norm;
  if (resuming) norm = read_run_info(options.resume_from).norm;
  else if (c.data.normalize != "fixed" || data.input_shape.size() == 1)
    norm = compute_normalization(data.train_file, train_idx, c.data.normalize == "channel" && data.input_shape.size() == 3);
  const ImageSet val_set = materialize(*data.train_file, val_idx, norm);
  ImageSet test;
  if (options.write_run && data.test_file) {
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
  ls.loader.batch_size = c.train.batch_size;
  ls.loader.shuffle = !overfit;
  ls.loader.drop_last = c.data.drop_last;
  ls.loader.seed = static_cast<uint64_t>(c.train.seed) + 1;
  ls.loader.num_workers = static_cast<int>(c.data.workers);
  ls.augment = c.data.augment;
  ls.crop_padding = c.data.crop_padding;
  ls.erasing = c.data.erasing;
  ls.erasing_scale_min = c.data.erasing_scale_min;
  ls.erasing_scale_max = c.data.erasing_scale_max;
  ls.cutout = c.data.cutout;
  ls.mixup_alpha = c.data.mixup_alpha;
  ls.cutmix_alpha = c.data.cutmix_alpha;
  ls.mix_prob = c.data.mix_prob;
  ls.num_classes = data.num_classes();
  ls.norm = norm;
  const bool image_only = c.data.augment != "none" || c.data.erasing > 0 || c.data.cutout > 0 || c.data.cutmix_alpha > 0 || c.train.tta;
  NABLA_CHECK(!image_only || data.input_shape.size() == 3, "nabla train: data.augment, erasing, cutout, cutmix and train.tta",
              " need images, but ", c.data.name, " holds inputs of shape ", data.input_shape);
  ls.image_size = data.input_shape.back();
  auto loader = make_train_loader(data.train_file, train_idx, ls);
  NABLA_CHECK(loader->size() > 0, "nabla train: no training batch (", train_idx.size(), " images, batch size ",
              c.train.batch_size, ", drop_last)");

  // ---- model (seeded), then the run directory ------------------------------------------------
  manual_seed(static_cast<uint64_t>(c.train.seed));
  const models::ModelSpec spec = model_spec(c, data);
  auto model = models::create(spec.name, spec.data, spec.options);
  const int64_t num_classes = spec.data.num_classes;
  std::vector<std::shared_ptr<nn::Module>> frozen;
  if (!c.train.init.empty() && !resuming) result.reinitialized = init_weights(*model, c, verbose);
  if (c.train.freeze == "backbone") frozen = freeze_backbone(*model, verbose);

  // The run directory is made once the data loaded and the model fits it, so bad input leaves no
  // empty run behind.
  const std::string run_dir = prepare_run_dir(c, options.resume_from, options.write_run, verbose);
  result.run_dir = run_dir;

  // ---- optimizer, schedule ---------------------------------------------------------------------
  if (verbose)
    std::printf("model: %s, %lld parameters\n", c.model.name.c_str(), static_cast<long long>(model->num_parameters()));
  std::vector<Tensor> trained_params;  // all, or the head's alone with a frozen backbone
  for (const Tensor& p : model->parameters())
    if (p.requires_grad()) trained_params.push_back(p);
  auto opt = make_optimizer(c, trained_params);
  const int64_t steps_per_epoch = loader->size();
  const int64_t total_steps = steps_per_epoch * c.train.epochs;
  auto sched = make_scheduler(c, *opt, total_steps);

  train::TrainerOptions topt;
  topt.epochs = c.train.epochs;
  topt.stop_after_epoch = options.stop_after_epoch;
  topt.run_dir = run_dir;
  topt.progress = verbose;
  topt.progress_interval_s = static_cast<double>(c.train.log_interval_s);
  topt.print_epochs = verbose;
  topt.name = "nabla train";
  train::Trainer trainer(*model, *loader, topt);
  trainer.set_optimizer(opt.get()).set_scheduler(sched.get(), schedule_steps_per_batch(c));
  trainer.set_step(train::classification_step(*model, *opt, {.label_smoothing = c.train.label_smoothing, .frozen = frozen}));
  if (val_set.size() > 0) trainer.set_eval(train::classification_eval(*model, val_set.images, val_set.labels, num_classes));
  RunInfo info{spec, norm, c, 0.0, data.class_names};
  trainer.set_checkpoint_json([&info](const train::MetricRecord& rec) {
    info.val_acc = rec.count("val_acc") ? rec.at("val_acc") : rec.at("train_acc");
    return run_checkpoint_json(info);
  });

  if (c.train.lr_find && options.write_run) {
    const train::LrFindResult r = trainer.lr_find();
    write_lr_find(run_dir, r);
    std::printf("learning-rate range test: %zu steps, loss lowest at lr %.3g; suggested lr %.3g (see %s/lr_find.svg)\n",
                r.lrs.size(), r.suggested_lr * 10, r.suggested_lr, run_dir.c_str());
    return result;
  }

  if (resuming) {
    try {
      trainer.resume(options.resume_from);
    } catch (const Error& e) {
      throw Error(std::string("nabla train --resume: ") + e.what());
    }
    if (verbose)
      std::printf("resumed from %s after epoch %lld (step %lld)\n", options.resume_from.c_str(),
                  static_cast<long long>(trainer.epoch()), static_cast<long long>(trainer.global_step()));
  } else if (verbose) {  // The loss before training should be close to ln C (uniform predictions).
    const ImageSet first = materialize(*data.train_file, first_n(train_idx, 1000), norm);
    const train::EvalResult r = train::evaluate(*model, first.images, first.labels, num_classes);
    std::printf("initial loss %.4f (expected about ln %lld = %.4f)\n", r.loss, static_cast<long long>(num_classes),
                std::log(double(num_classes)));
  }

  const train::FitResult fit = trainer.fit();
  result.diverged = fit.diverged;
  result.epochs_done = fit.epochs_done;
  result.global_step = fit.global_step;
  result.best_val_acc = fit.best.value_or(NAN);
  if (!fit.last.empty()) {
    result.last_train_loss = fit.last.at("train_loss");
    result.last_val_acc = fit.last.count("val_acc") ? fit.last.at("val_acc") : fit.last.at("train_acc");
    if (fit.last.count("val_loss")) result.last_val_loss = fit.last.at("val_loss");
  }
  result.status = result.diverged ? 2 : 0;
  result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  if (!options.write_run) return result;
  write_curves_from(run_dir, trainer.records());
  if (result.diverged || result.epochs_done < c.train.epochs) return result;  // diverged or stopped early
  if (test.size() == 0) {
    std::printf("no test images (%s in %s has no test part)\n", c.data.name.c_str(), c.data.dir.c_str());
    return result;
  }

  // ---- test with the best checkpoint -----------------------------------------------------------
  const LoadedModel best = load_model_checkpoint(trainer.best_checkpoint_path());
  const train::EvalResult t = train::evaluate(*best.model, test.images, test.labels, num_classes);
  result.test_acc = t.acc;
  result.test_loss = t.loss;
  const int64_t step = trainer.global_step();
  train::MetricRecord test_record = {{"epoch", double(c.train.epochs)}, {"step", double(step)}, {"test_loss", t.loss}, {"test_acc", t.acc}};
  if (c.train.tta) {
    const Tensor probs = train::predict_proba(*best.model, test.images, 500, /*flip_tta=*/true);
    result.test_acc_tta = train::evaluate_probabilities(probs, test.labels).acc;
    test_record["test_acc_tta"] = result.test_acc_tta;
    trainer.metrics_logger()->add_columns({"test_acc_tta"});
  }
  trainer.metrics_logger()->log(test_record);
  train::SummaryWriter& tb = *trainer.summary_writer();
  tb.add_scalar("test_acc", t.acc, step);
  tb.add_scalar("test_loss", t.loss, step);
  if (c.train.tta) tb.add_scalar("test_acc_tta", result.test_acc_tta, step);
  if (test.size() > 0 && test.images.dim() == 4) {  // images, not feature vectors
    const Tensor grid = viz::make_grid(test.images.narrow(0, 0, std::min<int64_t>(32, test.size())), 8, 2, true);
    tb.add_image_png("test_images", viz::encode_png(grid), grid.size(1), grid.size(2), grid.size(0), step);
  }
  write_confusion(run_dir, t, data.class_names);
  result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  std::printf("test loss %.4f  test accuracy %.2f%% (best epoch by validation: %lld)  total %.1f s\n", t.loss,
              100 * t.acc, static_cast<long long>(best.epoch), result.seconds);
  const std::string report = run_report(c, result, options.command_line);
  std::fputs(report.c_str(), stdout);
  viz::write_text_atomic(run_dir + "/report.txt", report);
  if (t.acc < c.train.min_test_acc) {
    std::fprintf(stderr, "nabla train: test accuracy %.4f is below train.min_test_acc %.4f\n", t.acc, c.train.min_test_acc);
    result.status = 1;
  }
  return result;
}

}  // namespace nabla::cli
