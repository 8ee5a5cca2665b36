// train::classifier_head, init_from and freeze_all_but: the pieces of `nabla train --init` and
// `--freeze backbone`.
#include "nabla/train/transfer.h"

#include <gtest/gtest.h>

#include "error_of.h"
#include "nabla/models/lenet.h"
#include "nabla/nabla.h"
#include "nabla/train/trainer.h"

using namespace nabla;
using nabla::testing::error_of;

namespace {

// 4 → 8 → BatchNorm → ReLU → Dropout → classes: the head is "4" (the last Linear).
std::shared_ptr<nn::Sequential> mlp(int64_t classes) {
  return std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::BatchNorm1d>(8),
                                          std::make_shared<nn::ReLU>(), std::make_shared<nn::Dropout>(0.5),
                                          std::make_shared<nn::Linear>(8, classes));
}

}  // namespace

TEST(Transfer, TheHeadIsTheLastModuleWithParameters) {
  EXPECT_EQ(train::classifier_head(*mlp(3)), "4");
  EXPECT_EQ(train::classifier_head(*models::lenet5(10, 1, true)), "classifier.5");
  nn::Linear lone(3, 2);
  EXPECT_NE(error_of([&] { train::classifier_head(lone); }).find("no backbone"), std::string::npos);
  nn::Sequential empty(std::make_shared<nn::ReLU>());
  EXPECT_NE(error_of([&] { train::classifier_head(empty); }).find("holds no parameters"), std::string::npos);
}

TEST(Transfer, InitCopiesEverythingAndKeepsAHeadOfAnotherShape) {
  manual_seed(1);
  auto source = mlp(10);
  manual_seed(2);
  auto target = mlp(3);
  const Tensor fresh_head = target->state_dict().at("4.weight").clone();
  const train::InitResult r = train::init_from(*target, source->state_dict(), "4");
  EXPECT_EQ(r.loaded, 7);  // Linear 0 (2) and BatchNorm (weight, bias, running mean and var, count)
  ASSERT_EQ(r.reinitialized.size(), 2u);
  EXPECT_EQ(r.reinitialized[0], "4.bias (10) -> (3)");
  const auto t = target->state_dict(), s = source->state_dict();
  EXPECT_TRUE(allclose(t.at("0.weight"), s.at("0.weight")));
  EXPECT_TRUE(allclose(t.at("1.weight"), s.at("1.weight")));
  EXPECT_TRUE(allclose(t.at("4.weight"), fresh_head));
}

TEST(Transfer, InitWithTheSameShapeCopiesTheHeadUnlessAskedNotTo) {
  manual_seed(1);
  auto source = mlp(3);
  manual_seed(2);
  auto kept = mlp(3), reset = mlp(3);
  const Tensor fresh_head = reset->state_dict().at("4.weight").clone();
  EXPECT_TRUE(train::init_from(*kept, source->state_dict(), "4").reinitialized.empty());
  EXPECT_TRUE(allclose(kept->state_dict().at("4.weight"), source->state_dict().at("4.weight")));
  const train::InitResult r = train::init_from(*reset, source->state_dict(), "4", /*keep_head=*/false);
  EXPECT_EQ(r.reinitialized, (std::vector<std::string>{"4.bias (3)", "4.weight (3, 8)"}));
  EXPECT_TRUE(allclose(reset->state_dict().at("4.weight"), fresh_head));
  EXPECT_TRUE(allclose(reset->state_dict().at("0.weight"), source->state_dict().at("0.weight")));
}

TEST(Transfer, InitIsStrictOutsideTheHead) {
  auto target = mlp(3);
  StateDict wrong = mlp(3)->state_dict();
  wrong["0.weight"] = zeros({8, 5});
  wrong.erase("1.bias");
  wrong["extra.weight"] = zeros({1});
  const std::string msg = error_of([&] { train::init_from(*target, wrong, "4"); });
  EXPECT_NE(msg.find("missing in the source: 1.bias"), std::string::npos) << msg;
  EXPECT_NE(msg.find("0.weight is (8, 5) in the source, (8, 4) in the model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not in the model: extra.weight"), std::string::npos) << msg;
}

TEST(Transfer, FreezingLeavesOnlyTheHeadTrainableAndTheBackboneInEvalMode) {
  manual_seed(3);
  auto model = mlp(3);
  const auto frozen = train::freeze_all_but(*model, "4");
  for (const auto& [name, p] : model->named_parameters()) EXPECT_EQ(p.requires_grad(), name.rfind("4.", 0) == 0) << name;
  EXPECT_EQ(frozen.size(), 4u);  // Linear, BatchNorm, ReLU, Dropout
  EXPECT_NE(error_of([&] { train::freeze_all_but(*model, "9"); }).find("'9' names no module"), std::string::npos);

  // A step with the frozen modules: only the head moves, BatchNorm's statistics stay.
  std::vector<Tensor> head_params;
  for (const Tensor& p : model->parameters())
    if (p.requires_grad()) head_params.push_back(p);
  optim::SGD opt(head_params, optim::SGDOptions{.lr = 0.5});
  const StateDict before = model->state_dict();
  std::map<std::string, Tensor> copy;
  for (const auto& [k, v] : before) copy[k] = v.clone();
  model->train();
  auto step = train::classification_step(*model, opt, {.frozen = frozen});
  step({randn({6, 4}), from_vector(std::vector<int64_t>{0, 1, 2, 0, 1, 2}, Shape{6})});
  const StateDict after = model->state_dict();
  for (const auto& [k, v] : after) {
    const bool same = allclose(v.to(DType::Float64), copy.at(k).to(DType::Float64));
    EXPECT_EQ(same, k.rfind("4.", 0) != 0) << k;
  }
}
