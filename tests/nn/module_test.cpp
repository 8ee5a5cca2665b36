#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn.h"

using namespace nabla;

namespace {
// A minimal affine layer to exercise the Module machinery independently of the layer library.
class Affine : public nn::Module {
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
  auto inner = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
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
  auto m = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{std::make_shared<Affine>(3, 2)});
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
  nn::Sequential s(std::vector<std::shared_ptr<nn::Module>>{std::make_shared<Affine>(3, 2)});
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
  nn::Sequential s(std::vector<std::shared_ptr<nn::Module>>{std::make_shared<Affine>(3, 4), std::make_shared<Affine>(4, 2)});
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
