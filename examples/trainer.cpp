// train::Trainer on data made in memory: a classifier with the default step, then the same
// loop with a custom step (two models, two optimizers given to the Trainer by name), with early
// stopping and a callback.
// Usage: trainer [RUN_DIR]   (RUN_DIR: where metrics and checkpoints go; default: none written)
#include <cstdio>
#include <memory>
#include <string>

#include "nabla/nabla.h"
#include "nabla/train/trainer.h"

using namespace nabla;

namespace {

// Three Gaussian blobs in 8-d, one per class.
std::shared_ptr<data::TensorDataset> blobs(int64_t n, uint64_t seed) {
  Generator gen(seed);
  Tensor x = randn({n, 8}, DType::Float32, &gen);
  std::vector<int64_t> y(static_cast<size_t>(n));
  float* xp = x.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    y[i] = i % 3;
    xp[i * 8 + y[i]] += 3.0f;
  }
  return std::make_shared<data::TensorDataset>(x, from_vector(y, Shape{n}));
}

// Prints a line when the validation accuracy first passes 95 %.
struct Announce : train::Callback {
  bool said = false;
  void on_epoch_end(train::Trainer& t, train::MetricRecord& rec) override {
    if (said || !rec.count("val_acc") || rec.at("val_acc") < 0.95) return;
    std::printf("  (callback) val_acc above 95%% at epoch %lld\n", static_cast<long long>(rec.at("epoch")));
    said = true;
    (void)t;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::string run_dir = argc > 1 ? argv[1] : "";
  manual_seed(0);
  auto train_set = blobs(600, 1), val_set = blobs(300, 2);
  data::DataLoaderOptions lo;
  lo.batch_size = 32;
  lo.shuffle = true;
  lo.seed = 1;
  data::DataLoader loader(train_set, lo);

  // 1. A classifier: the default step (cross-entropy), validation, early stopping.
  auto model = std::make_shared<nn::Sequential>(nn::Linear(8, 32), nn::ReLU(), nn::Linear(32, 3));
  optim::SGD opt(model->parameters(), {.lr = 0.05, .momentum = 0.9});
  train::Trainer trainer(*model, loader,
                         {.epochs = 20, .run_dir = run_dir, .print_epochs = true, .early_stopping_patience = 3});
  trainer.set_optimizer(&opt).add_callback(std::make_shared<Announce>());
  trainer.set_eval(train::classification_eval(*model, val_set->inputs(), val_set->targets(), 3));
  const train::FitResult r = trainer.fit();
  std::printf("classifier: %lld epochs%s, best val_acc %.3f\n", static_cast<long long>(r.epochs_done),
              r.stopped_early ? " (stopped early)" : "", r.best.value_or(0.0));

  // 2. A custom step: an autoencoder's encoder and decoder, each with its own optimizer.
  auto encoder = std::make_shared<nn::Linear>(8, 3), decoder = std::make_shared<nn::Linear>(3, 8);
  optim::Adam opt_e(encoder->parameters(), {.lr = 1e-2}), opt_d(decoder->parameters(), {.lr = 1e-2});
  nn::Sequential both(encoder, decoder);
  train::Trainer ae(both, loader, {.epochs = 5, .print_epochs = true, .monitor = "train_loss", .monitor_max = false});
  // Named, both are checkpointed (with a run_dir) and their learning rates recorded (lr_encoder, lr_decoder).
  ae.add_optimizer("encoder", &opt_e).add_optimizer("decoder", &opt_d);
  ae.set_step([&](const data::Batch& b) {
    Tensor loss = nn::functional::mse_loss((*decoder)((*encoder)(b.input)), b.input);
    opt_e.zero_grad();
    opt_d.zero_grad();
    loss.backward();
    opt_e.step();
    opt_d.step();
    return train::StepResult{.loss = loss.item(), .batch_size = b.input.size(0)};
  });
  const train::FitResult a = ae.fit();
  std::printf("autoencoder: reconstruction loss %.4f after %lld steps\n", a.last.at("train_loss"),
              static_cast<long long>(a.global_step));
  return r.best.value_or(0.0) > 0.9 ? 0 : 1;
}
