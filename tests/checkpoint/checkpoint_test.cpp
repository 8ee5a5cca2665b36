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
