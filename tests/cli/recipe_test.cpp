// The recipe ingredients of `nabla train`: their config keys and checks, the warmup schedules,
// the training loader's erasing / cutout / MixUp / CutMix, data.classes, and --init / --freeze
// through train_model on a few Fashion-MNIST images.
#include <gtest/gtest.h>

#include <filesystem>

#include "checkpoint.h"
#include "config.h"
#include "error_of.h"
#include "image_data.h"
#include "nabla/nabla.h"
#include "nabla/train/transfer.h"
#include "train_setup.h"
#include "trainer.h"

using namespace nabla;
using namespace nabla::cli;
using nabla::testing::error_of;
namespace fs = std::filesystem;

namespace {

bool have_fashion() { return fs::exists(std::string(data::FashionMNIST::kDefaultRoot) + "/train-labels-idx1-ubyte.gz"); }

// 8 white 8×8 images (raw 255), labels 0..3 twice.
std::shared_ptr<const data::Dataset> white_images() {
  std::vector<int64_t> y = {0, 1, 2, 3, 0, 1, 2, 3};
  return std::make_shared<data::TensorDataset>(full({8, 1, 8, 8}, 255.0), from_vector(y, Shape{8}));
}

// One batch of all 8 images from a loader built with `s` (normalised with mean 0, std 1/255: the
// batch holds pixel values, 1 for white).
data::Batch first_batch(LoaderSettings s) {
  s.loader.batch_size = 8;
  s.loader.seed = 9;
  s.image_size = 8;
  s.num_classes = 4;
  s.norm = {0.0, 1.0};
  auto loader = make_train_loader(white_images(), {0, 1, 2, 3, 4, 5, 6, 7}, s);
  for (const data::Batch& b : *loader) return b;
  return {};
}

// Zeroed (erased) pixels per image.
std::vector<int64_t> zeros_per_image(const Tensor& images) {
  const Tensor x = images.contiguous();
  const float* p = x.data_ptr<float>();
  std::vector<int64_t> out;
  for (int64_t i = 0; i < x.size(0); ++i) {
    int64_t n = 0;
    for (int64_t j = 0; j < 64; ++j) n += p[i * 64 + j] == 0.0f;
    out.push_back(n);
  }
  return out;
}

}  // namespace

TEST(Recipe, KeysAreCheckedByName) {
  auto err = [](const std::vector<std::pair<std::string, std::string>>& kv) {
    return error_of([&] {
      TrainConfig c;
      for (const auto& [k, v] : kv) set_key(c, k, v);
      validate(c);
    });
  };
  EXPECT_EQ(err({{"data.erasing", "0.5"}, {"data.cutout", "8"}, {"data.mixup_alpha", "0.2"}, {"data.cutmix_alpha", "1"},
                 {"schedule", "cosine"}, {"schedule.warmup_epochs", "2"}, {"label-smoothing", "0.1"}, {"tta", "true"},
                 {"freeze", "backbone"}, {"data.classes", "[5, 6]"}, {"data.normalize", "channel"}}),
            "");
  EXPECT_NE(err({{"data.erasing", "1.5"}}).find("'data.erasing' must be in [0, 1], got 1.5"), std::string::npos);
  EXPECT_NE(err({{"data.erasing_scale_min", "0.5"}, {"data.erasing_scale_max", "0.2"}}).find("erasing_scale_min"),
            std::string::npos);
  EXPECT_NE(err({{"data.crop_padding", "-1"}}).find("data.crop_padding"), std::string::npos);
  EXPECT_NE(err({{"data.mixup_alpha", "-1"}}).find("data.mixup_alpha"), std::string::npos);
  EXPECT_NE(err({{"data.mix_prob", "2"}}).find("data.mix_prob"), std::string::npos);
  EXPECT_NE(err({{"data.classes", "1,2,1"}}).find("lists 1 twice"), std::string::npos);
  EXPECT_NE(err({{"schedule.warmup_epochs", "1"}}).find("onecycle warms up by schedule.warmup_pct"), std::string::npos);
  EXPECT_NE(err({{"schedule", "cosine"}, {"schedule.warmup_epochs", "1"}, {"schedule.warmup_steps", "5"}}).find("not both"),
            std::string::npos);
  EXPECT_NE(err({{"schedule", "cosine"}, {"schedule.warmup_epochs", "15"}}).find("below train.epochs"), std::string::npos);
  EXPECT_NE(err({{"label_smoothing", "1"}}).find("'train.label_smoothing' must be in [0, 1)"), std::string::npos);
  EXPECT_NE(err({{"freeze", "all"}}).find("'train.freeze' must be one of none, backbone"), std::string::npos);
  EXPECT_NE(err({{"data.normalize", "pixel"}}).find("fixed, train, channel"), std::string::npos);
}

TEST(Recipe, WarmupSchedulesStartLowAndPeakAtTheConfiguredLr) {
  TrainConfig c;
  c.optimizer.lr = 0.1;
  c.train.epochs = 4;
  c.schedule.name = "cosine";
  c.schedule.warmup_epochs = 1;
  manual_seed(0);
  nn::Linear layer(2, 2);
  auto opt = make_optimizer(c, layer.parameters());
  auto sched = make_scheduler(c, *opt, 40);  // 10 batches per epoch: 10 warmup steps
  EXPECT_TRUE(schedule_steps_per_batch(c));
  EXPECT_EQ(warmup_steps(c, 40), 10);
  std::vector<double> lrs = {opt->lr(0)};
  for (int s = 0; s < 39; ++s) {
    sched->step();
    lrs.push_back(opt->lr(0));
  }
  EXPECT_NEAR(lrs[0], 0.01, 1e-12);
  EXPECT_NEAR(lrs[9], 0.1, 1e-12);
  EXPECT_NEAR(lrs[10], 0.1, 1e-12);
  EXPECT_NEAR(lrs[25], 0.05, 1e-12);  // half way through the cosine
  EXPECT_LT(lrs[39], 0.001);
  c.schedule.warmup_epochs = 0;
  c.schedule.warmup_steps = 4;
  c.schedule.name = "constant";
  auto opt2 = make_optimizer(c, layer.parameters());
  auto constant = make_scheduler(c, *opt2, 40);
  ASSERT_TRUE(constant);
  EXPECT_NEAR(opt2->lr(0), 0.025, 1e-12);
  for (int s = 0; s < 10; ++s) constant->step();
  EXPECT_NEAR(opt2->lr(0), 0.1, 1e-12);
  c.schedule.warmup_steps = 40;
  EXPECT_NE(error_of([&] { warmup_steps(c, 40); }).find("shorter than the run"), std::string::npos);
}

TEST(Recipe, ErasingAndCutoutZeroPartsOfEachImage) {
  LoaderSettings plain;
  for (int64_t z : zeros_per_image(first_batch(plain).input)) EXPECT_EQ(z, 0);
  LoaderSettings cutout;
  cutout.cutout = 4;
  for (int64_t z : zeros_per_image(first_batch(cutout).input)) {
    EXPECT_GE(z, 4);  // a 4×4 square, clipped at the border to at least 2×2
    EXPECT_LE(z, 16);
  }
  LoaderSettings erasing;
  erasing.erasing = 1.0;
  erasing.erasing_scale_min = 0.1;
  erasing.erasing_scale_max = 0.3;
  int64_t erased = 0;
  for (int64_t z : zeros_per_image(first_batch(erasing).input)) {
    EXPECT_LE(z, 64 * 3 / 10 + 8);  // area at most 0.3 of 64, up to rounding of the sides
    erased += z > 0;
  }
  EXPECT_GE(erased, 6);  // p = 1: every image unless its 10 attempts all fail
  LoaderSettings crop;
  crop.augment = "crop";
  crop.crop_padding = 3;
  int64_t shifted = 0;
  for (int64_t z : zeros_per_image(first_batch(crop).input)) shifted += z > 0;  // padding shows as zeros
  EXPECT_GE(shifted, 5);
}

TEST(Recipe, MixingTurnsTargetsIntoProbabilities) {
  LoaderSettings mixup;
  mixup.mixup_alpha = 1.0;
  const data::Batch m = first_batch(mixup);
  ASSERT_EQ(m.target.shape(), (Shape{8, 4}));
  const Tensor sums = m.target.sum({1});
  EXPECT_TRUE(allclose(sums, full({8}, 1.0), 1e-5, 1e-6));
  EXPECT_GT(m.target.max().item(), 0.5);
  EXPECT_LT(m.target.max().item(), 1.0);  // mixed: no row is one-hot
  LoaderSettings cutmix;
  cutmix.cutmix_alpha = 1.0;
  EXPECT_EQ(first_batch(cutmix).target.shape(), (Shape{8, 4}));
  LoaderSettings never;
  never.mixup_alpha = 1.0;
  never.mix_prob = 0.0;
  EXPECT_EQ(first_batch(never).target.dim(), 1);  // class indices
}

TEST(Recipe, ClassesSelectAndRelabel) {
  if (!have_fashion()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  TrainConfig c;
  c.data.classes = {7, 5};
  c.data.val_size = 1000;
  const ImageData d = load_image_data(c.data, 0);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"Sneaker", "Sandal"}));
  EXPECT_EQ(d.train_indices.size() + d.val_indices.size(), 12000u);
  ASSERT_TRUE(d.test_file);
  EXPECT_EQ(d.test_file->size(), 2000);
  const ImageSet t = materialize(*d.test_file, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {});
  for (int64_t y : t.labels.to_vector<int64_t>()) EXPECT_TRUE(y == 0 || y == 1);
  c.data.classes = {3, 12};
  EXPECT_NE(error_of([&] { load_image_data(c.data, 0); }).find("data.classes holds 12, but fashion-mnist has 10"),
            std::string::npos);
}

TEST(Recipe, InitAndFreezeThroughTrainModel) {
  if (!have_fashion()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  const fs::path root = fs::temp_directory_path() / "nabla_recipe_transfer";
  fs::remove_all(root);
  TrainConfig c;
  c.model.name = "mlp";
  c.model.options["hidden"] = std::vector<int64_t>{32};
  c.data.val_size = 500;
  c.data.train_subset = 1000;
  c.data.test_subset = 500;
  c.data.classes = {0, 1, 2, 3, 4};
  c.train.epochs = 1;
  c.train.threads = 1;
  c.train.out_dir = root.string();
  c.train.name = "source";
  TrainOptions o;
  o.verbose = false;
  const TrainResult source = train_model(c, o);
  ASSERT_EQ(source.status, 0);
  const std::string ckpt = source.run_dir + "/best.safetensors";

  // A linear probe on three other classes: the head (another shape) is new, the rest is frozen.
  c.data.classes = {5, 6, 7};
  c.train.init = ckpt;
  c.train.freeze = "backbone";
  c.train.name = "probe";
  const TrainResult probe = train_model(c, o);
  ASSERT_EQ(probe.status, 0);
  EXPECT_EQ(probe.reinitialized.size(), 2u);
  const LoadedModel before = load_model_checkpoint(ckpt), after = load_model_checkpoint(probe.run_dir + "/best.safetensors");
  const std::string head = train::classifier_head(*after.model);
  const StateDict a = after.model->state_dict(), b = before.model->state_dict();
  for (const auto& [k, v] : a) {
    if (k.rfind(head + ".", 0) == 0) EXPECT_EQ(v.size(0), 3) << k;
    else EXPECT_TRUE(allclose(v.to(DType::Float64), b.at(k).to(DType::Float64))) << k << " moved although frozen";
  }
  EXPECT_GT(probe.test_acc, 0.6);  // sandal, shirt, sneaker from features learned on other classes

  // A model of another architecture does not fit: the error names the keys.
  c.model.options["hidden"] = std::vector<int64_t>{16};
  c.train.name = "wrong";
  EXPECT_NE(error_of([&] { train_model(c, o); }).find("train.init"), std::string::npos);
  fs::remove_all(root);
}

TEST(Recipe, ResNet20RecipeFileIsValid) {
  TrainConfig c;
  apply_toml_file(c, std::string(NABLA_SOURCE_DIR) + "/configs/resnet20_fashion.toml");
  EXPECT_NO_THROW(validate(c));
  EXPECT_EQ(c.model.name, "resnet20");
  EXPECT_EQ(c.schedule.name, "cosine");
  EXPECT_EQ(c.schedule.warmup_epochs, 1);
  EXPECT_TRUE(c.train.tta);
  EXPECT_EQ(c.data.val_size, 0);
}
