// PyTorch parity of every loss (outputs and input gradients) against
// tests/fixtures/parity/loss.safetensors written by tools/parity/loss.py (Debian's python3-torch 1.13).
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "nabla/io/serialize.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/loss.h"

using namespace nabla;
namespace F = nabla::nn::functional;
using nabla::nn::Reduction;

#ifndef NABLA_SOURCE_DIR
#define NABLA_SOURCE_DIR "."
#endif

namespace {

using Inputs = std::vector<Tensor>;
using LossFn = std::function<Tensor(const Inputs&)>;

// Same cases as tools/parity/loss.py (v = the inputs in call order).
const std::map<std::string, LossFn>& cases() {
  static const std::map<std::string, LossFn> table = {
      {"ce_basic", [](const Inputs& v) { return F::cross_entropy(v[0], v[1]); }},
      {"ce_weight_ignore", [](const Inputs& v) { return F::cross_entropy(v[0], v[1], v[2], 2); }},
      {"ce_default_ignore_sum",
       [](const Inputs& v) { return F::cross_entropy(v[0], v[1], Tensor(), -100, Reduction::Sum); }},
      {"ce_smooth_weight",
       [](const Inputs& v) { return F::cross_entropy(v[0], v[1], v[2], -100, Reduction::Mean, 0.2); }},
      {"ce_smooth_ignore_sum",
       [](const Inputs& v) { return F::cross_entropy(v[0], v[1], Tensor(), 1, Reduction::Sum, 0.1); }},
      {"ce_smooth_weight_ignore_none",
       [](const Inputs& v) { return F::cross_entropy(v[0], v[1], v[2], 0, Reduction::None, 0.3); }},
      {"ce_none_f64", [](const Inputs& v) { return F::cross_entropy(v[0], v[1], Tensor(), -100, Reduction::None); }},
      {"ce_wide_f64", [](const Inputs& v) { return F::cross_entropy(v[0], v[1]); }},
      {"ce_probs", [](const Inputs& v) { return F::cross_entropy(v[0], v[1]); }},
      {"ce_probs_smooth_weight",
       [](const Inputs& v) { return F::cross_entropy(v[0], v[1], v[2], -100, Reduction::Mean, 0.1); }},
      {"ce_probs_none", [](const Inputs& v) { return F::cross_entropy(v[0], v[1], Tensor(), -100, Reduction::None); }},
      {"ce_spatial", [](const Inputs& v) { return F::cross_entropy(v[0], v[1], v[2]); }},
      {"ce_spatial_smooth_none",
       [](const Inputs& v) { return F::cross_entropy(v[0], v[1], v[2], -100, Reduction::None, 0.15); }},
      {"ce_spatial_smooth_mean",
       [](const Inputs& v) { return F::cross_entropy(v[0], v[1], v[2], -100, Reduction::Mean, 0.15); }},
      {"ce_unbatched", [](const Inputs& v) { return F::cross_entropy(v[0], v[1]); }},
      {"nll_weight_ignore", [](const Inputs& v) { return F::nll_loss(v[0], v[1], v[2], 1); }},
      {"nll_spatial_sum", [](const Inputs& v) { return F::nll_loss(v[0], v[1], Tensor(), -100, Reduction::Sum); }},
      {"nll_none", [](const Inputs& v) { return F::nll_loss(v[0], v[1], Tensor(), -100, Reduction::None); }},
      {"mm_p1", [](const Inputs& v) { return F::multi_margin_loss(v[0], v[1]); }},
      {"mm_p2_weight_sum", [](const Inputs& v) { return F::multi_margin_loss(v[0], v[1], 2, 0.5, v[2], Reduction::Sum); }},
      {"mm_none_f64", [](const Inputs& v) { return F::multi_margin_loss(v[0], v[1], 1, 2.0, Tensor(), Reduction::None); }},
      {"bce_basic", [](const Inputs& v) { return F::binary_cross_entropy(v[0], v[1]); }},
      {"bce_weight_sum", [](const Inputs& v) { return F::binary_cross_entropy(v[0], v[1], v[2], Reduction::Sum); }},
      {"bce_none_f64", [](const Inputs& v) { return F::binary_cross_entropy(v[0], v[1], Tensor(), Reduction::None); }},
      {"bcel_basic", [](const Inputs& v) { return F::binary_cross_entropy_with_logits(v[0], v[1]); }},
      {"bcel_posweight_weight_sum",
       [](const Inputs& v) { return F::binary_cross_entropy_with_logits(v[0], v[1], v[2], Reduction::Sum, v[3]); }},
      {"bcel_large_none_f64",
       [](const Inputs& v) { return F::binary_cross_entropy_with_logits(v[0], v[1], Tensor(), Reduction::None); }},
      {"mse_mean", [](const Inputs& v) { return F::mse_loss(v[0], v[1]); }},
      {"mse_sum_f64", [](const Inputs& v) { return F::mse_loss(v[0], v[1], Reduction::Sum); }},
      {"l1_mean", [](const Inputs& v) { return F::l1_loss(v[0], v[1]); }},
      {"l1_none", [](const Inputs& v) { return F::l1_loss(v[0], v[1], Reduction::None); }},
      {"smooth_l1_beta", [](const Inputs& v) { return F::smooth_l1_loss(v[0], v[1], Reduction::Mean, 0.5); }},
      {"smooth_l1_default_sum", [](const Inputs& v) { return F::smooth_l1_loss(v[0], v[1], Reduction::Sum); }},
      {"huber_delta", [](const Inputs& v) { return F::huber_loss(v[0], v[1], Reduction::Mean, 0.7); }},
      {"huber_none_f64", [](const Inputs& v) { return F::huber_loss(v[0], v[1], Reduction::None, 1.5); }},
      {"kl_batchmean", [](const Inputs& v) { return F::kl_div(v[0], v[1], Reduction::BatchMean); }},
      {"kl_mean_zero_target", [](const Inputs& v) { return F::kl_div(v[0], v[1], Reduction::Mean); }},
      {"kl_log_target_sum", [](const Inputs& v) { return F::kl_div(v[0], v[1], Reduction::Sum, true); }},
      {"cosine_margin", [](const Inputs& v) { return F::cosine_embedding_loss(v[0], v[1], v[2], 0.2); }},
      {"cosine_none_f64",
       [](const Inputs& v) { return F::cosine_embedding_loss(v[0], v[1], v[2], 0.0, Reduction::None); }},
      {"triplet_default", [](const Inputs& v) { return F::triplet_margin_loss(v[0], v[1], v[2]); }},
      {"triplet_p1_swap_sum",
       [](const Inputs& v) { return F::triplet_margin_loss(v[0], v[1], v[2], 2.0, 1.0, 1e-6, true, Reduction::Sum); }},
      {"triplet_p3_none_f64",
       [](const Inputs& v) { return F::triplet_margin_loss(v[0], v[1], v[2], 1.5, 3.0, 1e-4, false, Reduction::None); }},
      {"ranking_margin", [](const Inputs& v) { return F::margin_ranking_loss(v[0], v[1], v[2], 0.3); }},
      {"ranking_none", [](const Inputs& v) { return F::margin_ranking_loss(v[0], v[1], v[2], 0.0, Reduction::None); }},
  };
  return table;
}

const std::map<std::string, Tensor>& fixture() {
  static const std::map<std::string, Tensor> data =
      nabla::load(std::string(NABLA_SOURCE_DIR) + "/tests/fixtures/parity/loss.safetensors");
  return data;
}

// Elementwise |a − b| ≤ atol + rtol·|b|, reporting the worst element.
void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  const bool f64 = expected.dtype() == DType::Float64;
  const double rtol = f64 ? 1e-9 : 2e-5, atol = f64 ? 1e-11 : 2e-6;
  const auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::abs(a[i] - e[i]), atol + rtol * std::abs(e[i])) << what << " element " << i << ": " << a[i]
                                                                      << " vs " << e[i];
}

}  // namespace

TEST(LossParity, EveryCaseMatchesPyTorch) {
  const auto& data = fixture();
  size_t checked = 0;
  for (const auto& [name, fn] : cases()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(data.count(name + ".out")) << "fixture lacks case " << name;
    const std::vector<int64_t> diff = data.at(name + ".diff").to_vector<int64_t>();
    Inputs inputs;
    for (size_t i = 0; i < diff.size(); ++i) {
      Tensor t = data.at(name + ".in" + std::to_string(i)).clone();
      if (diff[i]) t.requires_grad_();
      inputs.push_back(t);
    }
    const Tensor out = fn(inputs);
    expect_close(out, data.at(name + ".out"), name + ".out");
    (out * data.at(name + ".gy")).sum().backward();
    for (size_t i = 0; i < diff.size(); ++i) {
      if (!diff[i]) continue;
      ASSERT_TRUE(inputs[i].grad().defined()) << name << " input " << i << " got no gradient";
      expect_close(inputs[i].grad(), data.at(name + ".grad" + std::to_string(i)), name + ".grad" + std::to_string(i));
    }
    ++checked;
  }
  // Every fixture case has a C++ counterpart.
  size_t in_fixture = 0;
  for (const auto& [key, t] : data)
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".out") == 0) ++in_fixture;
  EXPECT_EQ(checked, in_fixture);
}
