// train_language_model: corpus → character vocabulary → train/validation streams → model,
// optimizer, schedule → train::Trainer with a language-model step and evaluation.
#include "lm_trainer.h"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "lm_checkpoint.h"
#include "nabla/autograd.h"
#include "nabla/data/bptt_stream.h"
#include "nabla/data/dataloader.h"
#include "nabla/data/text.h"
#include "nabla/data/token_stream.h"
#include "nabla/error.h"
#include "nabla/models/lm_registry.h"
#include "nabla/nn/clip.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "nabla/train/trainer.h"
#include "nabla/viz.h"
#include "train_setup.h"

namespace nabla::cli {

namespace {

using Clock = std::chrono::steady_clock;

// Summed cross-entropy of logits (B, T, V) against targets (B, T).
Tensor summed_loss(const Tensor& logits, const Tensor& target) {
  return nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), target.reshape({-1}), Tensor(), -100,
                                       nn::Reduction::Sum);
}

// One optimizer step on a chunk or block. Recurrent models (Bptt) continue from the state their
// cache carries (forward_cached keeps the graph of these tokens only, the carried state detached):
// truncated BPTT. A non-finite loss is returned without stepping.
train::StepFn lm_step(models::CausalLM& model, optim::Optimizer& opt, bool bptt, double clip) {
  return [&model, &opt, bptt, clip](const data::Batch& b) {
    const Tensor logits = bptt ? model.forward_cached(b.input) : model.forward(b.input);
    const int64_t n = b.target.numel();
    const Tensor loss = summed_loss(logits, b.target) / static_cast<double>(n);
    const double value = loss.item<double>();
    if (!std::isfinite(value)) return train::StepResult{value, n};
    opt.zero_grad();
    loss.backward();
    if (clip > 0) nn::utils::clip_grad_norm_(model.parameters(), clip);
    opt.step();
    return train::StepResult{value, n, -1, {{"bpc", value / std::log(2.0)}}};
  };
}

// Mean loss per token over the validation stream, as {"loss", "bpc"}: in contiguous rows with the
// state carried (Bptt) or in non-overlapping blocks.
train::EvalFn lm_eval(models::CausalLM& model, std::vector<int64_t> ids, int64_t batch_size, int64_t seq_len, bool bptt) {
  return [&model, ids, batch_size, seq_len, bptt]() {
    NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    double sum = 0;
    int64_t count = 0;
    if (bptt) {
      const int64_t rows = std::max<int64_t>(1, std::min<int64_t>(batch_size, static_cast<int64_t>(ids.size()) / (seq_len + 1)));
      const data::BpttStream stream(ids, rows, seq_len);
      model.reset_cache();
      for (int64_t i = 0; i < stream.size(); ++i) {
        const data::Example e = stream.get(i);
        sum += summed_loss(model.forward_cached(e.input), e.target).item<double>();
        count += e.target.numel();
      }
      model.reset_cache();
    } else {
      data::DataLoaderOptions lo;
      lo.batch_size = batch_size;
      data::DataLoader loader(std::make_shared<data::TokenStream>(ids, seq_len), lo);
      for (const data::Batch& b : loader) {
        sum += summed_loss(model.forward(b.input), b.target).item<double>();
        count += b.target.numel();
      }
    }
    model.train(was_training);
    const double loss = sum / static_cast<double>(count);
    return train::MetricRecord{{"loss", loss}, {"bpc", loss / std::log(2.0)}};
  };
}

// Empties the carried state at the start of every epoch: each epoch reads the rows from their
// beginning again.
struct ResetStateEachEpoch : train::Callback {
  explicit ResetStateEachEpoch(models::CausalLM& m) : model(m) {}
  void on_epoch_begin(train::Trainer&, int64_t) override { model.reset_cache(); }
  models::CausalLM& model;
};

// A line per epoch: losses in nats and bits per character, throughput in tokens.
struct PrintEpoch : train::Callback {
  explicit PrintEpoch(int64_t e) : epochs(e) {}
  void on_epoch_end(train::Trainer&, train::MetricRecord& r) override {
    std::printf("epoch %lld/%lld  lr %.4g  train loss %.4f (%.3f bpc)", static_cast<long long>(r.at("epoch")),
                static_cast<long long>(epochs), r.at("lr"), r.at("train_loss"), r.at("train_loss") / std::log(2.0));
    if (r.count("val_loss")) std::printf("  val loss %.4f (%.3f bpc)", r.at("val_loss"), r.at("val_bpc"));
    std::printf("  %.0f tokens/s\n", r.at("images_per_s"));
    std::fflush(stdout);
  }
  int64_t epochs;
};

}  // namespace

TrainResult train_language_model(const TrainConfig& c, const TrainOptions& options) {
  NABLA_CHECK(!options.data && !options.train_indices && !options.val_indices,
              "nabla train: language models read their own corpus (no preloaded data or index split)");
  NABLA_CHECK(!c.train.lr_find, "nabla train: train.lr_find is for image models; it does not run on language models");
  TrainResult result;
  const auto run_start = Clock::now();
  omp_set_num_threads(static_cast<int>(c.train.threads));
  const bool resuming = !options.resume_from.empty();
  const auto& entry = models::find_language_model(c.model.name);
  const bool bptt = entry.batching == models::LMBatching::Bptt;

  // ---- data: one stream of character ids, the validation part its tail ------------------------
  const std::string text = data::read_text_corpus(c.data.dir, c.data.fortunes);
  NABLA_CHECK(!text.empty(), "nabla train: the corpus '", c.data.dir, "' is empty");
  const data::CharVocab vocab = resuming ? read_lm_info(options.resume_from).vocab : data::CharVocab(text);
  auto [train_ids, val_ids] = data::split_tokens(vocab.encode(text), c.data.val_fraction);
  std::shared_ptr<data::Dataset> train_set;
  if (bptt) train_set = std::make_shared<data::BpttStream>(train_ids, c.train.batch_size, c.train.seq_len);
  else train_set = std::make_shared<data::TokenStream>(train_ids, c.train.seq_len);
  data::DataLoaderOptions lo;
  lo.batch_size = bptt ? 1 : c.train.batch_size;  // a BpttStream sample is a whole (B, T) chunk
  lo.shuffle = !bptt;                            // chunks must come in order to carry the state
  lo.seed = static_cast<uint64_t>(c.train.seed) + 1;
  data::DataLoader loader(train_set, lo);
  if (options.verbose)
    std::printf("data: %s, %zu characters, vocabulary %lld; %zu train, %zu validation tokens; %s\n", c.data.dir.c_str(),
                text.size(), static_cast<long long>(vocab.size()), train_ids.size(), val_ids.size(),
                bptt ? "truncated BPTT over contiguous rows" : "random blocks");

  // ---- model (seeded), run directory ----------------------------------------------------------
  manual_seed(static_cast<uint64_t>(c.train.seed));
  const models::OptionValues model_opts = model_options(c);
  auto model = entry.create(vocab.size(), model_opts);
  if (model->context_length() > 0)
    NABLA_CHECK(c.train.seq_len <= model->context_length(), "nabla train: train.seq_len ", c.train.seq_len,
                " exceeds the model's context length ", model->context_length());
  const std::string run_dir = prepare_run_dir(c, options.resume_from, options.write_run, options.verbose);
  result.run_dir = run_dir;
  if (options.verbose)
    std::printf("model: %s, %lld parameters; initial loss should be about ln %lld = %.4f\n", c.model.name.c_str(),
                static_cast<long long>(model->num_parameters()), static_cast<long long>(vocab.size()),
                std::log(double(vocab.size())));

  // ---- optimizer, schedule, trainer -----------------------------------------------------------
  auto opt = make_optimizer(c, model->parameters());
  auto sched = make_scheduler(c, *opt, loader.size() * c.train.epochs);
  train::TrainerOptions topt;
  topt.epochs = c.train.epochs;
  topt.stop_after_epoch = options.stop_after_epoch;
  topt.run_dir = run_dir;
  topt.progress = options.verbose;
  topt.progress_interval_s = static_cast<double>(c.train.log_interval_s);
  topt.sample_unit = "tok";
  topt.monitor = "val_loss";
  topt.monitor_max = false;
  topt.name = "nabla train";
  train::Trainer trainer(*model, loader, topt);
  trainer.set_optimizer(opt.get()).set_scheduler(sched.get(), schedule_steps_per_batch(c));
  trainer.set_step(lm_step(*model, *opt, bptt, c.train.clip_grad_norm));
  if (val_ids.size() >= 2) trainer.set_eval(lm_eval(*model, val_ids, c.train.batch_size, c.train.seq_len, bptt));
  if (bptt) trainer.add_callback(std::make_shared<ResetStateEachEpoch>(*model));
  if (options.verbose) trainer.add_callback(std::make_shared<PrintEpoch>(c.train.epochs));
  LanguageModelInfo info{c.model.name, model_opts, vocab, c, 0.0};
  trainer.set_checkpoint_json([&info](const train::MetricRecord& rec) {
    info.val_loss = rec.count("val_loss") ? rec.at("val_loss") : rec.at("train_loss");
    return lm_checkpoint_json(info);
  });
  if (resuming) {
    try {
      trainer.resume(options.resume_from);
    } catch (const Error& e) {
      throw Error(std::string("nabla train --resume: ") + e.what());
    }
    if (options.verbose)
      std::printf("resumed from %s after epoch %lld (step %lld)\n", options.resume_from.c_str(),
                  static_cast<long long>(trainer.epoch()), static_cast<long long>(trainer.global_step()));
  }

  const train::FitResult fit = trainer.fit();
  model->reset_cache();
  result.diverged = fit.diverged;
  result.epochs_done = fit.epochs_done;
  result.global_step = fit.global_step;
  if (!fit.last.empty()) {
    result.last_train_loss = fit.last.at("train_loss");
    if (fit.last.count("val_loss")) result.last_val_loss = fit.last.at("val_loss");
  }
  result.status = result.diverged ? 2 : 0;
  result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  if (options.verbose && !result.diverged && fit.best)
    std::printf("best validation loss %.4f (%.3f bits per character)  total %.1f s%s%s\n", *fit.best,
                *fit.best / std::log(2.0), result.seconds, run_dir.empty() ? "" : "; checkpoint ",
                run_dir.empty() ? "" : trainer.best_checkpoint_path().c_str());
  return result;
}

}  // namespace nabla::cli
