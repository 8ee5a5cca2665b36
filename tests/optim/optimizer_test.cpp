// Optimizers: hand-computed first steps, parameter groups, zero_grad, skipped parameters,
// non-contiguous parameters, thread-count independence, state_dict round trips that resume
// bitwise (also through a safetensors file), and error messages naming optimizer and value.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <functional>

#include "nabla/io/serialize.h"
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

// A small fixed problem with two parameters: loss = mean((tanh(X·Wᵀ + b) − Y)²).
struct Problem {
  Tensor X, Y, W, b;
  explicit Problem(DType dt = DType::Float32) {
    Generator g(11);
    X = randn({12, 5}, dt, &g);
    Y = randn({12, 3}, dt, &g);
    W = (randn({3, 5}, dt, &g) * 0.5).detach().requires_grad_();
    b = zeros({3}, dt).requires_grad_();
  }
  Tensor loss() const {
    const Tensor d = tanh(matmul(X, W.t()) + b) - Y;
    return mean(d * d);
  }
  std::vector<Tensor> params() const { return {W, b}; }
};

using Factory = std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)>;

std::map<std::string, Factory> all_optimizers() {
  return {
      {"SGD", [](auto p) { return std::make_unique<SGD>(p, SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true}); }},
      {"Adam", [](auto p) { return std::make_unique<Adam>(p, AdamOptions{.lr = 0.01, .weight_decay = 0.01, .amsgrad = true}); }},
      {"AdamW", [](auto p) { return std::make_unique<AdamW>(p, AdamWOptions{.lr = 0.01}); }},
      {"Adagrad", [](auto p) { return std::make_unique<Adagrad>(p, AdagradOptions{.lr = 0.1, .lr_decay = 0.01}); }},
      {"RMSprop",
       [](auto p) { return std::make_unique<RMSprop>(p, RMSpropOptions{.lr = 0.01, .momentum = 0.5, .centered = true}); }},
      {"Adadelta", [](auto p) { return std::make_unique<Adadelta>(p, AdadeltaOptions{.weight_decay = 0.01}); }},
      {"LBFGS",
       [](auto p) {
         return std::make_unique<LBFGS>(p, LBFGSOptions{.max_iter = 3, .history_size = 2, .line_search_fn = "strong_wolfe"});
       }},
  };
}

void run_steps(Optimizer& opt, const Problem& pr, int steps) {
  for (int i = 0; i < steps; ++i)
    opt.step([&] {
      opt.zero_grad();
      Tensor l = pr.loss();
      l.backward();
      return l;
    });
}

}  // namespace

TEST(Optimizer, SgdFirstStepsByHand) {
  Tensor p = tensor({1.0, -2.0}).requires_grad_();
  SGD opt({p}, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.5});
  p.set_grad(tensor({0.2, 0.4}));
  opt.step();  // d = g + 0.5p = (0.7, −0.6); buf = d; p −= 0.1·d
  EXPECT_TRUE(allclose(p.detach(), tensor({0.93, -1.94}), 1e-6, 1e-7));
  p.set_grad(tensor({0.2, 0.4}));
  opt.step();  // d = (0.665, −0.57); buf = 0.9·(0.7, −0.6) + d = (1.295, −1.11)
  EXPECT_TRUE(allclose(p.detach(), tensor({0.93 - 0.1295, -1.94 + 0.111}), 1e-6, 1e-7));
  EXPECT_TRUE(allclose(opt.state(p).at("momentum_buffer"), tensor({1.295, -1.11}), 1e-6, 1e-7));
}

TEST(Optimizer, AdamFirstStepIsLrTimesSign) {
  Tensor p = tensor({1.0, 1.0, 1.0}).requires_grad_();
  Adam opt({p}, {.lr = 0.01});
  p.set_grad(tensor({3.0, -0.001, 50.0}));
  opt.step();  // m̂ = g, v̂ = g² → step = lr·g/(|g| + eps)
  EXPECT_TRUE(allclose(p.detach(), tensor({0.99, 1.01, 0.99}), 1e-6, 1e-6));
  EXPECT_EQ(opt.state(p).at("step").item(), 1.0);
}

TEST(Optimizer, ParamGroupsHaveTheirOwnLearningRates) {
  Tensor a = tensor({1.0}).requires_grad_(), b = tensor({1.0}).requires_grad_();
  SGD opt(std::vector<SGD::ParamGroup>{{{a}, {}}, {{b}, {.lr = 0.01}}}, {.lr = 0.1});
  EXPECT_EQ(opt.param_groups()[1].options.momentum, 0.0);  // filled from the defaults
  a.set_grad(tensor({1.0}));
  b.set_grad(tensor({1.0}));
  opt.step();
  EXPECT_NEAR(a.item(), 0.9, 1e-7);
  EXPECT_NEAR(b.item(), 0.99, 1e-7);
  // A group added later, and a change through param_groups() as schedulers do.
  Tensor c = tensor({1.0}).requires_grad_();
  opt.add_param_group({{c}, {.lr = 1.0}});
  opt.set_lr(0, 0.5);
  a.set_grad(tensor({1.0}));
  c.set_grad(tensor({1.0}));
  b.zero_grad();
  opt.step();
  EXPECT_NEAR(a.item(), 0.4, 1e-6);
  EXPECT_NEAR(b.item(), 0.99, 1e-7);  // no gradient: skipped
  EXPECT_NEAR(c.item(), 0.0, 1e-7);
}

// As PyTorch merges a group's dict over the defaults: a group keeps the optimizer's values for
// every field it does not set, not the options struct's own defaults.
TEST(Optimizer, GroupOptionsOverrideOnlyWhatTheySet) {
  const std::vector<Tensor> body{tensor({1.0}).requires_grad_()}, head{tensor({1.0}).requires_grad_()};
  SGD sgd({{body, {}}, {head, {.lr = 0.01, .nesterov = false}}}, {.lr = 0.1, .momentum = 0.9, .nesterov = true});
  EXPECT_EQ(sgd.param_groups()[0].options.lr, 0.1);
  EXPECT_TRUE(sgd.param_groups()[0].options.nesterov);
  EXPECT_EQ(sgd.param_groups()[1].options.lr, 0.01);
  EXPECT_EQ(sgd.param_groups()[1].options.momentum, 0.9);
  EXPECT_FALSE(sgd.param_groups()[1].options.nesterov);  // set to a value equal to the struct's default
  EXPECT_EQ(sgd.lr(1), 0.01);
  EXPECT_EQ(sgd.momentum(1).value(), 0.9);

  const std::vector<Tensor> w{tensor({1.0}).requires_grad_()}, v{tensor({1.0}).requires_grad_()};
  AdamW adamw({{w, {.betas = std::pair{0.8, 0.9}}}, {v, {}}}, {.lr = 1e-3, .betas = {0.9, 0.98}});
  EXPECT_EQ(adamw.param_groups()[0].options.betas, (std::pair{0.8, 0.9}));
  EXPECT_EQ(adamw.param_groups()[1].options.betas, (std::pair{0.9, 0.98}));
  EXPECT_EQ(adamw.param_groups()[1].options.weight_decay, 0.01);  // AdamW's default
  EXPECT_EQ(adamw.momentum(0).value(), 0.8);                      // beta1
  adamw.set_momentum(1, 0.85);
  EXPECT_EQ(adamw.param_groups()[1].options.betas.first, 0.85);
  Adagrad adagrad(std::vector<Tensor>{tensor({1.0}).requires_grad_()});
  EXPECT_FALSE(adagrad.momentum(0).has_value());
}

TEST(Optimizer, ZeroGradToNoneOrZeros) {
  Tensor p = tensor({1.0, 2.0}).requires_grad_();
  SGD opt({p}, {.lr = 0.1});
  p.set_grad(tensor({1.0, 1.0}));
  opt.zero_grad(false);
  ASSERT_TRUE(p.grad().defined());
  EXPECT_EQ(p.grad().to_vector<double>(), (std::vector<double>{0.0, 0.0}));
  opt.zero_grad();
  EXPECT_FALSE(p.grad().defined());
}

TEST(Optimizer, NonContiguousParameterIsUpdatedInPlace) {
  Tensor base = tensor({{1.0, 2.0}, {3.0, 4.0}}).requires_grad_();
  NoGradGuard guard;
  Tensor pt = base.detach().t();  // a non-contiguous leaf view
  pt.requires_grad_();
  ASSERT_FALSE(pt.is_contiguous());
  Adam opt({pt}, {.lr = 0.1});
  pt.set_grad(ones({2, 2}));
  opt.step();
  EXPECT_TRUE(allclose(pt.detach(), tensor({{0.9, 2.9}, {1.9, 3.9}}), 1e-6, 1e-6));
  EXPECT_TRUE(allclose(base.detach(), tensor({{0.9, 1.9}, {2.9, 3.9}}), 1e-6, 1e-6));
}

TEST(Optimizer, LargeUpdatesDoNotDependOnThreadCount) {
  Generator g(5);
  const Tensor start = randn({300000}, DType::Float32, &g), grad = randn({300000}, DType::Float32, &g);
  auto run = [&](int threads) {
    const int prev = omp_get_max_threads();
    omp_set_num_threads(threads);
    Tensor p = start.clone().requires_grad_();
    RMSprop opt({p}, {.lr = 0.01, .momentum = 0.9, .centered = true});
    for (int i = 0; i < 3; ++i) {
      p.set_grad(grad);
      opt.step();
    }
    omp_set_num_threads(prev);
    return p.detach().to_vector<float>();
  };
  EXPECT_EQ(run(1), run(4));
}

// Saving after k steps and restoring into a fresh optimizer (over fresh copies of the parameters)
// continues exactly as the uninterrupted run — through a safetensors file as a checkpoint would.
TEST(Optimizer, StateDictRoundTripResumesBitwise) {
  const std::string path = (std::filesystem::temp_directory_path() / "nabla_optim_state_test.safetensors").string();
  for (auto& [name, make] : all_optimizers()) {
    SCOPED_TRACE(name);
    Problem a;
    auto opt_a = make(a.params());
    run_steps(*opt_a, a, 3);
    nabla::save(path, opt_a->state_dict());
    const nn::StateDict saved = nabla::load(path);
    EXPECT_GT(saved.size(), 2u);

    Problem b;
    {
      NoGradGuard guard;
      b.W.copy_(a.W);
      b.b.copy_(a.b);
    }
    auto opt_b = make(b.params());
    opt_b->load_state_dict(saved);
    run_steps(*opt_a, a, 4);
    run_steps(*opt_b, b, 4);
    EXPECT_EQ(a.W.detach().to_vector<float>(), b.W.detach().to_vector<float>());
    EXPECT_EQ(a.b.detach().to_vector<float>(), b.b.detach().to_vector<float>());
    // The state dict taken earlier is a copy: later steps did not change it.
    EXPECT_NE(opt_a->state_dict().size(), 0u);
  }
  std::remove(path.c_str());
}

TEST(Optimizer, StateDictLayoutAndHyperparameters) {
  Problem pr;
  Adam opt(std::vector<Adam::ParamGroup>{{{pr.W}, {}}, {{pr.b}, {.lr = 0.5}}}, {.lr = 0.01, .amsgrad = true});
  run_steps(opt, pr, 1);
  const nn::StateDict sd = opt.state_dict();
  EXPECT_EQ(sd.at("param_groups.0.lr").item(), 0.01);
  EXPECT_EQ(sd.at("param_groups.1.lr").item(), 0.5);
  EXPECT_EQ(sd.at("param_groups.1.amsgrad").item(), 1.0);
  EXPECT_EQ(sd.at("param_groups.1.beta1").item(), 0.9);  // PyTorch's betas, saved as two numbers
  EXPECT_EQ(sd.at("param_groups.1.beta2").item(), 0.999);
  EXPECT_EQ(sd.at("param_groups.1.params").to_vector<int64_t>(), (std::vector<int64_t>{1}));
  EXPECT_EQ(sd.at("state.0.exp_avg").shape(), (Shape{3, 5}));
  EXPECT_EQ(sd.at("state.1.max_exp_avg_sq").shape(), (Shape{3}));
  EXPECT_EQ(sd.at("state.1.step").item(), 1.0);
  // Loading restores hyperparameters too.
  Problem other;
  Adam opt2(std::vector<Adam::ParamGroup>{{{other.W}, {}}, {{other.b}, {}}}, {.lr = 0.3});
  opt2.load_state_dict(sd);
  EXPECT_EQ(opt2.param_groups()[1].options.lr, 0.5);
  EXPECT_TRUE(opt2.param_groups()[0].options.amsgrad);
}

// The hyperparameter keys are those of earlier checkpoints (PyTorch's names; Adam's betas as
// beta1/beta2, LBFGS's line search as a 0/1 flag), so old checkpoints still load.
TEST(Optimizer, StateDictHyperparameterKeysAreStable) {
  const std::map<std::string, std::vector<std::string>> want = {
      {"SGD", {"dampening", "lr", "maximize", "momentum", "nesterov", "weight_decay"}},
      {"Adam", {"amsgrad", "beta1", "beta2", "eps", "lr", "maximize", "weight_decay"}},
      {"AdamW", {"amsgrad", "beta1", "beta2", "eps", "lr", "maximize", "weight_decay"}},
      {"Adagrad", {"eps", "initial_accumulator_value", "lr", "lr_decay", "maximize", "weight_decay"}},
      {"RMSprop", {"alpha", "centered", "eps", "lr", "maximize", "momentum", "weight_decay"}},
      {"Adadelta", {"eps", "lr", "maximize", "rho", "weight_decay"}},
      {"LBFGS", {"history_size", "line_search_strong_wolfe", "lr", "max_eval", "max_iter", "tolerance_change",
                 "tolerance_grad"}},
  };
  for (auto& [name, make] : all_optimizers()) {
    SCOPED_TRACE(name);
    Problem pr;
    auto opt = make(pr.params());
    std::vector<std::string> keys;
    for (const auto& [k, v] : opt->state_dict())
      if (k.rfind("param_groups.0.", 0) == 0 && k != "param_groups.0.params") keys.push_back(k.substr(15));
    EXPECT_EQ(keys, want.at(name));
  }
  LBFGS lbfgs(Problem().params(), {.max_iter = 8, .line_search_fn = "strong_wolfe"});
  const nn::StateDict sd = lbfgs.state_dict();
  EXPECT_EQ(sd.at("param_groups.0.max_eval").item(), 10.0);  // max_iter·5/4
  EXPECT_EQ(sd.at("param_groups.0.line_search_strong_wolfe").item(), 1.0);
}

TEST(Optimizer, LoadStateDictRejectsMismatchesAndChangesNothing) {
  Problem pr;
  SGD opt(pr.params(), {.lr = 0.1, .momentum = 0.9});
  run_steps(opt, pr, 1);
  nn::StateDict sd = opt.state_dict();

  Problem other;
  SGD one_group({other.W}, {.lr = 0.2, .momentum = 0.9});
  expect_error([&] { one_group.load_state_dict(sd); }, {"SGD.load_state_dict", "parameter group 0 has 1 parameters", "loaded group has 2"});
  SGD two(std::vector<SGD::ParamGroup>{{{other.W}, {}}, {{other.b}, {}}}, {.lr = 0.2});
  expect_error([&] { two.load_state_dict(sd); }, {"SGD.load_state_dict", "1 parameter groups", "2"});

  nn::StateDict bad = sd;
  bad["state.0.momentum_buffer"] = zeros({5, 3});
  bad["state.1.momentum_buffer"] = zeros({4});
  bad["unrelated"] = zeros({1});
  SGD fresh(other.params(), {.lr = 0.2, .momentum = 0.9});
  expect_error([&] { fresh.load_state_dict(bad); }, {"unrelated"});
  bad.erase("unrelated");
  expect_error([&] { fresh.load_state_dict(bad); }, {"state.0.momentum_buffer", "[5, 3]", "state.1.momentum_buffer"});
  EXPECT_EQ(fresh.param_groups()[0].options.lr, 0.2);  // unchanged
  EXPECT_TRUE(fresh.state(other.W).empty());
  // Names the optimizer does not declare, missing or invalid hyperparameters.
  nn::StateDict odd = sd;
  odd["state.0.exp_avg"] = zeros({3, 5});
  odd["param_groups.0.betas"] = scalar_tensor(0.9, DType::Float64);
  expect_error([&] { fresh.load_state_dict(odd); }, {"state.0.exp_avg (not a state of SGD)", "param_groups.0.betas"});
  nn::StateDict missing = sd;
  missing.erase("param_groups.0.dampening");
  expect_error([&] { fresh.load_state_dict(missing); }, {"param_groups.0.dampening (missing)"});
  nn::StateDict negative = sd;
  negative["param_groups.0.lr"] = scalar_tensor(-2.0, DType::Float64);
  expect_error([&] { fresh.load_state_dict(negative); }, {"SGD", "learning rate", "-2"});
  EXPECT_EQ(fresh.param_groups()[0].options.lr, 0.2);
  EXPECT_TRUE(fresh.state(other.W).empty());
}

TEST(Optimizer, BadHyperparametersNameOptimizerAndValue) {
  Tensor p = zeros({2}).requires_grad_();
  expect_error([&] { SGD({p}, {.lr = -0.1}); }, {"SGD", "learning rate", "-0.1"});
  expect_error([&] { SGD({p}, SGDOptions{}); }, {"SGD", "learning rate is required"});
  expect_error([&] { SGD({p}, {.lr = 0.1, .momentum = -1}); }, {"SGD", "momentum", "-1"});
  expect_error([&] { SGD({p}, {.lr = 0.1, .nesterov = true}); }, {"SGD", "Nesterov"});
  expect_error([&] { Adam({p}, {.lr = -1}); }, {"Adam", "learning rate", "-1"});
  expect_error([&] { Adam({p}, {.betas = {0.9, 1.0}}); }, {"Adam", "beta parameter at index 1", "1"});
  expect_error([&] { AdamW({p}, {.eps = -1e-8}); }, {"AdamW", "epsilon"});
  expect_error([&] { Adagrad({p}, {.lr_decay = -0.5}); }, {"Adagrad", "lr_decay", "-0.5"});
  expect_error([&] { RMSprop({p}, {.alpha = -0.9}); }, {"RMSprop", "alpha", "-0.9"});
  expect_error([&] { Adadelta({p}, {.rho = 1.5}); }, {"Adadelta", "rho", "1.5"});
  expect_error([&] { LBFGS({p}, {.line_search_fn = "armijo"}); }, {"LBFGS", "strong_wolfe", "armijo"});
  expect_error([&] { LBFGS({p}, {.history_size = 0}); }, {"LBFGS", "history_size"});
  // Group-level values are validated too (a misspelt name no longer compiles).
  expect_error([&] { SGD(std::vector<SGD::ParamGroup>{{{p}, {.lr = -3.0}}}, {.lr = 0.1}); }, {"SGD", "-3"});
  expect_error([&] { Adam(std::vector<Adam::ParamGroup>{{{p}, {.betas = std::pair{1.5, 0.9}}}}); },
               {"Adam", "beta parameter at index 0", "1.5"});
}

TEST(Optimizer, BadParametersAreRejected) {
  Tensor p = zeros({2}).requires_grad_();
  expect_error([&] { SGD(std::vector<SGD::ParamGroup>{{{p}, {}}, {{p}, {}}}, {.lr = 0.1}); },
               {"SGD", "more than one parameter group"});
  expect_error([&] { SGD(std::vector<Tensor>{}, {.lr = 0.1}); }, {"SGD", "empty parameter list"});
  Tensor non_leaf = p * 2.0;
  expect_error([&] { SGD({non_leaf}, {.lr = 0.1}); }, {"SGD", "non-leaf"});
  expect_error([&] { Adam({zeros({2}, DType::Int64)}); }, {"Adam", "floating-point", "int64"});
  LBFGS lbfgs({p});
  expect_error([&] { lbfgs.step(); }, {"LBFGS", "closure"});
}

TEST(Optimizer, LbfgsMinimisesAQuadratic) {
  // f(x) = Σ c_i (x_i − t_i)²: L-BFGS with strong Wolfe reaches the minimum in a few iterations.
  const Tensor c = tensor({1.0, 10.0, 100.0}, DType::Float64), t = tensor({1.0, -2.0, 0.5}, DType::Float64);
  Tensor x = zeros({3}, DType::Float64).requires_grad_();
  LBFGS opt({x}, {.max_iter = 50, .line_search_fn = "strong_wolfe"});
  auto closure = [&] {
    opt.zero_grad();
    Tensor d = x - t;
    Tensor f = sum(c * d * d);
    f.backward();
    return f;
  };
  opt.step(closure);
  EXPECT_TRUE(allclose(x.detach(), t, 1e-6, 1e-6)) << x;
  EXPECT_LE(opt.state(x).at("func_evals").item(), 30.0);
}
