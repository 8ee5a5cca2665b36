// PyTorch parity of the optimizers (20-step trajectories on a small non-convex regression) and of
// the learning-rate schedulers (30-step lr sequences, momentum for OneCycleLR) against
// tests/fixtures/parity/optim.safetensors written by tools/parity/optim.py (python3-torch 1.13).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>

#include "nabla/io/serialize.h"
#include "nabla/nabla.h"
#include "nabla/optim.h"

using namespace nabla;
using namespace nabla::optim;

#ifndef NABLA_SOURCE_DIR
#define NABLA_SOURCE_DIR "."
#endif

namespace {

const std::map<std::string, Tensor>& fixture() {
  static const std::map<std::string, Tensor> data =
      nabla::load(std::string(NABLA_SOURCE_DIR) + "/tests/fixtures/parity/optim.safetensors");
  return data;
}

void expect_close(const Tensor& actual, const Tensor& expected, double rtol, double atol, const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  const auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::abs(a[i] - e[i]), atol + rtol * std::abs(e[i])) << what << " element " << i << ": " << a[i]
                                                                      << " vs " << e[i];
}

using OptFactory = std::function<std::unique_ptr<Optimizer>(const Tensor& W, const Tensor& b)>;
struct OptCase {
  OptFactory make;
  DType dtype;
};

template <class O, class Opts>
OptFactory plain(Opts options) {
  return [options](const Tensor& W, const Tensor& b) { return std::make_unique<O>(std::vector<Tensor>{W, b}, options); };
}

// Same table as tools/parity/optim.py.
const std::map<std::string, OptCase>& optimizer_cases() {
  const DType f64 = DType::Float64, f32 = DType::Float32;
  static const std::map<std::string, OptCase> table = {
      {"sgd_plain", {plain<SGD>(SGDOptions{.lr = 0.1}), f64}},
      {"sgd_momentum", {plain<SGD>(SGDOptions{.lr = 0.05, .momentum = 0.9}), f64}},
      {"sgd_dampening_wd",
       {plain<SGD>(SGDOptions{.lr = 0.05, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01}), f64}},
      {"sgd_nesterov_wd",
       {plain<SGD>(SGDOptions{.lr = 0.05, .momentum = 0.8, .weight_decay = 1e-3, .nesterov = true}), f64}},
      {"sgd_maximize", {plain<SGD>(SGDOptions{.lr = 0.01, .momentum = 0.5, .maximize = true}), f64}},
      {"sgd_groups",
       {[](const Tensor& W, const Tensor& b) {
          return std::make_unique<SGD>(
              std::vector<SGD::ParamGroup>{{{W}, {.momentum = 0.9}}, {{b}, {.lr = 0.01}}}, SGDOptions{.lr = 0.1});
        },
        f64}},
      {"sgd_momentum_f32", {plain<SGD>(SGDOptions{.lr = 0.05, .momentum = 0.9, .weight_decay = 0.01}), f32}},
      {"adam_default", {plain<Adam>(AdamOptions{.lr = 0.01}), f64}},
      {"adam_wd_amsgrad",
       {plain<Adam>(AdamOptions{.lr = 0.02, .betas = {0.8, 0.99}, .weight_decay = 0.1, .amsgrad = true}), f64}},
      {"adam_maximize_eps", {plain<Adam>(AdamOptions{.lr = 0.01, .eps = 1e-3, .maximize = true}), f64}},
      {"adam_f32", {plain<Adam>(AdamOptions{.lr = 0.01}), f32}},
      {"adamw_default", {plain<AdamW>(AdamWOptions{.lr = 0.01}), f64}},
      {"adamw_amsgrad", {plain<AdamW>(AdamWOptions{.lr = 0.02, .weight_decay = 0.1, .amsgrad = true}), f64}},
      {"adamw_f32", {plain<AdamW>(AdamWOptions{.lr = 0.01, .weight_decay = 0.05}), f32}},
      {"adagrad_default", {plain<Adagrad>(AdagradOptions{.lr = 0.1}), f64}},
      {"adagrad_decay",
       {plain<Adagrad>(AdagradOptions{
            .lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.01, .initial_accumulator_value = 0.1, .eps = 1e-8}),
        f64}},
      {"adagrad_f32", {plain<Adagrad>(AdagradOptions{.lr = 0.1}), f32}},
      {"rmsprop_default", {plain<RMSprop>(RMSpropOptions{.lr = 0.01}), f64}},
      {"rmsprop_centered_momentum",
       {plain<RMSprop>(
            RMSpropOptions{.lr = 0.01, .alpha = 0.9, .weight_decay = 0.01, .momentum = 0.9, .centered = true}),
        f64}},
      {"rmsprop_momentum", {plain<RMSprop>(RMSpropOptions{.lr = 0.005, .momentum = 0.5}), f64}},
      {"rmsprop_f32", {plain<RMSprop>(RMSpropOptions{.lr = 0.01, .centered = true}), f32}},
      {"adadelta_default", {plain<Adadelta>(AdadeltaOptions{}), f64}},
      {"adadelta_wd", {plain<Adadelta>(AdadeltaOptions{.lr = 0.5, .rho = 0.8, .eps = 1e-5, .weight_decay = 0.01}), f64}},
      {"adadelta_f32", {plain<Adadelta>(AdadeltaOptions{}), f32}},
      {"lbfgs_plain", {plain<LBFGS>(LBFGSOptions{.lr = 0.5, .max_iter = 4}), f64}},
      {"lbfgs_wolfe", {plain<LBFGS>(LBFGSOptions{.max_iter = 6, .history_size = 3, .line_search_fn = "strong_wolfe"}), f64}},
  };
  return table;
}

}  // namespace

TEST(OptimParity, TrajectoriesMatchPyTorch) {
  const auto& data = fixture();
  for (const auto& [name, c] : optimizer_cases()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(data.count(name + ".W")) << "fixture lacks " << name;
    const Tensor X = data.at("problem.X").to(c.dtype), Y = data.at("problem.Y").to(c.dtype);
    Tensor W = data.at("problem.W").to(c.dtype).clone().detach().requires_grad_();
    Tensor b = data.at("problem.b").to(c.dtype).clone().detach().requires_grad_();
    std::unique_ptr<Optimizer> opt = c.make(W, b);
    auto closure = [&]() {
      opt->zero_grad();
      const Tensor d = tanh(matmul(X, W.t()) + b) - Y;
      Tensor loss = mean(d * d);
      loss.backward();
      return loss;
    };
    const Tensor Ws = data.at(name + ".W"), bs = data.at(name + ".b"), losses = data.at(name + ".loss");
    const bool f64 = c.dtype == DType::Float64;
    // LBFGS's line search compares losses, so tiny differences may change a branch; its
    // tolerance is looser (the runs still agree to ~1e-9 here).
    const bool lbfgs = name.rfind("lbfgs", 0) == 0;
    const double rtol = f64 ? (lbfgs ? 1e-7 : 1e-10) : 2e-5, atol = f64 ? (lbfgs ? 1e-9 : 1e-12) : 2e-6;
    const int64_t steps = Ws.size(0);
    for (int64_t s = 0; s < steps; ++s) {
      const Tensor loss = opt->step(closure);
      const std::string at = name + " step " + std::to_string(s);
      expect_close(loss.detach().reshape({}), losses[s], rtol, atol, at + " loss");
      expect_close(W.detach(), Ws[s], rtol, atol, at + " W");
      expect_close(b.detach(), bs[s], rtol, atol, at + " b");
    }
  }
}

namespace {

// Owns the schedulers of one case; `main` is the one stepped.
struct Schedule {
  std::vector<std::unique_ptr<LRScheduler>> owned;
  LRScheduler* main = nullptr;
  std::unique_ptr<ReduceLROnPlateau> plateau;
};
using SchedFactory = std::function<Schedule(Optimizer&)>;

template <class S, class... A>
SchedFactory single(A... args) {
  return [=](Optimizer& o) {
    Schedule s;
    s.owned.push_back(std::make_unique<S>(o, args...));
    s.main = s.owned.back().get();
    return s;
  };
}

struct SchedCase {
  SchedFactory make;
  bool adam = false;
};

// Same table as sched_cases() in tools/parity/optim.py.
const std::map<std::string, SchedCase>& scheduler_cases() {
  static const std::map<std::string, SchedCase> table = {
      {"step", {single<StepLR>(int64_t{7}, 0.5)}},
      {"multistep", {single<MultiStepLR>(std::vector<int64_t>{5, 12, 12, 20}, 0.3)}},
      {"exponential", {single<ExponentialLR>(0.9)}},
      {"cosine", {single<CosineAnnealingLR>(int64_t{10}, 0.001)}},
      {"cosine_warm_mult2", {single<CosineAnnealingWarmRestarts>(int64_t{5}, int64_t{2}, 0.01)}},
      {"cosine_warm_mult1", {single<CosineAnnealingWarmRestarts>(int64_t{7})}},
      {"linear_warmup", {single<LinearLR>(0.25, 1.0, int64_t{8})}},
      {"linear_decay", {single<LinearLR>(1.0, 0.1, int64_t{20})}},
      {"constant", {single<ConstantLR>(0.5, int64_t{4})}},
      {"lambda", {single<LambdaLR>(LambdaLR::Lambda([](int64_t e) { return std::pow(0.95, static_cast<double>(e)); }))}},
      {"lambda_per_group",
       {single<LambdaLR>(std::vector<LambdaLR::Lambda>{
           [](int64_t e) { return 1.0 / static_cast<double>(1 + e); },
           [](int64_t e) { return std::pow(0.9, static_cast<double>(e / 3)); }})}},
      {"sequential_warmup_cosine",
       {[](Optimizer& o) {
          Schedule s;
          s.owned.push_back(std::make_unique<LinearLR>(o, 0.1, 1.0, 5));
          s.owned.push_back(std::make_unique<CosineAnnealingLR>(o, 25));
          s.owned.push_back(std::make_unique<SequentialLR>(
              o, std::vector<LRScheduler*>{s.owned[0].get(), s.owned[1].get()}, std::vector<int64_t>{5}));
          s.main = s.owned.back().get();
          return s;
        }}},
      {"sequential_three",
       {[](Optimizer& o) {
          Schedule s;
          s.owned.push_back(std::make_unique<ConstantLR>(o, 0.5, 3));
          s.owned.push_back(std::make_unique<ExponentialLR>(o, 0.9));
          s.owned.push_back(std::make_unique<StepLR>(o, 4, 0.5));
          s.owned.push_back(std::make_unique<SequentialLR>(
              o, std::vector<LRScheduler*>{s.owned[0].get(), s.owned[1].get(), s.owned[2].get()},
              std::vector<int64_t>{3, 10}));
          s.main = s.owned.back().get();
          return s;
        }}},
      {"onecycle_cos", {single<OneCycleLR>(OneCycleLROptions{.max_lr = 1.0, .total_steps = 30})}},
      {"onecycle_linear_three_phase_adam",
       {single<OneCycleLR>(OneCycleLROptions{.total_steps = 32,
                                             .pct_start = 0.25,
                                             .anneal_strategy = "linear",
                                             .div_factor = 10.0,
                                             .final_div_factor = 100.0,
                                             .three_phase = true,
                                             .max_lrs = {0.5, 0.05}}),
        true}},
      {"plateau_min_rel",
       {[](Optimizer& o) {
          Schedule s;
          s.plateau = std::make_unique<ReduceLROnPlateau>(
              o, ReduceLROnPlateauOptions{.factor = 0.5, .patience = 2, .threshold = 0.01, .cooldown = 1, .min_lr = 0.005});
          return s;
        }}},
      {"plateau_max_abs",
       {[](Optimizer& o) {
          Schedule s;
          s.plateau = std::make_unique<ReduceLROnPlateau>(o, ReduceLROnPlateauOptions{.mode = "max",
                                                                                       .factor = 0.2,
                                                                                       .patience = 1,
                                                                                       .threshold = 0.02,
                                                                                       .threshold_mode = "abs",
                                                                                       .min_lrs = {0.001, 0.0}});
          return s;
        }}},
  };
  return table;
}

std::unique_ptr<Optimizer> two_group_optimizer(bool adam) {
  const Tensor a = zeros({2}).requires_grad_(), b = zeros({3}).requires_grad_();
  if (adam)
    return std::make_unique<Adam>(std::vector<Adam::ParamGroup>{{{a}, {}}, {{b}, {.lr = 0.02}}}, AdamOptions{.lr = 0.1});
  return std::make_unique<SGD>(std::vector<SGD::ParamGroup>{{{a}, {}}, {{b}, {.lr = 0.02}}},
                               SGDOptions{.lr = 0.1, .momentum = 0.9});
}

}  // namespace

TEST(OptimParity, SchedulerSequencesMatchPyTorch) {
  const auto& data = fixture();
  for (const auto& [name, c] : scheduler_cases()) {
    SCOPED_TRACE(name);
    const std::string key = "sched." + name;
    ASSERT_TRUE(data.count(key + ".lr")) << "fixture lacks " << key;
    auto opt = two_group_optimizer(c.adam);
    Schedule s = c.make(*opt);
    std::vector<double> lrs, moms;
    auto record = [&]() {  // momentum: SGD's momentum, or Adam's beta1
      for (size_t g = 0; g < opt->num_param_groups(); ++g) {
        lrs.push_back(opt->lr(g));
        moms.push_back(opt->momentum(g).value());
      }
    };
    record();
    const Tensor expected = data.at(key + ".lr");
    const int64_t steps = expected.size(0) - 1;
    const std::vector<double> metrics =
        s.plateau ? data.at(key + ".metrics").to_vector<double>() : std::vector<double>();
    for (int64_t i = 0; i < steps; ++i) {
      opt->step();
      if (s.plateau) s.plateau->step(metrics[i]);
      else s.main->step();
      record();
      const auto& last = s.plateau ? s.plateau->get_last_lr() : s.main->get_last_lr();
      EXPECT_EQ(last.size(), 2u);
      EXPECT_DOUBLE_EQ(last[0], lrs[lrs.size() - 2]);
    }
    expect_close(from_vector<double>(lrs, expected.shape()), expected, 1e-12, 1e-15, key + ".lr");
    if (data.count(key + ".momentum"))
      expect_close(from_vector<double>(moms, expected.shape()), data.at(key + ".momentum"), 1e-12, 1e-15,
                   key + ".momentum");
  }
}
