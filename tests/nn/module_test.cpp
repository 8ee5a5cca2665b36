#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

#include "nabla/nabla.h"
#include "nabla/nn.h"

using namespace nabla;

namespace {
// A minimal affine layer to exercise the Module machinery independently of the layer library.
class Affine : public nn::UnaryModule {
 public:
  Affine(int64_t in, int64_t out, bool with_bias = true) {
    weight = ones({out, in});
    if (with_bias) bias = zeros({out});
    running = zeros({out});
    register_parameter("weight", &weight);
    register_parameter("bias", &bias);
    register_buffer("running", &running);
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = matmul(x, weight.t());
    return bias.defined() ? y + bias : y;
  }
  std::string name() const override { return "Affine"; }
  std::string extra_repr() const override { return str_cat("in=", weight.size(1), ", out=", weight.size(0)); }
  Tensor weight, bias, running;
};
}  // namespace

TEST(Module, NamesFollowPyTorch) {
  auto inner = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<Affine>(3, 4), std::make_shared<Affine>(4, 2, false)});
  nn::Sequential model;
  model.push_back("features", inner);
  model.push_back("head", std::make_shared<Affine>(2, 1));
  std::vector<std::string> names;
  for (auto& [n, p] : model.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"features.0.weight", "features.0.bias", "features.1.weight", "head.weight",
                                             "head.bias"}));
  EXPECT_EQ(model.num_parameters(), 12 + 4 + 8 + 2 + 1);
  auto sd = model.state_dict();
  EXPECT_EQ(sd.size(), 5u + 3u);  // + running buffers
  EXPECT_TRUE(sd.count("features.1.running"));
  EXPECT_EQ(model.named_modules().size(), 5u);
  EXPECT_EQ(model(ones({2, 3})).shape(), (Shape{2, 1}));
}

TEST(Module, TrainEvalFreezeAndDtype) {
  auto m = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::UnaryModule>>{std::make_shared<Affine>(3, 2)});
  EXPECT_TRUE((*m)[0]->is_training());
  m->eval();
  EXPECT_FALSE((*m)[0]->is_training());
  m->requires_grad_(false);
  for (auto& p : m->parameters()) EXPECT_FALSE(p.requires_grad());
  EXPECT_EQ(m->num_parameters(true), 0);
  m->requires_grad_(true);
  m->to(DType::Float64);
  for (auto& p : m->parameters()) {
    EXPECT_EQ(p.dtype(), DType::Float64);
    EXPECT_TRUE(p.requires_grad());
  }
  int visited = 0;
  m->apply([&](nn::Module&) { ++visited; });
  EXPECT_EQ(visited, 2);
}

TEST(Module, LoadStateDictStrictAndNonStrict) {
  Affine a(3, 2), b(3, 2);
  a.weight.detach().fill_(5);
  b.load_state_dict(a.state_dict());
  EXPECT_EQ(b.weight.to_vector<float>(), std::vector<float>(6, 5.f));
  EXPECT_TRUE(b.weight.requires_grad());

  nn::StateDict bad = a.state_dict();
  bad.erase("bias");
  bad["extra"] = ones({1});
  bad["weight"] = ones({4, 4});
  try {
    b.load_state_dict(bad);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("size mismatch for weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Missing key(s) in state_dict: \"bias\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("Unexpected key(s) in state_dict: \"extra\""), std::string::npos) << msg;
  }
  nn::StateDict partial = a.state_dict();
  partial.erase("bias");
  partial["extra"] = ones({1});
  nn::LoadResult r = b.load_state_dict(partial, /*strict=*/false);
  EXPECT_EQ(r.missing_keys, (std::vector<std::string>{"bias"}));
  EXPECT_EQ(r.unexpected_keys, (std::vector<std::string>{"extra"}));
}

TEST(Module, Printing) {
  nn::Sequential s(std::vector<std::shared_ptr<nn::UnaryModule>>{std::make_shared<Affine>(3, 2)});
  EXPECT_EQ(s.to_string(), "Sequential(\n  (0): Affine(in=3, out=2)\n)");
}

TEST(Module, ContainersErrors) {
  nn::ModuleDict d;
  d.insert("a", std::make_shared<Affine>(1, 1));
  EXPECT_TRUE(d.contains("a"));
  EXPECT_THROW(d["b"], Error);
  nn::ModuleList l;
  EXPECT_THROW(l[0], Error);
  EXPECT_THROW(nn::Sequential().push_back("a.b", std::make_shared<Affine>(1, 1)), Error);
}

TEST(Module, ForwardHooksSeeEveryLayer) {
  nn::Sequential s(std::vector<std::shared_ptr<nn::UnaryModule>>{std::make_shared<Affine>(3, 4), std::make_shared<Affine>(4, 2)});
  std::vector<Shape> seen;
  const int64_t id = s[1]->register_forward_hook([&](nn::Module& m, const Tensor& in, const Tensor& out) {
    seen.push_back(in.shape());
    seen.push_back(out.shape());
  });
  s(ones({5, 3}));
  EXPECT_EQ(seen, (std::vector<Shape>{{5, 4}, {5, 2}}));
  s[1]->remove_forward_hook(id);
  s(ones({5, 3}));
  EXPECT_EQ(seen.size(), 2u);
}

// ---- module kinds: a module with two inputs and two outputs ----------------------------------------

namespace {
// (a, b) → (a + b·w, a · b·w) with a learnable per-feature w and a call-count buffer: not unary,
// so it derives from Module, defines its own forward and runs the hooks from its operator().
class SumProduct : public nn::Module {
 public:
  explicit SumProduct(int64_t features) {
    w = full({features}, 2.0);
    calls = zeros({});
    register_parameter("w", &w);
    register_buffer("calls", &calls);
  }
  std::pair<Tensor, Tensor> forward(const Tensor& a, const Tensor& b) {
    if (is_training()) {
      NoGradGuard no_grad;
      calls.add_(1.0);
    }
    const Tensor bw = b * w;
    return {a + bw, a * bw};
  }
  std::pair<Tensor, Tensor> operator()(const Tensor& a, const Tensor& b) {
    auto out = forward(a, b);
    run_forward_hooks({a, b}, {out.first, out.second});
    return out;
  }
  std::string name() const override { return "SumProduct"; }
  std::string extra_repr() const override { return str_cat("features=", w.size(0)); }
  Tensor w, calls;
};

// A unary model around the non-unary block: x → sum + product of SumProduct(x, x), then a head.
class SumProductNet : public nn::UnaryModule {
 public:
  SumProductNet() {
    block = register_module("block", std::make_shared<SumProduct>(3));
    head = register_module("head", std::make_shared<Affine>(3, 1));
  }
  Tensor forward(const Tensor& x) override {
    auto [s, p] = (*block)(x, x);
    return (*head)(s + p);
  }
  std::string name() const override { return "SumProductNet"; }
  std::shared_ptr<SumProduct> block;
  std::shared_ptr<Affine> head;
};

template <class M>
concept SequentialAccepts = requires(nn::Sequential s, std::shared_ptr<M> m) { s.push_back(m); };
}  // namespace

TEST(ModuleKinds, TwoInputsTwoOutputs) {
  SumProduct m(3);
  const Tensor a = tensor({1.0, 2.0, 3.0}), b = tensor({1.0, 1.0, 2.0});
  auto [s, p] = m(a, b);
  EXPECT_EQ(s.to_vector<float>(), (std::vector<float>{3, 4, 7}));
  EXPECT_EQ(p.to_vector<float>(), (std::vector<float>{2, 4, 12}));
  // Parameters, gradients and the state dict come from the base class.
  EXPECT_EQ(m.num_parameters(), 3);
  (s.sum() + p.sum()).backward();
  EXPECT_EQ(m.w.grad().to_vector<float>(), (std::vector<float>{2, 3, 8}));  // b + a·b
  const nn::StateDict sd = m.state_dict();
  EXPECT_EQ(sd.size(), 2u);
  EXPECT_EQ(sd.at("calls").item(), 1.0);
  SumProduct copy(3);
  copy.load_state_dict(sd);
  EXPECT_EQ(copy.calls.item(), 1.0);
  // Train/eval.
  m.eval();
  m(a, b);
  EXPECT_EQ(m.calls.item(), 1.0);
  m.train();
  m(a, b);
  EXPECT_EQ(m.calls.item(), 2.0);
  // Printing.
  EXPECT_EQ(m.to_string(), "SumProduct(features=3)");
}

TEST(ModuleKinds, HooksSeeEveryInputAndOutput) {
  SumProduct m(2);
  std::vector<size_t> counts;
  std::vector<Shape> shapes;
  const int64_t id = m.register_forward_hook([&](nn::Module& self, const std::vector<Tensor>& in,
                                                 const std::vector<Tensor>& out) {
    EXPECT_EQ(&self, &m);
    counts.push_back(in.size());
    counts.push_back(out.size());
    for (const Tensor& t : in) shapes.push_back(t.shape());
    EXPECT_TRUE(allclose(out[1], in[0] * in[1] * 2.0));
  });
  m(ones({4, 2}), ones({1, 2}));
  EXPECT_EQ(counts, (std::vector<size_t>{2, 2}));
  EXPECT_EQ(shapes, (std::vector<Shape>{{4, 2}, {1, 2}}));
  m.remove_forward_hook(id);
  m(ones({4, 2}), ones({1, 2}));
  EXPECT_EQ(counts.size(), 2u);
}

TEST(ModuleKinds, NonUnaryChildInsideAUnaryModel) {
  auto net = std::make_shared<SumProductNet>();
  std::vector<std::string> names;
  for (auto& [n, p] : net->named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"block.w", "head.weight", "head.bias"}));
  EXPECT_EQ(net->to_string(), "SumProductNet(\n  (block): SumProduct(features=3)\n  (head): Affine(in=3, out=1)\n)");
  net->eval();
  EXPECT_FALSE(net->block->is_training());
  // x = 1: s = 1 + 2 = 3, p = 1·2 = 2 per feature; head sums 3·5 = 15.
  int block_calls = 0;
  net->block->register_forward_hook([&](nn::Module&, const std::vector<Tensor>&, const std::vector<Tensor>&) { ++block_calls; });
  nn::Sequential seq;
  seq.push_back(net);
  EXPECT_EQ(seq(ones({2, 3})).to_vector<float>(), (std::vector<float>{15, 15}));
  EXPECT_EQ(block_calls, 1);
  // nn::summary works on it: rows for every leaf call, the non-unary one included.
  nn::ModelSummary summary = nn::summary(seq, {3});
  ASSERT_EQ(summary.rows.size(), 2u);
  EXPECT_EQ(summary.rows[0].name, "0.block");
  EXPECT_EQ(summary.rows[0].output_shape, (Shape{1, 3}));
  EXPECT_EQ(summary.total_params, 3 + 3 + 1);
  // Containers that do not chain calls hold any kind.
  nn::ModuleList list;
  list.push_back(std::make_shared<SumProduct>(1)).push_back(std::make_shared<nn::MSELoss>());
  EXPECT_EQ(list.num_parameters(), 1);
}

TEST(ModuleKinds, SequentialAcceptsEveryUnaryModule) {
  // Rejected at compile time: modules whose forward is not one tensor to one tensor.
  static_assert(!SequentialAccepts<SumProduct>);
  static_assert(!SequentialAccepts<nn::CrossEntropyLoss>);
  static_assert(!SequentialAccepts<nn::TripletMarginLoss>);
  static_assert(!SequentialAccepts<nn::Module>);
  static_assert(SequentialAccepts<nn::UnaryModule>);
  // Accepted: every layer kind of the library, nested Sequentials and user modules.
  nn::Sequential s;
  s.push_back(std::make_shared<nn::Conv2d>(1, 2, 3, 1, 1))
      .push_back(std::make_shared<nn::BatchNorm2d>(2))
      .push_back(std::make_shared<nn::ReLU>())
      .push_back(std::make_shared<nn::MaxPool2d>(2))
      .push_back(std::make_shared<nn::AvgPool2d>(1))
      .push_back(std::make_shared<nn::LPPool2d>(2, 1))
      .push_back(std::make_shared<nn::AdaptiveMaxPool2d>(nn::PoolInts{2, 2}))
      .push_back(std::make_shared<nn::Upsample>(std::nullopt, std::vector<double>{2.0}))
      .push_back(std::make_shared<nn::ConvTranspose2d>(2, 2, 1))
      .push_back(std::make_shared<nn::GroupNorm>(1, 2))
      .push_back(std::make_shared<nn::InstanceNorm2d>(2))
      .push_back(std::make_shared<nn::LocalResponseNorm>(2))
      .push_back(std::make_shared<nn::Dropout2d>(0.1))
      .push_back(std::make_shared<nn::PixelUnshuffle>(2))
      .push_back(std::make_shared<nn::Flatten>())
      .push_back(std::make_shared<nn::LayerNorm>(Shape{32}))
      .push_back(std::make_shared<nn::Linear>(32, 3))
      .push_back(std::make_shared<nn::Dropout>(0.1))
      .push_back(std::make_shared<nn::Identity>())
      .push_back(std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::UnaryModule>>{
          std::make_shared<Affine>(3, 3), std::make_shared<nn::Tanh>()}))
      .push_back(std::make_shared<nn::Softmax>(1));
  s.eval();
  EXPECT_EQ(s(ones({2, 1, 4, 4})).shape(), (Shape{2, 3}));
  s.push_back(std::make_shared<nn::MaxUnpool2d>(2));  // listed (and printed) as in PyTorch
  EXPECT_EQ(s.size(), 22u);
  nn::Sequential tokens;
  tokens.push_back(std::make_shared<nn::Embedding>(10, 4)).push_back(std::make_shared<nn::GELU>());
  EXPECT_EQ(tokens(tensor({1.0, 2.0, 3.0}).to(DType::Int64)).shape(), (Shape{3, 4}));
}

// ---- parameters known only when built (add_parameter / add_buffer) ------------------------------

namespace {
// A layer with `n` scale parameters decided at run time, as an imported graph's weights.
class Scales : public nn::UnaryModule {
 public:
  explicit Scales(int n) {
    for (int i = 0; i < n; ++i) scales_.push_back(add_parameter("s" + std::to_string(i), full({2}, i + 1.0)));
    add_buffer("count", zeros({1}));
    add_buffer("scratch", zeros({1}), /*persistent=*/false);
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (const Tensor& s : scales_) y = y * s;
    return y;
  }
  std::string name() const override { return "Scales"; }

 private:
  std::vector<Tensor> scales_;  // handles of the parameters the base holds
};

// Adds one name twice: an error, as with register_parameter.
class Twice : public nn::UnaryModule {
 public:
  Twice() {
    add_parameter("a", ones({1}));
    add_parameter("a", ones({1}));
  }
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "Twice"; }
};
}  // namespace

TEST(Module, ParametersHeldByTheModule) {
  nn::Sequential net(Scales(3), nn::Linear(2, 1));  // moved into the Sequential: the held tensors move too
  std::vector<std::string> names;
  for (auto& [n, p] : net.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"0.s0", "0.s1", "0.s2", "1.weight", "1.bias"}));
  EXPECT_EQ(net.state_dict().count("0.count"), 1u);
  EXPECT_EQ(net.state_dict().count("0.scratch"), 0u);  // not persistent
  // Gradients reach them; to(dtype) and load_state_dict keep each one's identity.
  Tensor y = net(ones({4, 2})).sum();
  y.backward();
  for (auto& [n, p] : net.named_parameters()) EXPECT_TRUE(p.grad().defined()) << n;
  const Tensor s1 = net.named_parameters()[1].second;
  net.to(DType::Float64);
  EXPECT_EQ(s1.dtype(), DType::Float64);
  StateDict sd = net.state_dict();
  sd["0.s1"] = full({2}, 7.0, DType::Float64);
  net.load_state_dict(sd);
  EXPECT_EQ(s1.sum().item(), 14.0);
  EXPECT_EQ(net(ones({1, 2}, DType::Float64)).dtype(), DType::Float64);
  EXPECT_THROW(Twice(), Error);
}

// ---- Sequential from layers by value -------------------------------------------------------------

namespace {
// Registers a tensor that is not its member: it must not be moved.
class Outside : public nn::UnaryModule {
 public:
  explicit Outside(Tensor* t) { register_buffer("t", t); }
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "Outside"; }
};

// A subclass of a concrete module, to check that moving it through its base is refused.
class ScaledAffine : public Affine {
 public:
  ScaledAffine() : Affine(2, 2) {
    scale = ones({2});
    register_parameter("scale", &scale);
  }
  std::string name() const override { return "ScaledAffine"; }
  Tensor scale;
};
}  // namespace

TEST(Sequential, FromLayersByValue) {
  manual_seed(0);
  nn::Sequential net(nn::Conv2d(1, 6, 5), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(6 * 12 * 12, 10));
  ASSERT_EQ(net.size(), 5u);
  EXPECT_EQ(net(ones({2, 1, 28, 28})).shape(), (Shape{2, 10}));
  std::vector<std::string> names;
  for (auto& [n, p] : net.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "4.weight", "4.bias"}));
  // The registry names the members of the new objects: writing a member shows in the state dict.
  auto conv = std::dynamic_pointer_cast<nn::Conv2d>(net[0]);
  ASSERT_TRUE(conv);
  conv->weight.detach().fill_(1.0);
  EXPECT_EQ(net.state_dict().at("0.weight").sum().item(), 150.0);
  EXPECT_TRUE(net.parameters()[0].is_same(conv->weight));
  EXPECT_NE(net.to_string().find("(0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"), std::string::npos);

  // Temporaries, shared_ptrs and moved Sequentials mix; push_back takes layers by value too.
  auto head = std::make_shared<nn::Linear>(10, 2);
  nn::Sequential outer(std::move(net), head, nn::Softmax(1));
  outer.push_back(nn::Identity());
  EXPECT_EQ(outer.size(), 4u);
  EXPECT_TRUE(outer[1] == head);
  EXPECT_EQ(outer.num_parameters(), 156 + 8650 + 22);
  EXPECT_EQ(outer.state_dict().count("0.4.weight"), 1u);
  EXPECT_EQ(outer(ones({1, 1, 28, 28})).shape(), (Shape{1, 2}));
  // User modules whose tensors are members move as well.
  nn::Sequential affine(Affine(3, 2), nn::Tanh());
  EXPECT_EQ(affine.state_dict().size(), 3u);
  EXPECT_NEAR(affine(ones({1, 3})).sum().item(), 2 * std::tanh(3.0), 1e-5);
}

TEST(Sequential, MovesAreChecked) {
  // A moved module takes the registry; the moved-from one is left empty.
  nn::Linear a(2, 3);
  nn::Linear b(std::move(a));
  EXPECT_EQ(b.num_parameters(), 9);
  EXPECT_TRUE(b.parameters()[0].is_same(b.weight));
  EXPECT_TRUE(a.parameters().empty());
  // Lvalues are not taken (they would be moved from behind the caller's back).
  static_assert(!std::is_constructible_v<nn::Sequential, nn::ReLU&>);
  static_assert(std::is_constructible_v<nn::Sequential, nn::ReLU, nn::Tanh>);
  static_assert(!std::is_constructible_v<nn::Sequential, nn::MSELoss>);
  // A tensor registered from outside the module, or a module moved through its base, is refused.
  Tensor external = zeros({1});
  try {
    nn::Sequential s{Outside(&external), nn::ReLU()};  // braces: not a function declaration
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Outside: tensor 't' is registered but is not a member"), std::string::npos)
        << e.what();
  }
  ScaledAffine scaled;
  EXPECT_THROW(nn::Sequential(static_cast<Affine&&>(scaled)), Error);
  EXPECT_EQ(scaled.num_parameters(), 4 + 2 + 2);  // not moved from
}
