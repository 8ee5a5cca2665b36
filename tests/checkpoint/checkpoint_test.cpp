// Checkpoints: bitwise exact resume into fresh objects, metadata, atomic writes, and errors on
// corrupt files and mismatched contents.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "nabla/checkpoint.h"
#include "nabla/io/safetensors.h"
#include "nabla/nabla.h"
#include "nabla/nn.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/optim.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("nabla_checkpoint_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::shared_ptr<nn::Sequential> small_cnn() {
  return std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::Conv2d>(1, 4, 3), std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Dropout>(0.3), std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(4 * 6 * 6, 3)});
}

/// Everything a training run owns; the model is built from `init_seed`, so two runs with
/// different seeds start from different weights.
struct TrainingRun {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<optim::Optimizer> opt;
  std::unique_ptr<optim::LRScheduler> sched;
  Generator loader_rng;

  TrainingRun(bool adam, uint64_t init_seed) : loader_rng(init_seed + 1) {
    manual_seed(init_seed);
    model = small_cnn();
    if (adam) {
      opt = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 1e-2});
      sched = std::make_unique<optim::OneCycleLR>(*opt, optim::OneCycleLROptions{.max_lr = 0.05, .total_steps = 10});
    } else {
      opt = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
      sched = std::make_unique<optim::StepLR>(*opt, /*step_size=*/3, /*gamma=*/0.5);
    }
  }
  Checkpoint checkpoint() {
    return Checkpoint{.model = model.get(), .optimizer = opt.get(), .scheduler = sched.get(),
                      .generators = {{"loader", &loader_rng}}};
  }
  /// One step on a batch drawn from the loader's generator; dropout draws from the default one.
  void step() {
    Tensor x = randn({4, 1, 8, 8}, DType::Float32, &loader_rng);
    Tensor y = randint(0, 3, {4}, &loader_rng);
    opt->zero_grad();
    Tensor loss = nn::functional::cross_entropy((*model)(x), y);
    loss.backward();
    opt->step();
    sched->step();
  }
};

void expect_bitwise_equal(const nn::Module& a, const nn::Module& b) {
  nn::StateDict sa = a.state_dict(), sb = b.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [key, ta] : sa) {
    const Tensor& tb = sb.at(key);
    ASSERT_EQ(ta.shape(), tb.shape()) << key;
    ASSERT_EQ(ta.dtype(), tb.dtype()) << key;
    Tensor ca = ta.contiguous(), cb = tb.contiguous();
    EXPECT_EQ(std::memcmp(ca.raw_data(), cb.raw_data(), ca.numel() * ca.element_size()), 0)
        << key << " differs";
  }
}

void exact_resume(bool adam) {
  constexpr int kTotal = 9, kFirst = 4;
  const fs::path dir = temp_dir(adam ? "adam" : "sgd");
  const std::string path = (dir / "ckpt.safetensors").string();

  TrainingRun straight(adam, 7);
  for (int i = 0; i < kTotal; ++i) straight.step();
  const Generator::State default_after_straight = default_generator().state();

  TrainingRun first(adam, 7);
  for (int i = 0; i < kFirst; ++i) first.step();
  Checkpoint saved = first.checkpoint();
  saved.epoch = 1;
  saved.global_step = kFirst;
  saved.best_metric = 0.125;
  save_checkpoint(path, saved);

  TrainingRun resumed(adam, 12345);  // fresh objects, different weights and generator states
  Checkpoint into = resumed.checkpoint();
  load_checkpoint(path, into);
  EXPECT_EQ(into.global_step, kFirst);
  for (int i = kFirst; i < kTotal; ++i) resumed.step();

  expect_bitwise_equal(*straight.model, *resumed.model);
  EXPECT_EQ(straight.sched->get_last_lr(), resumed.sched->get_last_lr());
  // The generators continue identically too.
  EXPECT_EQ(straight.loader_rng.next_u64(), resumed.loader_rng.next_u64());
  const Generator::State now = default_generator().state();
  EXPECT_EQ(std::memcmp(now.s, default_after_straight.s, sizeof now.s), 0);
  fs::remove_all(dir);
}

}  // namespace

TEST(Checkpoint, ExactResumeSgdMomentumStepLR) { exact_resume(false); }
TEST(Checkpoint, ExactResumeAdamOneCycle) { exact_resume(true); }

TEST(Checkpoint, MetadataRoundTrip) {
  const fs::path dir = temp_dir("meta");
  const std::string path = (dir / "c.safetensors").string();
  TrainingRun run(false, 3);
  Checkpoint c = run.checkpoint();
  c.epoch = 5;
  c.global_step = 123;
  c.best_metric = 0.1;
  c.counters = {{"patience_left", 2}};
  c.user_json = R"({"note": "baseline", "lr": [0.1, 0.01]})";
  save_checkpoint(path, c);

  CheckpointMetadata m = read_checkpoint_metadata(path);
  EXPECT_EQ(m.version, kCheckpointFormatVersion);
  EXPECT_EQ(m.epoch, 5);
  EXPECT_EQ(m.global_step, 123);
  ASSERT_TRUE(m.best_metric.has_value());
  EXPECT_EQ(*m.best_metric, 0.1);  // exact: JSON numbers are written to round-trip
  EXPECT_EQ(m.counters.at("patience_left"), 2);
  EXPECT_EQ(m.user_json, R"({"lr":[0.1,0.01],"note":"baseline"})");
  EXPECT_TRUE(m.has_model);
  EXPECT_EQ(m.optimizer, "SGD");
  EXPECT_EQ(m.scheduler, "StepLR");
  EXPECT_EQ(m.generators, (std::vector<std::string>{"default", "loader"}));

  // The tensors carry the documented prefixes.
  io::SafetensorsFile f = io::load_safetensors(path);
  EXPECT_TRUE(f.tensors.count("model.0.weight"));
  EXPECT_TRUE(f.tensors.count("model.1.running_mean"));
  EXPECT_TRUE(f.tensors.count("optimizer.param_groups.0.lr"));
  EXPECT_TRUE(f.tensors.count("scheduler.last_epoch"));
  EXPECT_TRUE(f.tensors.count("rng.default"));
  EXPECT_TRUE(f.tensors.count("rng.loader"));

  Checkpoint back{.model = run.model.get(), .optimizer = run.opt.get(), .scheduler = run.sched.get(),
                  .generators = {{"loader", &run.loader_rng}}};
  load_checkpoint(path, back);
  EXPECT_EQ(back.epoch, 5);
  EXPECT_EQ(back.counters, c.counters);
  EXPECT_EQ(back.user_json, m.user_json);
  EXPECT_THROW(save_checkpoint(path, Checkpoint{.user_json = "{not json"}), Error);
  fs::remove_all(dir);
}

TEST(Checkpoint, FailedWriteLeavesNoPartialFile) {
  const fs::path dir = temp_dir("atomic");
  TrainingRun run(false, 3);
  // The target is a directory: the temporary file is written, the rename fails, nothing remains.
  const fs::path target = dir / "is_a_dir";
  fs::create_directories(target);
  EXPECT_THROW(save_checkpoint(target.string(), run.checkpoint()), Error);
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  // A missing directory: an error naming the path, no file.
  const fs::path missing = dir / "no_such_dir" / "c.safetensors";
  try {
    save_checkpoint(missing.string(), run.checkpoint());
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(missing));
  // A failure does not touch an existing checkpoint.
  const std::string good = (dir / "good.safetensors").string();
  save_checkpoint(good, run.checkpoint());
  const auto size = fs::file_size(good);
  EXPECT_THROW(save_checkpoint(good, Checkpoint{.generators = {{"bad", nullptr}}}), Error);
  EXPECT_EQ(fs::file_size(good), size);
  fs::remove_all(dir);
}

TEST(Checkpoint, CorruptAndTruncatedFiles) {
  const fs::path dir = temp_dir("corrupt");
  const std::string path = (dir / "c.safetensors").string();
  TrainingRun run(false, 3);
  save_checkpoint(path, run.checkpoint());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string cut = (dir / "cut.safetensors").string();
  for (size_t len : {size_t{0}, size_t{5}, size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(len));
    Checkpoint c = run.checkpoint();
    EXPECT_THROW(load_checkpoint(cut, c), Error) << "length " << len;
    EXPECT_THROW(read_checkpoint_metadata(cut), Error) << "length " << len;
  }
  // A safetensors file without the checkpoint metadata.
  const std::string plain = (dir / "plain.safetensors").string();
  io::save_safetensors(plain, {{"model.0.weight", zeros({4, 1, 3, 3})}});
  try {
    read_checkpoint_metadata(plain);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a nabla checkpoint"), std::string::npos) << e.what();
  }
  // A newer format version.
  io::save_safetensors(plain, {}, {{"nabla.checkpoint", R"({"format": "nabla.checkpoint", "version": 99})"}});
  EXPECT_THROW(read_checkpoint_metadata(plain), Error);
  fs::remove_all(dir);
}

TEST(Checkpoint, MismatchedContentsAreNamed) {
  const fs::path dir = temp_dir("mismatch");
  const std::string path = (dir / "c.safetensors").string();
  TrainingRun run(false, 3);
  save_checkpoint(path, run.checkpoint());
  auto message = [&](Checkpoint c, bool strict = true) {
    try {
      load_checkpoint(path, c, strict);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  // A model with a different head: mis-shaped key named.
  auto other = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::Conv2d>(1, 4, 3), std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Dropout>(0.3), std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(4 * 6 * 6, 5)});
  Checkpoint c = run.checkpoint();
  c.model = other.get();
  EXPECT_NE(message(c).find("5.weight"), std::string::npos) << message(c);
  // A model with an extra layer: the missing keys are named.
  auto bigger = small_cnn();
  bigger->push_back(std::make_shared<nn::Linear>(3, 3));
  c.model = bigger.get();
  EXPECT_NE(message(c).find("6.weight"), std::string::npos) << message(c);
  // A generator the file does not have.
  Generator extra;
  c = run.checkpoint();
  c.generators["augment"] = &extra;
  EXPECT_NE(message(c).find("missing key 'rng.augment'"), std::string::npos) << message(c);
  // Strict: a part in the file with nothing to load it into.
  c = run.checkpoint();
  c.optimizer = nullptr;
  EXPECT_NE(message(c).find("optimizer state but no optimizer"), std::string::npos) << message(c);
  EXPECT_EQ(message(c, /*strict=*/false).find("optimizer"), std::string::npos);
  // Asking for a part the file lacks.
  const std::string model_only = (dir / "model_only.safetensors").string();
  save_checkpoint(model_only, Checkpoint{.model = run.model.get(), .default_generator = false});
  Checkpoint want = run.checkpoint();
  try {
    load_checkpoint(model_only, want);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no optimizer state"), std::string::npos) << e.what();
  }
  // An optimizer of another kind.
  optim::Adam adam(run.model->parameters());
  c = run.checkpoint();
  c.optimizer = &adam;
  c.scheduler = nullptr;
  EXPECT_NE(message(c, false).find("SGD optimizer, not of a Adam"), std::string::npos) << message(c, false);
  fs::remove_all(dir);
}

namespace {

/// Two models, each with its own Adam and StepLR, as a GAN has; stepped on random batches.
struct TwoOptimizerRun {
  std::shared_ptr<nn::Linear> g, d;
  std::unique_ptr<optim::Adam> opt_g, opt_d;
  std::unique_ptr<optim::StepLR> sched_g, sched_d;

  explicit TwoOptimizerRun(uint64_t seed) {
    manual_seed(seed);
    g = std::make_shared<nn::Linear>(3, 3);
    d = std::make_shared<nn::Linear>(3, 1);
    opt_g = std::make_unique<optim::Adam>(g->parameters(), optim::AdamOptions{.lr = 1e-2});
    opt_d = std::make_unique<optim::Adam>(d->parameters(), optim::AdamOptions{.lr = 2e-2});
    sched_g = std::make_unique<optim::StepLR>(*opt_g, 1, 0.5);
    sched_d = std::make_unique<optim::StepLR>(*opt_d, 2, 0.1);
  }
  Checkpoint checkpoint() {
    return Checkpoint{.model = d.get(),
                      .optimizers = {{"g", opt_g.get()}, {"d", opt_d.get()}},
                      .schedulers = {{"g", sched_g.get()}, {"d", sched_d.get()}}};
  }
  void step() {
    Tensor x = randn({4, 3});
    opt_d->zero_grad();
    (*d)(x).mean().backward();
    opt_d->step();
    opt_g->zero_grad();
    (-(*d)((*g)(x)).mean()).backward();
    opt_g->step();
    sched_g->step();
    sched_d->step();
  }
};

void expect_bitwise_equal(const nn::StateDict& sa, const nn::StateDict& sb) {
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [key, ta] : sa) {
    ASSERT_TRUE(sb.count(key)) << key;
    Tensor ca = ta.contiguous(), cb = sb.at(key).contiguous();
    ASSERT_EQ(ca.shape(), cb.shape()) << key;
    EXPECT_EQ(std::memcmp(ca.raw_data(), cb.raw_data(), ca.numel() * ca.element_size()), 0) << key << " differs";
  }
}

}  // namespace

TEST(Checkpoint, NamedOptimizersAndSchedulersRoundTrip) {
  const fs::path dir = temp_dir("named");
  const std::string path = (dir / "c.safetensors").string();
  TwoOptimizerRun run(3);
  for (int i = 0; i < 3; ++i) run.step();
  save_checkpoint(path, run.checkpoint());

  const CheckpointMetadata m = read_checkpoint_metadata(path);
  EXPECT_EQ(m.version, kCheckpointFormatVersion);
  EXPECT_EQ(m.optimizer, "");
  EXPECT_EQ(m.optimizers, (std::map<std::string, std::string>{{"d", "Adam"}, {"g", "Adam"}}));
  EXPECT_EQ(m.schedulers, (std::map<std::string, std::string>{{"d", "StepLR"}, {"g", "StepLR"}}));
  const io::SafetensorsFile f = io::load_safetensors(path);
  EXPECT_TRUE(f.tensors.count("optimizer.g.param_groups.0.lr"));
  EXPECT_TRUE(f.tensors.count("optimizer.d.state.0.exp_avg"));
  EXPECT_TRUE(f.tensors.count("scheduler.d.last_epoch"));

  TwoOptimizerRun fresh(99);
  Checkpoint into = fresh.checkpoint();
  load_checkpoint(path, into);
  expect_bitwise_equal(run.opt_g->state_dict(), fresh.opt_g->state_dict());
  expect_bitwise_equal(run.opt_d->state_dict(), fresh.opt_d->state_dict());
  EXPECT_EQ(fresh.sched_g->last_epoch(), 3);
  EXPECT_EQ(fresh.sched_d->get_last_lr(), run.sched_d->get_last_lr());
  fs::remove_all(dir);
}

TEST(Checkpoint, StrictLoadNamesMissingAndUnexpectedOptimizers) {
  const fs::path dir = temp_dir("named_strict");
  const std::string path = (dir / "c.safetensors").string();
  TwoOptimizerRun run(3);
  run.step();
  save_checkpoint(path, run.checkpoint());
  auto message = [&](Checkpoint c, bool strict = true) {
    try {
      load_checkpoint(path, c, strict);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  // Only one of the two optimizers asked for: strict names the other, non-strict loads the one.
  Checkpoint one = run.checkpoint();
  one.optimizers.erase("d");
  EXPECT_NE(message(one).find("the checkpoint has state of optimizer 'd' (Adam) but no optimizer of that name"),
            std::string::npos)
      << message(one);
  EXPECT_NE(message(one).find("asked for: 'g' (Adam)"), std::string::npos) << message(one);
  EXPECT_EQ(message(one, /*strict=*/false), "(no error)");
  // A scheduler left out is named the same way.
  Checkpoint no_sched = run.checkpoint();
  no_sched.schedulers.erase("g");
  EXPECT_NE(message(no_sched).find("scheduler 'g' (StepLR)"), std::string::npos) << message(no_sched);
  // An optimizer the file does not have: the saved ones are listed.
  optim::Adam extra(run.g->parameters());
  Checkpoint more = run.checkpoint();
  more.optimizers["critic"] = &extra;
  EXPECT_NE(message(more).find("no optimizer 'critic' (its named optimizers: 'd' (Adam), 'g' (Adam))"),
            std::string::npos)
      << message(more);
  // The unnamed optimizer asked for, but the file holds only named ones.
  Checkpoint unnamed = run.checkpoint();
  unnamed.optimizer = &extra;
  EXPECT_NE(message(unnamed).find("no optimizer state (keys 'optimizer.*'; its named optimizers: 'd'"),
            std::string::npos)
      << message(unnamed);
  // Another class under a saved name.
  optim::SGD sgd(run.g->parameters(), {.lr = 0.1});
  Checkpoint other = run.checkpoint();
  other.optimizers["g"] = &sgd;
  EXPECT_NE(message(other).find("optimizer 'g': the checkpoint holds the state of a Adam optimizer, not of a SGD"),
            std::string::npos)
      << message(other);
  fs::remove_all(dir);
}

TEST(Checkpoint, NamesAreCheckedOnSave) {
  const fs::path dir = temp_dir("named_save");
  const std::string path = (dir / "c.safetensors").string();
  TwoOptimizerRun run(3);
  EXPECT_THROW(save_checkpoint(path, Checkpoint{.optimizers = {{"a.b", run.opt_g.get()}}}), Error);
  EXPECT_THROW(save_checkpoint(path, Checkpoint{.optimizers = {{"", run.opt_g.get()}}}), Error);
  EXPECT_THROW(save_checkpoint(path, Checkpoint{.optimizers = {{"g", nullptr}}}), Error);
  // A name equal to a top-level key of the unnamed optimizer's state could not be split back.
  try {
    save_checkpoint(path, Checkpoint{.optimizer = run.opt_d.get(), .optimizers = {{"param_groups", run.opt_g.get()}}});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("collides with the key 'param_groups."), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(path));
  // The unnamed and named forms together round-trip.
  save_checkpoint(path, Checkpoint{.optimizer = run.opt_d.get(), .optimizers = {{"g", run.opt_g.get()}}});
  TwoOptimizerRun fresh(5);
  Checkpoint both{.optimizer = fresh.opt_d.get(), .optimizers = {{"g", fresh.opt_g.get()}}};
  load_checkpoint(path, both);
  EXPECT_DOUBLE_EQ(fresh.opt_d->lr(0), 2e-2);
  fs::remove_all(dir);
}

// tests/fixtures/checkpoint/v1_linear_sgd_steplr.safetensors was written by save_checkpoint in
// format version 1 (before named optimizers), by this recipe: manual_seed(1); Linear(3, 2);
// SGD(lr 0.1, momentum 0.9); StepLR(step 1, gamma 0.5); Generator data(2); two steps of
// cross_entropy on randn({4, 3}, data), randint(0, 2, {4}, data); epoch 2, global_step 2,
// best_metric 0.5, counters {loader_epoch: 2}, user {"note": "format version 1"}, generators
// "default" and "data".
TEST(Checkpoint, LoadsFormatVersion1Files) {
  const std::string path = std::string(NABLA_SOURCE_DIR) + "/tests/fixtures/checkpoint/v1_linear_sgd_steplr.safetensors";
  const CheckpointMetadata m = read_checkpoint_metadata(path);
  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.optimizer, "SGD");
  EXPECT_EQ(m.scheduler, "StepLR");
  EXPECT_TRUE(m.optimizers.empty());
  EXPECT_TRUE(m.schedulers.empty());

  // The recipe again, in this build.
  manual_seed(1);
  auto model = std::make_shared<nn::Linear>(3, 2);
  optim::SGD opt(model->parameters(), {.lr = 0.1, .momentum = 0.9});
  optim::StepLR sched(opt, 1, 0.5);
  Generator data(2);
  for (int i = 0; i < 2; ++i) {
    Tensor x = randn({4, 3}, DType::Float32, &data);
    Tensor y = randint(0, 2, {4}, &data);
    opt.zero_grad();
    nn::functional::cross_entropy((*model)(x), y).backward();
    opt.step();
    sched.step();
  }
  // Fresh objects, loaded from the file.
  manual_seed(2);
  auto back = std::make_shared<nn::Linear>(3, 2);
  optim::SGD back_opt(back->parameters(), {.lr = 0.1, .momentum = 0.9});
  optim::StepLR back_sched(back_opt, 1, 0.5);
  Generator back_data(7);
  Checkpoint c{.model = back.get(), .optimizer = &back_opt, .scheduler = &back_sched,
               .generators = {{"data", &back_data}}};
  load_checkpoint(path, c);
  EXPECT_EQ(c.epoch, 2);
  EXPECT_EQ(c.global_step, 2);
  EXPECT_EQ(c.best_metric, 0.5);
  EXPECT_EQ(c.counters.at("loader_epoch"), 2);
  EXPECT_EQ(c.user_json, R"({"note":"format version 1"})");
  EXPECT_EQ(back_sched.last_epoch(), 2);
  EXPECT_DOUBLE_EQ(back_opt.lr(0), 0.025);
  EXPECT_EQ(back_data.next_u64(), data.next_u64());
  EXPECT_TRUE(allclose(back->weight, model->weight, 1e-6, 1e-7));
  const nn::StateDict want = opt.state_dict(), got = back_opt.state_dict();
  EXPECT_TRUE(allclose(got.at("state.0.momentum_buffer"), want.at("state.0.momentum_buffer"), 1e-6, 1e-7));
}
