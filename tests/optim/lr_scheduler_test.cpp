// Schedulers: hand-checked sequences, the groups' lr and momentum they write, state_dict round
// trips that continue identically, the inverse-sqrt warmup helper, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "nabla/nabla.h"
#include "nabla/optim.h"

using namespace nabla;
using namespace nabla::optim;

namespace {

void expect_error(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "expected nabla::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& frag : fragments) EXPECT_NE(msg.find(frag), std::string::npos) << "'" << frag << "' not in: " << msg;
  }
}

std::unique_ptr<SGD> sgd(double lr = 0.1) {
  return std::make_unique<SGD>(std::vector<Tensor>{zeros({2}).requires_grad_()}, SGDOptions{.lr = lr, .momentum = 0.9});
}

std::vector<double> run(LRScheduler& s, int steps) {
  std::vector<double> lrs{s.get_last_lr()[0]};
  for (int i = 0; i < steps; ++i) {
    s.step();
    lrs.push_back(s.get_last_lr()[0]);
  }
  return lrs;
}

void expect_seq(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "epoch " << i;
}

}  // namespace

TEST(LRScheduler, StepMultiStepExponentialByHand) {
  auto o1 = sgd();
  StepLR step(*o1, 2, 0.5);
  expect_seq(run(step, 5), {0.1, 0.1, 0.05, 0.05, 0.025, 0.025});
  EXPECT_EQ(o1->lr(0), step.get_last_lr()[0]);
  EXPECT_EQ(o1->param_groups()[0].schedule.initial_lr.value(), 0.1);
  auto o2 = sgd();
  MultiStepLR multi(*o2, {3, 1, 3}, 0.1);
  expect_seq(run(multi, 4), {0.1, 0.01, 0.01, 0.0001, 0.0001});
  auto o3 = sgd();
  ExponentialLR expo(*o3, 0.5);
  expect_seq(run(expo, 3), {0.1, 0.05, 0.025, 0.0125});
}

TEST(LRScheduler, CosineWarmupAndRestarts) {
  auto o = sgd(1.0);
  CosineAnnealingLR cosine(*o, 4, 0.0);
  std::vector<double> want;
  for (int e = 0; e <= 4; ++e) want.push_back((1 + std::cos(std::numbers::pi * e / 4)) / 2);
  expect_seq(run(cosine, 4), want);
  auto o2 = sgd(1.0);
  CosineAnnealingWarmRestarts sgdr(*o2, 2, 2);
  const auto seq = run(sgdr, 7);  // periods 2, 4, …: restarts at epochs 2 and 6
  EXPECT_NEAR(seq[0], 1.0, 1e-12);
  EXPECT_NEAR(seq[1], 0.5, 1e-12);
  EXPECT_NEAR(seq[2], 1.0, 1e-12);
  EXPECT_NEAR(seq[4], 0.5, 1e-12);
  EXPECT_NEAR(seq[6], 1.0, 1e-12);
  auto o3 = sgd(1.0);
  LinearLR warmup(*o3, 0.25, 1.0, 3);
  expect_seq(run(warmup, 4), {0.25, 0.5, 0.75, 1.0, 1.0});
}

TEST(LRScheduler, SequentialWarmupThenDecay) {
  auto o = sgd(1.0);
  ConstantLR warm(*o, 0.1, 2);
  ExponentialLR decay(*o, 0.9);
  SequentialLR seq(*o, {&warm, &decay}, {2});
  // PyTorch's docstring claims 0.1, 0.1, 0.9, 0.81, 0.729, but torch 1.13 itself gives the
  // sequence below: at the milestone ExponentialLR restarts from the base lr (closed form at 0).
  expect_seq(run(seq, 4), {0.1, 0.1, 1.0, 0.9, 0.81});
  expect_error([&] { seq.step(3); }, {"SequentialLR"});
  auto other = sgd();
  ExponentialLR foreign(*other, 0.9);
  expect_error([&] { SequentialLR(*o, {&warm, &foreign}, {2}); }, {"SequentialLR", "same optimizer", "index 1"});
  expect_error([&] { SequentialLR(*o, {&warm, &decay}, {2, 4}); }, {"SequentialLR", "number of milestones"});
}

TEST(LRScheduler, OneCycleCyclesMomentumAndStops) {
  auto o = sgd();
  OneCycleLR sched(*o, {.max_lr = 1.0, .total_steps = 10});
  EXPECT_NEAR(o->lr(0), 1.0 / 25, 1e-12);
  EXPECT_NEAR(o->param_groups()[0].options.momentum, 0.95, 1e-12);
  for (int i = 0; i < 2; ++i) sched.step();  // the peak is at step pct_start·10 − 1 = 2
  EXPECT_NEAR(o->lr(0), 1.0, 1e-12);
  EXPECT_NEAR(o->param_groups()[0].options.momentum, 0.85, 1e-12);
  for (int i = 0; i < 7; ++i) sched.step();
  EXPECT_NEAR(o->lr(0), 1.0 / 25 / 1e4, 1e-12);
  sched.step();  // step 10 = total_steps is still allowed, as PyTorch
  expect_error([&] { sched.step(); }, {"OneCycleLR", "total steps is 10"});
  // Adam's beta1 cycles instead of momentum; Adagrad has neither.
  Adam adam({zeros({1}).requires_grad_()});
  OneCycleLR on_adam(adam, {.max_lr = 0.1, .total_steps = 5});
  EXPECT_NEAR(adam.param_groups()[0].options.betas.first, 0.95, 1e-12);
  Adagrad adagrad({zeros({1}).requires_grad_()});
  expect_error([&] { OneCycleLR(adagrad, {.max_lr = 0.1, .total_steps = 5}); }, {"OneCycleLR", "Adagrad", "momentum"});
}

TEST(LRScheduler, ReduceOnPlateauWaitsForPatience) {
  auto o = sgd(1.0);
  ReduceLROnPlateau sched(*o, {.factor = 0.5, .patience = 1, .min_lr = 0.3});
  for (double m : {1.0, 1.0}) sched.step(m);
  EXPECT_EQ(sched.get_last_lr()[0], 1.0);  // one bad epoch is tolerated
  sched.step(1.0);
  EXPECT_EQ(sched.get_last_lr()[0], 0.5);
  sched.step(0.5);  // improvement
  sched.step(0.6);
  sched.step(0.6);
  EXPECT_EQ(sched.get_last_lr()[0], 0.3);  // floored at min_lr
  expect_error([&] { ReduceLROnPlateau(*o, {.factor = 1.5}); }, {"ReduceLROnPlateau", "factor", "1.5"});
  expect_error([&] { ReduceLROnPlateau(*o, {.mode = "lowest"}); }, {"ReduceLROnPlateau", "lowest"});
}

TEST(LRScheduler, LambdaAndInverseSqrtWarmup) {
  auto o = sgd(1.0);
  LambdaLR sched(*o, inverse_sqrt_with_warmup(4));
  const auto seq = run(sched, 15);
  EXPECT_NEAR(seq[0], 0.25, 1e-12);
  EXPECT_NEAR(seq[3], 1.0, 1e-12);  // peak at the end of warmup
  EXPECT_NEAR(seq[15], std::sqrt(4.0 / 16.0), 1e-12);
  expect_error([&] { LambdaLR(*o, std::vector<LambdaLR::Lambda>{}); }, {"LambdaLR", "expected 1"});
}

// Saving a scheduler (and its optimizer's hyperparameters) mid-run and restoring both into fresh
// objects continues with the same learning rates.
TEST(LRScheduler, StateDictRoundTripContinuesIdentically) {
  using Make = std::function<std::vector<std::unique_ptr<LRScheduler>>(Optimizer&)>;
  const std::vector<std::pair<std::string, Make>> makers = {
      {"cosine_warm", [](Optimizer& o) {
         std::vector<std::unique_ptr<LRScheduler>> v;
         v.push_back(std::make_unique<CosineAnnealingWarmRestarts>(o, 3, 2, 0.01));
         return v;
       }},
      {"onecycle", [](Optimizer& o) {
         std::vector<std::unique_ptr<LRScheduler>> v;
         v.push_back(std::make_unique<OneCycleLR>(o, OneCycleLROptions{.max_lr = 0.5, .total_steps = 20}));
         return v;
       }},
      {"cosine", [](Optimizer& o) {
         std::vector<std::unique_ptr<LRScheduler>> v;
         v.push_back(std::make_unique<CosineAnnealingLR>(o, 7));
         return v;
       }},
      {"sequential", [](Optimizer& o) {
         std::vector<std::unique_ptr<LRScheduler>> v;
         v.push_back(std::make_unique<LinearLR>(o, 0.2, 1.0, 4));
         v.push_back(std::make_unique<CosineAnnealingLR>(o, 10));
         v.push_back(std::make_unique<SequentialLR>(o, std::vector<LRScheduler*>{v[0].get(), v[1].get()},
                                                    std::vector<int64_t>{4}));
         return v;
       }},
  };
  for (const auto& [name, make] : makers) {
    SCOPED_TRACE(name);
    auto oa = sgd();
    auto sa = make(*oa);
    for (int i = 0; i < 6; ++i) sa.back()->step();
    const nn::StateDict sched_state = sa.back()->state_dict();
    const nn::StateDict opt_state = oa->state_dict();
    auto ob = sgd();
    auto sb = make(*ob);
    ob->load_state_dict(opt_state);
    sb.back()->load_state_dict(sched_state);
    EXPECT_EQ(sb.back()->last_epoch(), sa.back()->last_epoch());
    for (int i = 0; i < 8; ++i) {
      sa.back()->step();
      sb.back()->step();
      EXPECT_EQ(sa.back()->get_last_lr(), sb.back()->get_last_lr()) << "step " << i;
      EXPECT_EQ(oa->param_groups()[0].options.momentum, ob->param_groups()[0].options.momentum);
    }
  }
  // ReduceLROnPlateau.
  auto oa = sgd();
  ReduceLROnPlateau pa(*oa, {.patience = 1});
  for (double m : {1.0, 0.9, 0.95}) pa.step(m);
  auto ob = sgd();
  ReduceLROnPlateau pb(*ob, {.patience = 1});
  pb.load_state_dict(pa.state_dict());
  ob->load_state_dict(oa->state_dict());
  for (double m : {0.96, 0.97, 0.98, 0.5}) {
    pa.step(m);
    pb.step(m);
    EXPECT_EQ(pa.get_last_lr(), pb.get_last_lr());
  }
  StepLR plain(*oa, 3);
  expect_error([&] { plain.load_state_dict({}); }, {"StepLR", "missing key"});
}

TEST(LRScheduler, BadArguments) {
  auto o = sgd();
  expect_error([&] { StepLR(*o, 0); }, {"StepLR", "step_size", "0"});
  expect_error([&] { CosineAnnealingLR(*o, 0); }, {"CosineAnnealingLR", "T_max"});
  expect_error([&] { CosineAnnealingWarmRestarts(*o, 5, 0); }, {"CosineAnnealingWarmRestarts", "T_mult", "0"});
  expect_error([&] { LinearLR(*o, 1.5); }, {"LinearLR", "start_factor", "1.5"});
  expect_error([&] { OneCycleLR(*o, {.max_lr = 1.0, .total_steps = 0}); }, {"OneCycleLR", "total_steps", "0"});
  expect_error([&] { OneCycleLR(*o, {.max_lr = 1.0, .total_steps = 5, .anneal_strategy = "cosine"}); },
               {"OneCycleLR", "'cosine'"});
  auto fresh = sgd();
  expect_error([&] { StepLR(*fresh, 3, 0.1, /*last_epoch=*/5); }, {"initial_lr", "param_groups[0]"});
}
