#pragma once
// Parity of a zoo model with torchvision's at full size from a fixture of a few KB: both sides fill
// every state_dict entry by the same deterministic rule (tools/parity/zoo_fill.py states it), run
// the rule's input, and compare logits. The fixture also lists torchvision's state_dict keys and
// shapes, which must equal nabla's one for one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/autograd.h"
#include "nabla/nn/module.h"
#include "nn/parity_fixture.h"

namespace nabla::testing {

/// The float64 values of the tensor `key` of `shape` under the rule of tools/parity/zoo_fill.py.
inline std::vector<double> zoo_fill_values(const std::string& key, const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  uint64_t s = 0;
  for (unsigned char c : key) s += c;
  auto ends_with = [&](const std::string& suffix) {
    return key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  const int64_t fan_in = shape.size() >= 2 ? n / shape[0] : n;
  const double bound = std::sqrt(3.0 / static_cast<double>(std::max<int64_t>(fan_in, 1)));
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    const uint64_t h = ((static_cast<uint64_t>(j) * 2654435761ULL + s * 40503ULL) % (1ULL << 32)) >> 16;
    const double u = static_cast<double>(h) / 65536.0;
    double x;
    if (key == "input") x = 2 * u - 1;
    else if (ends_with("running_var")) x = 0.5 + u;
    else if (ends_with("running_mean")) x = 0.2 * (u - 0.5);
    else if (ends_with("weight") && shape.size() == 1) x = 0.8 + 0.4 * u;
    else if (ends_with("bias")) x = 0.2 * (u - 0.5);
    else x = (2 * u - 1) * bound;
    v[static_cast<size_t>(j)] = x;
  }
  return v;
}

/// Fills every state_dict entry of `model` by the rule (num_batches_tracked with 0).
inline void zoo_fill(nn::Module& model) {
  NoGradGuard no_grad;
  for (auto& [key, t] : model.state_dict()) {
    if (t.dtype() == DType::Int64) {
      t.zero_();
      continue;
    }
    t.copy_(from_vector(zoo_fill_values(key, t.shape()), t.shape()).to(t.dtype()));
  }
}

/// Checks `model` against the entries `name`.* of tests/fixtures/parity/`file`: the same
/// state_dict keys with the same shapes, and, after zoo_fill, eval-mode logits on the rule's input
/// within `tol` of torchvision's relative to their largest magnitude.
inline void expect_zoo_parity(nn::UnaryModule& model, const std::string& file, const std::string& name,
                              double tol = 1e-4) {
  const ParityFixture fixture(file);
  const std::string prefix = name + ".shape.";
  const StateDict ours = model.state_dict();
  size_t theirs = 0;
  for (const auto& [key, shape] : fixture.all()) {
    if (key.rfind(prefix, 0) != 0) continue;
    ++theirs;
    const std::string k = key.substr(prefix.size());
    auto it = ours.find(k);
    ASSERT_NE(it, ours.end()) << name << ": torchvision's state_dict has " << k << ", nabla's does not";
    const auto dims = shape.to_vector<int64_t>();
    EXPECT_EQ(it->second.shape(), Shape(dims.begin(), dims.end())) << name << ": " << k;
  }
  ASSERT_EQ(theirs, ours.size()) << name << ": nabla's state_dict has keys torchvision's lacks";
  zoo_fill(model);
  model.eval();
  NoGradGuard no_grad;
  const auto in = fixture.get(name + ".input_shape").to_vector<int64_t>();
  const Shape in_shape(in.begin(), in.end());
  const Tensor x = from_vector(zoo_fill_values("input", in_shape), in_shape).to(DType::Float32);
  const Tensor logits = model(x);
  const Tensor& expected = fixture.get(name + ".logits");
  ASSERT_EQ(logits.shape(), expected.shape()) << name;
  const auto a = logits.to_vector<double>(), b = expected.to_vector<double>();
  double scale = 0, worst = 0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  EXPECT_LE(worst, tol * scale) << name << ": largest logit difference " << worst << " vs largest logit " << scale;
}

}  // namespace nabla::testing
