#include "nabla/train/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "nabla/nabla.h"
#include "nabla/nn/functional/activation.h"

using namespace nabla;

namespace {

// Two Gaussian blobs in 4-d, labels 0/1: separable, so a linear model learns it in a few epochs.
std::shared_ptr<data::TensorDataset> blobs(int64_t n, uint64_t seed) {
  Generator gen(seed);
  Tensor x = randn({n, 4}, DType::Float32, &gen);
  std::vector<int64_t> y(static_cast<size_t>(n));
  float* xp = x.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    y[i] = i % 2;
    xp[i * 4] += y[i] ? 2.0f : -2.0f;
  }
  return std::make_shared<data::TensorDataset>(x, from_vector(y, Shape{n}));
}

data::DataLoader loader_of(std::shared_ptr<data::TensorDataset> ds, int64_t batch = 16) {
  data::DataLoaderOptions o;
  o.batch_size = batch;
  o.shuffle = true;
  o.seed = 3;
  return data::DataLoader(ds, o);
}

std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nabla_trainer_" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Records the hooks in the order they ran.
struct Recorder : train::Callback {
  std::vector<std::string> calls;
  int64_t batches = 0;
  void on_train_begin(train::Trainer&) override { calls.push_back("begin"); }
  void on_epoch_begin(train::Trainer&, int64_t e) override { calls.push_back("epoch " + std::to_string(e)); }
  void on_batch_end(train::Trainer&, const train::StepResult&) override { ++batches; }
  void on_epoch_end(train::Trainer&, train::MetricRecord& rec) override {
    calls.push_back("end " + std::to_string(int(rec.at("epoch"))));
    rec["custom"] = 42;  // a callback may add to the record
  }
  void on_train_end(train::Trainer&) override { calls.push_back("finish"); }
};

}  // namespace

TEST(Trainer, DefaultClassificationStepLearnsAndCallsCallbacks) {
  manual_seed(0);
  auto model = std::make_shared<nn::Linear>(4, 2);
  optim::SGD opt(model->parameters(), {.lr = 0.1});
  auto train_set = blobs(128, 1), val_set = blobs(64, 2);
  auto loader = loader_of(train_set);
  train::Trainer trainer(*model, loader, {.epochs = 3});
  auto rec = std::make_shared<Recorder>();
  trainer.set_optimizer(&opt).add_callback(rec);
  trainer.set_eval(train::classification_eval(*model, val_set->inputs(), val_set->targets(), 2));
  const train::FitResult r = trainer.fit();
  EXPECT_EQ(r.epochs_done, 3);
  EXPECT_EQ(r.global_step, 3 * 8);
  EXPECT_EQ(rec->batches, 24);
  EXPECT_EQ(rec->calls, (std::vector<std::string>{"begin", "epoch 1", "end 1", "epoch 2", "end 2", "epoch 3", "end 3",
                                                  "finish"}));
  EXPECT_GT(r.last.at("val_acc"), 0.9);
  EXPECT_GT(r.last.at("train_acc"), 0.9);
  EXPECT_EQ(r.last.at("custom"), 42);
  EXPECT_DOUBLE_EQ(r.last.at("lr"), 0.1);
  ASSERT_TRUE(r.best.has_value());
  EXPECT_GE(*r.best, r.last.at("val_acc"));  // the best validation accuracy over the epochs
}

TEST(Trainer, CustomStepWithTwoOptimizers) {
  // A GAN-shaped step: a "generator" and a "critic", each with its own optimizer, trained on
  // opposite objectives in one step; the step reports both losses.
  manual_seed(0);
  auto gen = std::make_shared<nn::Linear>(4, 4);
  auto critic = std::make_shared<nn::Linear>(4, 1);
  optim::SGD opt_g(gen->parameters(), {.lr = 0.05});
  optim::Adam opt_c(critic->parameters(), {.lr = 0.01});
  const Tensor g_before = gen->parameters()[0].clone(), c_before = critic->parameters()[0].clone();
  nn::Sequential both(gen, critic);  // what the Trainer checkpoints
  auto loader = loader_of(blobs(64, 1));
  train::Trainer trainer(both, loader, {.epochs = 2, .monitor = "train_critic_loss", .monitor_max = false});
  int64_t steps = 0;
  trainer.set_step([&](const data::Batch& b) {
    ++steps;
    // Critic: real samples score high, generated ones low.
    const Tensor fake = (*gen)(b.input).detach();
    Tensor loss_c = (*critic)(fake).mean() - (*critic)(b.input).mean();
    opt_c.zero_grad();
    loss_c.backward();
    opt_c.step();
    // Generator: make the critic score its samples high.
    Tensor loss_g = -(*critic)((*gen)(b.input)).mean();
    opt_g.zero_grad();
    loss_g.backward();
    opt_g.step();
    train::StepResult r;
    r.loss = loss_c.item() + loss_g.item();
    r.batch_size = b.input.size(0);
    r.extra = {{"critic_loss", loss_c.item()}, {"generator_loss", loss_g.item()}};
    return r;
  });
  const train::FitResult r = trainer.fit();
  EXPECT_EQ(steps, 8);
  EXPECT_EQ(r.global_step, 8);
  EXPECT_FALSE(r.diverged);
  EXPECT_TRUE(r.last.count("train_critic_loss"));
  EXPECT_TRUE(r.last.count("train_generator_loss"));
  EXPECT_FALSE(r.last.count("train_acc"));  // the step reported no accuracy
  EXPECT_FALSE(r.last.count("lr"));         // no optimizer given to the Trainer
  EXPECT_NEAR(r.last.at("train_loss"), r.last.at("train_critic_loss") + r.last.at("train_generator_loss"), 1e-5);
  ASSERT_TRUE(r.best.has_value());
  EXPECT_GT(max(abs(gen->parameters()[0] - g_before)).item(), 0.0);     // both optimizers stepped
  EXPECT_GT(max(abs(critic->parameters()[0] - c_before)).item(), 0.0);
}

TEST(Trainer, NonFiniteLossStopsTheRun) {
  auto model = std::make_shared<nn::Linear>(4, 2);
  auto loader = loader_of(blobs(64, 1));
  train::Trainer trainer(*model, loader, {.epochs = 3});
  int64_t steps = 0;
  trainer.set_step([&](const data::Batch& b) {
    train::StepResult r;
    r.batch_size = b.input.size(0);
    r.loss = ++steps == 3 ? NAN : 1.0;
    return r;
  });
  const train::FitResult r = trainer.fit();
  EXPECT_TRUE(r.diverged);
  EXPECT_EQ(steps, 3);
  EXPECT_EQ(r.global_step, 2);
  EXPECT_EQ(r.epochs_done, 0);
}

TEST(Trainer, EarlyStoppingAfterPatienceEpochs) {
  auto model = std::make_shared<nn::Linear>(4, 2);
  auto loader = loader_of(blobs(32, 1));
  train::Trainer trainer(*model, loader, {.epochs = 20, .monitor = "val_score", .early_stopping_patience = 2});
  trainer.set_step([](const data::Batch& b) { return train::StepResult{.loss = 1.0, .batch_size = b.input.size(0)}; });
  int64_t evals = 0;
  // The score improves in epochs 1-3, then stays flat: epochs 4 and 5 fail to improve, stop after 5.
  trainer.set_eval([&]() -> train::MetricRecord { return {{"score", std::min<double>(++evals, 3)}}; });
  const train::FitResult r = trainer.fit();
  EXPECT_TRUE(r.stopped_early);
  EXPECT_EQ(r.epochs_done, 5);
  EXPECT_DOUBLE_EQ(*r.best, 3.0);
}

TEST(Trainer, ResumeGivesByteIdenticalCheckpoints) {
  auto run = [](const std::string& dir, int64_t stop_after, const std::string& resume_from) {
    manual_seed(7);
    auto model = std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::Dropout>(0.2),
                                                  std::make_shared<nn::Linear>(8, 2));
    optim::SGD opt(model->parameters(), {.lr = 0.1, .momentum = 0.9});
    optim::StepLR sched(opt, 1, 0.5);
    auto loader = loader_of(blobs(96, 1));
    train::Trainer trainer(*model, loader, {.epochs = 3, .stop_after_epoch = stop_after, .run_dir = dir, .tensorboard = false});
    trainer.set_optimizer(&opt).set_scheduler(&sched, false);
    trainer.set_checkpoint_json([](const train::MetricRecord& r) { return "{\"acc\": " + std::to_string(r.at("train_acc")) + "}"; });
    if (!resume_from.empty()) trainer.resume(resume_from);
    return trainer.fit();
  };
  const std::string straight = temp_dir("straight"), resumed = temp_dir("resumed");
  const auto a = run(straight, 0, "");
  const auto first = run(resumed, 1, "");
  EXPECT_EQ(first.epochs_done, 1);
  const auto b = run(resumed, 0, resumed + "/last.safetensors");
  EXPECT_EQ(b.epochs_done, 3);
  EXPECT_EQ(a.global_step, b.global_step);
  for (const char* f : {"/last.safetensors", "/best.safetensors"})
    EXPECT_EQ(bytes_of(straight + f), bytes_of(resumed + f)) << f;
  // The resumed run's metrics hold the first part's epoch too.
  std::ifstream jsonl(resumed + "/metrics.jsonl");
  const auto lines = std::count(std::istreambuf_iterator<char>(jsonl), std::istreambuf_iterator<char>(), '\n');
  EXPECT_EQ(lines, 3);
  std::filesystem::remove_all(straight);
  std::filesystem::remove_all(resumed);
}

namespace {

// A GAN as one module: the Trainer checkpoints "generator.*" and "discriminator.*".
struct ToyGan : nn::Module {
  std::shared_ptr<nn::Linear> generator, discriminator;
  ToyGan() {
    generator = register_module("generator", std::make_shared<nn::Linear>(2, 4));
    discriminator = register_module("discriminator", std::make_shared<nn::Linear>(4, 1));
  }
  std::string name() const override { return "ToyGan"; }
};

// Everything a GAN run owns, built from the same seeds each time.
struct GanRun {
  std::shared_ptr<ToyGan> gan;
  optim::Adam opt_g, opt_d;
  optim::StepLR sched_g;  // per epoch
  optim::ExponentialLR sched_d;  // per batch
  data::DataLoader loader;
  std::unique_ptr<train::Trainer> trainer;

  GanRun(const std::string& dir, int64_t stop_after)
      : gan((manual_seed(11), std::make_shared<ToyGan>())),
        opt_g(gan->generator->parameters(), {.lr = 2e-3, .betas = {0.5, 0.999}}),
        opt_d(gan->discriminator->parameters(), {.lr = 1e-3, .betas = {0.5, 0.999}}),
        sched_g(opt_g, 1, 0.5),
        sched_d(opt_d, 0.9),
        loader(loader_of(blobs(48, 4))) {
    trainer = std::make_unique<train::Trainer>(
        *gan, loader,
        train::TrainerOptions{.epochs = 4, .stop_after_epoch = stop_after, .run_dir = dir, .tensorboard = false,
                              .monitor = "train_d_loss", .monitor_max = false});
    trainer->add_optimizer("generator", &opt_g).add_optimizer("discriminator", &opt_d);
    trainer->add_scheduler("generator", &sched_g, false).add_scheduler("discriminator", &sched_d, true);
    trainer->set_step([this](const data::Batch& b) {
      // D: real samples score high, generated ones low (noise from the default generator).
      const int64_t n = b.input.size(0);
      const Tensor fake = (*gan->generator)(randn({n, 2})).detach();
      Tensor loss_d = nn::functional::softplus((*gan->discriminator)(fake)).mean() +
                      nn::functional::softplus(-(*gan->discriminator)(b.input)).mean();
      opt_d.zero_grad();
      loss_d.backward();
      opt_d.step();
      // G: make D score generated samples high.
      Tensor loss_g = nn::functional::softplus(-(*gan->discriminator)((*gan->generator)(randn({n, 2})))).mean();
      opt_g.zero_grad();
      loss_g.backward();
      opt_g.step();
      return train::StepResult{.loss = loss_d.item() + loss_g.item(), .batch_size = n,
                               .extra = {{"d_loss", loss_d.item()}, {"g_loss", loss_g.item()}}};
    });
  }
};

void expect_same_bits(const nn::StateDict& a, const nn::StateDict& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [key, ta] : a) {
    ASSERT_TRUE(b.count(key)) << key;
    const Tensor ca = ta.contiguous(), cb = b.at(key).contiguous();
    ASSERT_EQ(ca.shape(), cb.shape()) << key;
    ASSERT_EQ(ca.dtype(), cb.dtype()) << key;
    EXPECT_EQ(std::memcmp(ca.raw_data(), cb.raw_data(), ca.numel() * ca.element_size()), 0) << key << " differs";
  }
}

}  // namespace

TEST(Trainer, TwoOptimizersResumeBitForBit) {
  const std::string straight_dir = temp_dir("gan_straight"), resumed_dir = temp_dir("gan_resumed");
  GanRun straight(straight_dir, 0);
  const Tensor g_before = straight.gan->generator->weight.clone();
  const train::FitResult a = straight.trainer->fit();
  ASSERT_EQ(a.epochs_done, 4);
  EXPECT_FALSE(a.diverged);
  EXPECT_GT(max(abs(straight.gan->generator->weight - g_before)).item(), 0.0);
  // Each optimizer's lr at the start of the last epoch: G halves per epoch, D decays per batch.
  EXPECT_DOUBLE_EQ(a.last.at("lr_generator"), 2e-3 * 0.125);
  EXPECT_DOUBLE_EQ(a.last.at("lr_discriminator"), 1e-3 * std::pow(0.9, 9));
  EXPECT_FALSE(a.last.count("lr"));

  {
    GanRun first(resumed_dir, 2);
    EXPECT_EQ(first.trainer->fit().epochs_done, 2);
  }
  manual_seed(12345);  // the default generator is restored from the checkpoint
  GanRun resumed(resumed_dir, 0);
  resumed.trainer->resume(resumed_dir + "/last.safetensors");
  EXPECT_EQ(resumed.trainer->epoch(), 2);
  const train::FitResult b = resumed.trainer->fit();
  EXPECT_EQ(b.global_step, a.global_step);

  expect_same_bits(straight.gan->state_dict(), resumed.gan->state_dict());
  expect_same_bits(straight.opt_g.state_dict(), resumed.opt_g.state_dict());
  expect_same_bits(straight.opt_d.state_dict(), resumed.opt_d.state_dict());
  EXPECT_EQ(straight.sched_d.get_last_lr(), resumed.sched_d.get_last_lr());
  EXPECT_EQ(bytes_of(straight_dir + "/last.safetensors"), bytes_of(resumed_dir + "/last.safetensors"));
  const CheckpointMetadata meta = read_checkpoint_metadata(resumed_dir + "/last.safetensors");
  EXPECT_EQ(meta.optimizers, (std::map<std::string, std::string>{{"discriminator", "Adam"}, {"generator", "Adam"}}));
  EXPECT_EQ(meta.schedulers,
            (std::map<std::string, std::string>{{"discriminator", "ExponentialLR"}, {"generator", "StepLR"}}));
  std::filesystem::remove_all(straight_dir);
  std::filesystem::remove_all(resumed_dir);
}

TEST(Trainer, ResumeWithOneOfTwoOptimizersFails) {
  const std::string dir = temp_dir("gan_one");
  {
    GanRun first(dir, 1);
    first.trainer->fit();
  }
  manual_seed(11);
  auto gan = std::make_shared<ToyGan>();
  optim::Adam opt_g(gan->generator->parameters());
  auto loader = loader_of(blobs(48, 4));
  train::Trainer trainer(*gan, loader, {.epochs = 4});
  trainer.add_optimizer("generator", &opt_g);
  try {
    trainer.resume(dir + "/last.safetensors");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("optimizer 'discriminator' (Adam) but no optimizer of that name"),
              std::string::npos)
        << e.what();
  }
  // Names are checked when added.
  EXPECT_THROW(trainer.add_optimizer("generator", &opt_g), Error);
  EXPECT_THROW(trainer.add_optimizer("a.b", &opt_g), Error);
  EXPECT_EQ(trainer.optimizer("generator"), &opt_g);
  EXPECT_THROW(trainer.optimizer("critic"), Error);
  std::filesystem::remove_all(dir);
}
