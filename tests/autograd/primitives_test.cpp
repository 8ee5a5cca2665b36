// The index of differentiable primitives (nabla/autograd/primitives.h) against the code:
//   * every entry has a case below, and every case is an entry;
//   * every case passes gradcheck (first derivatives, central differences in float64);
//   * every entry marked double-differentiable passes gradgradcheck (second derivatives through
//     autograd::grad with create_graph);
//   * an op that records under an unlisted name raises Error.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "error_of.h"
#include "nabla/autograd/primitives.h"
#include "nabla/nabla.h"
#include "nabla/nn.h"
#include "nabla/nn/functional/activation.h"
#include "nabla/nn/functional/embedding.h"
#include "nabla/nn/functional/linear.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/functional/norm.h"
#include "nabla/nn/functional/recurrent.h"
#include "nabla/nn/functional/resample.h"
#include "nn/functional/conv_fused.h"

using namespace nabla;
using nabla::testing::error_of;
namespace F = nabla::nn::functional;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

struct Case {
  Fn f;
  std::vector<Tensor> inputs;
  GradcheckOptions options = {};
};

Tensor leaf(Tensor t) { return t.detach().requires_grad_(); }
Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return leaf(randn(s, DType::Float64, &g));
}
// Values in [lo, hi): away from kinks and poles.
Tensor uniform(const Shape& s, double lo, double hi, uint64_t seed) {
  Generator g(seed);
  return leaf(rand(s, DType::Float64, &g) * (hi - lo) + lo);
}
// Magnitudes in [0.2, 2) with random signs: away from 0.
Tensor away_from_zero(const Shape& s, uint64_t seed) {
  Generator g(seed);
  Tensor mag = rand(s, DType::Float64, &g) * 1.8 + 0.2;
  return leaf(mag * sign(randn(s, DType::Float64, &g)));
}
// Distinct values (a shuffled ramp): max, sort and pooling have no ties.
Tensor distinct(const Shape& s, uint64_t seed) {
  Generator g(seed);
  const int64_t n = shape_numel(s);
  Tensor ramp = arange(0.0, static_cast<double>(n), 1.0, DType::Float64) * (4.0 / n) - 2.0;
  Tensor perm = std::get<1>(sort(rand({n}, DType::Float64, &g)));
  return leaf(index_select(ramp, 0, perm).reshape(s));
}
Tensor ints(std::vector<int64_t> v, const Shape& s) { return from_vector(v, s); }

// One case per primitive name.
std::map<std::string, Case> cases() {
  std::map<std::string, Case> c;
  const GradcheckOptions via_float32{.eps = 1e-2, .atol = 2e-3, .rtol = 1e-2};
  // ---- arithmetic ----
  c["add"] = {[](auto& v) { return add(v[0], v[1], 2.0) + 1.5; }, {rnd({3, 4}, 1), rnd({4}, 2)}};
  c["sub"] = {[](auto& v) { return sub(v[0], v[1], 0.5) - 2.0; }, {rnd({3, 4}, 3), rnd({3, 1}, 4)}};
  c["neg"] = {[](auto& v) { return neg(v[0]); }, {rnd({2, 3}, 5)}};
  c["mul"] = {[](auto& v) { return v[0] * v[1] * 3.0; }, {rnd({3, 4}, 6), rnd({4}, 7)}};
  c["div"] = {[](auto& v) { return v[0] / v[1] + v[0] / 2.0; }, {rnd({3, 4}, 8), away_from_zero({3, 4}, 9)}};
  c["pow"] = {[](auto& v) { return pow(v[0], v[1]) + pow(v[0], 2.5); },
              {uniform({3, 4}, 0.5, 2.0, 10), uniform({3, 4}, -1.0, 2.0, 11)}};
  c["maximum"] = {[](auto& v) { return maximum(v[0], v[1]); }, {distinct({3, 4}, 12), distinct({3, 4}, 13) + 0.01}};
  c["minimum"] = {[](auto& v) { return minimum(v[0], v[1]); }, {distinct({3, 4}, 14), distinct({3, 4}, 15) + 0.01}};
  c["where"] = {[](auto& v) { return where(gt(v[0].detach(), 0.0), v[0], v[1]); }, {rnd({3, 4}, 16), rnd({4}, 17)}};
  // ---- unary math ----
  c["exp"] = {[](auto& v) { return exp(v[0]); }, {rnd({3, 4}, 20)}};
  c["log"] = {[](auto& v) { return log(v[0]); }, {uniform({3, 4}, 0.5, 2.0, 21)}};
  c["sqrt"] = {[](auto& v) { return sqrt(v[0]); }, {uniform({3, 4}, 0.5, 2.0, 22)}};
  c["rsqrt"] = {[](auto& v) { return rsqrt(v[0]); }, {uniform({3, 4}, 0.5, 2.0, 23)}};
  c["abs"] = {[](auto& v) { return abs(v[0]); }, {away_from_zero({3, 4}, 24)}};
  c["sign"] = {[](auto& v) { return sign(v[0]) * 2.0 + v[0]; }, {away_from_zero({3, 4}, 25)}};
  c["clamp"] = {[](auto& v) { return clamp(v[0], -0.5, 0.5); }, {away_from_zero({4, 4}, 26) * 0.4 + 0.05}};
  c["sigmoid"] = {[](auto& v) { return sigmoid(v[0]); }, {rnd({3, 4}, 27)}};
  c["tanh"] = {[](auto& v) { return tanh(v[0]); }, {rnd({3, 4}, 28)}};
  c["erf"] = {[](auto& v) { return erf(v[0]); }, {rnd({3, 4}, 29)}};
  c["relu"] = {[](auto& v) { return relu(v[0]); }, {away_from_zero({3, 4}, 29)}};
  // ---- activations ----
  c["leaky_relu"] = {[](auto& v) { return F::leaky_relu(v[0], 0.1); }, {away_from_zero({3, 4}, 30)}};
  c["elu"] = {[](auto& v) { return F::elu(v[0]); }, {away_from_zero({3, 4}, 31)}};
  c["selu"] = {[](auto& v) { return F::selu(v[0]); }, {away_from_zero({3, 4}, 32)}};
  c["gelu"] = {[](auto& v) { return F::gelu(v[0]) + F::gelu(v[0], "tanh"); }, {rnd({3, 4}, 33)}};
  c["silu"] = {[](auto& v) { return F::silu(v[0]); }, {rnd({3, 4}, 34)}};
  c["softplus"] = {[](auto& v) { return F::softplus(v[0], 2.0); }, {rnd({3, 4}, 35)}};
  c["hardtanh"] = {[](auto& v) { return F::hardtanh(v[0]); }, {away_from_zero({3, 4}, 36) * 0.4 + 0.05}};
  c["relu6"] = {[](auto& v) { return F::relu6(v[0]); }, {away_from_zero({3, 4}, 37) * 4.0}};
  c["hardsigmoid"] = {[](auto& v) { return F::hardsigmoid(v[0]); }, {away_from_zero({3, 4}, 38) * 2.0}};
  c["hardswish"] = {[](auto& v) { return F::hardswish(v[0]); }, {away_from_zero({3, 4}, 39) * 2.0}};
  // ---- reductions ----
  c["sum"] = {[](auto& v) { return v[0].sum({1}) + v[0].sum(); }, {rnd({3, 4}, 40)}};
  c["max"] = {[](auto& v) { return max(v[0], 1).first + max(v[0]); }, {distinct({3, 4}, 41)}};
  c["min"] = {[](auto& v) { return min(v[0], 0, true).first.sum() + min(v[0]); }, {distinct({3, 4}, 42)}};
  c["cumsum"] = {[](auto& v) { return cumsum(v[0], 1) * cumsum(v[0], 0); }, {rnd({3, 4}, 42)}};
  c["logsumexp"] = {[](auto& v) { return logsumexp(v[0], {1}); }, {rnd({3, 4}, 43)}};
  c["softmax"] = {[](auto& v) { return softmax(v[0], 1); }, {rnd({3, 4}, 44)}};
  c["log_softmax"] = {[](auto& v) { return log_softmax(v[0], 0); }, {rnd({3, 4}, 45)}};
  c["sort"] = {[](auto& v) { return sort(v[0], 1, true).first * arange(0.0, 4.0, 1.0, DType::Float64); },
               {distinct({3, 4}, 46)}};
  c["topk"] = {[](auto& v) { return topk(v[0], 2, 1).first; }, {distinct({3, 4}, 47)}};
  // ---- linear algebra ----
  c["mm"] = {[](auto& v) { return mm(v[0], v[1]); }, {rnd({3, 4}, 50), rnd({4, 2}, 51)}};
  c["bmm"] = {[](auto& v) { return bmm(v[0], v[1]); }, {rnd({2, 3, 4}, 52), rnd({2, 4, 2}, 53)}};
  // Batched matmul on strided batch views (heads split by a permute) and a broadcast batch dim.
  c["matmul"] = {[](auto& v) {
                   Tensor heads = v[0].reshape({3, 2, 2, 4}).permute({1, 2, 0, 3});  // (2, 2, 3, 4), strided
                   return matmul(heads, v[1]);                                       // v[1] (2, 1, 4, 2)
                 },
                 {rnd({3, 2, 8}, 54), rnd({2, 1, 4, 2}, 55)}};
  // ---- recurrent cells (both outputs of the LSTM step enter the checked sum) ----
  c["lstm_cell"] = {[](auto& v) {
                      auto [h, c] = F::lstm_gates(v[0], v[1], v[2]);
                      return h * 1.7 + c;
                    },
                    {rnd({3, 8}, 57), rnd({3, 8}, 58), rnd({3, 2}, 59)}};
  c["gru_cell"] = {[](auto& v) { return F::gru_gates(v[0], v[1], v[2]); },
                   {rnd({3, 6}, 60), rnd({3, 6}, 61), rnd({3, 2}, 62)}};
  c["linear"] = {[](auto& v) { return F::linear(v[0], v[1], v[2]); }, {rnd({2, 3, 4}, 54), rnd({5, 4}, 55), rnd({5}, 56)}};
  // ---- views and copies ----
  c["view"] = {[](auto& v) { return v[0].view({4, 3}); }, {rnd({3, 4}, 60)}};
  c["squeeze"] = {[](auto& v) { return v[0].squeeze(1); }, {rnd({3, 1, 4}, 61)}};
  c["unsqueeze"] = {[](auto& v) { return v[0].unsqueeze(0); }, {rnd({3, 4}, 62)}};
  c["permute"] = {[](auto& v) { return v[0].permute({2, 0, 1}); }, {rnd({2, 3, 4}, 63)}};
  c["expand"] = {[](auto& v) { return v[0].expand({2, 3, 4}); }, {rnd({3, 1}, 64)}};
  c["slice"] = {[](auto& v) { return v[0].slice(1, 1, 4, 2); }, {rnd({3, 5}, 65)}};
  c["select"] = {[](auto& v) { return v[0].select(0, 1); }, {rnd({3, 4}, 66)}};
  // slice_backward records only while a backward pass records a graph: the gradient of a slice
  // with respect to x, as a function of the output gradient v.
  c["slice_backward"] = {[](auto& v) {
                           autograd::EnableGradGuard grad_mode;  // gradcheck evaluates under no_grad
                           Tensor x = zeros({3, 5}, DType::Float64).requires_grad_();
                           return autograd::grad({x.slice(1, 0, 5, 2)}, {x},
                                                 {.grad_outputs = {v[0]}, .create_graph = true})[0];
                         },
                         {rnd({3, 3}, 67)}};
  c["contiguous"] = {[](auto& v) { return v[0].t().contiguous(); }, {rnd({3, 4}, 68)}};
  c["clone"] = {[](auto& v) { return v[0].clone(); }, {rnd({3, 4}, 69)}};
  c["to"] = {[](auto& v) { return v[0].to(DType::Float32).to(DType::Float64); }, {rnd({3, 4}, 70)}, via_float32};
  c["copy_"] = {[](auto& v) {
                  Tensor y = v[0] * 1.0;
                  y.copy_(v[1]);
                  return y * v[0];
                },
                {rnd({3, 4}, 71), rnd({4}, 72)}};
  c["fill_"] = {[](auto& v) {
                  Tensor y = v[0] * 2.0;
                  y.fill_(3.0);
                  return y + v[0];
                },
                {rnd({3, 4}, 73)}};
  // ---- joining and splitting ----
  c["cat"] = {[](auto& v) { return cat({v[0], v[1]}, 1); }, {rnd({2, 3}, 80), rnd({2, 2}, 81)}};
  c["split"] = {[](auto& v) {  // the middle piece gets no gradient
                  std::vector<Tensor> p = split(v[0], 2, 1);
                  return cat({p[0] * 2.0, exp(p[2])}, 1);
                },
                {rnd({3, 5}, 82)}};
  c["unbind"] = {[](auto& v) {
                   std::vector<Tensor> p = unbind(v[0], 1);
                   return stack({p[0], p[2] * p[2]}, 0);
                 },
                 {rnd({2, 3}, 83)}};
  c["pad"] = {[](auto& v) { return pad(v[0], {1, 2}, PadMode::Reflect) + pad(v[0], {2, 1}) + pad(v[0], {0, 3}, PadMode::Replicate) +
                                 pad(v[0], {3, 0}, PadMode::Circular);
                        }, {rnd({2, 3, 4}, 84)}};
  // ---- indexing ----
  const Tensor idx = ints({0, 2, 2, 1, 0, 1}, {2, 3});
  c["gather"] = {[idx](auto& v) { return gather(v[0], 1, idx); }, {rnd({2, 4}, 90)}};
  c["scatter"] = {[](auto& v) {
                    const Tensor i = ints({0, 2, 3, 1}, {2, 2});
                    return scatter(v[0], 1, i, v[1]) + scatter(v[0], 1, i, 0.5);
                  },
                  {rnd({2, 4}, 91), rnd({2, 2}, 92)}};
  c["scatter_add"] = {[idx](auto& v) { return scatter_add(v[0], 1, idx, v[1]); }, {rnd({2, 4}, 93), rnd({2, 3}, 94)}};
  c["index_select"] = {[](auto& v) { return index_select(v[0], 0, ints({2, 0, 2}, {3})); }, {rnd({3, 4}, 95)}};
  c["index_add"] = {[](auto& v) { return index_add(v[0], 0, ints({2, 0, 2}, {3}), v[1]); },
                    {rnd({3, 4}, 96), rnd({3, 4}, 97)}};
  c["masked_fill"] = {[](auto& v) { return masked_fill(v[0], gt(v[0].detach(), 0.3), 1.0); }, {rnd({3, 4}, 98)}};
  c["embedding"] = {[](auto& v) { return F::embedding(ints({1, 3, 1, 0}, {2, 2}), v[0]); }, {rnd({4, 3}, 99)}};
  // ---- convolution, pooling, resampling ----
  c["conv1d"] = {[](auto& v) { return F::conv1d(v[0], v[1], v[2], 2, 1); }, {rnd({2, 2, 7}, 100), rnd({3, 2, 3}, 101), rnd({3}, 102)}};
  c["conv2d"] = {[](auto& v) { return F::conv2d(v[0], v[1], v[2], 1, 1, 1, 2); },
                 {rnd({1, 4, 5, 5}, 103), rnd({2, 2, 3, 3}, 104), rnd({2}, 105)}};
  c["conv3d"] = {[](auto& v) { return F::conv3d(v[0], v[1], v[2]); },
                 {rnd({1, 2, 4, 4, 4}, 106), rnd({2, 2, 2, 2, 2}, 107), rnd({2}, 108)}};
  c["conv_transpose1d"] = {[](auto& v) { return F::conv_transpose1d(v[0], v[1], v[2], 2); },
                           {rnd({2, 2, 4}, 109), rnd({2, 3, 3}, 110), rnd({3}, 111)}};
  c["conv_transpose2d"] = {[](auto& v) { return F::conv_transpose2d(v[0], v[1], v[2], 2, 1); },
                           {rnd({1, 2, 3, 3}, 112), rnd({2, 2, 3, 3}, 113), rnd({2}, 114)}};
  c["conv_transpose3d"] = {[](auto& v) { return F::conv_transpose3d(v[0], v[1], v[2]); },
                           {rnd({1, 2, 2, 2, 2}, 115), rnd({2, 1, 2, 2, 2}, 116), rnd({1}, 117)}};
  c["max_pool1d"] = {[](auto& v) { return F::max_pool1d(v[0], 3, 2); }, {distinct({2, 2, 7}, 120)}};
  c["max_pool2d"] = {[](auto& v) { return F::max_pool2d(v[0], 2); }, {distinct({1, 2, 4, 4}, 121)}};
  c["max_pool3d"] = {[](auto& v) { return F::max_pool3d(v[0], 2); }, {distinct({1, 1, 4, 4, 4}, 122)}};
  c["avg_pool1d"] = {[](auto& v) { return F::avg_pool1d(v[0], 3, 2, 1); }, {rnd({2, 2, 7}, 123)}};
  c["avg_pool2d"] = {[](auto& v) { return F::avg_pool2d(v[0], 2); }, {rnd({1, 2, 4, 4}, 124)}};
  c["avg_pool3d"] = {[](auto& v) { return F::avg_pool3d(v[0], 2); }, {rnd({1, 1, 4, 4, 4}, 125)}};
  c["adaptive_avg_pool1d"] = {[](auto& v) { return F::adaptive_avg_pool1d(v[0], 3); }, {rnd({2, 2, 7}, 126)}};
  c["adaptive_avg_pool2d"] = {[](auto& v) { return F::adaptive_avg_pool2d(v[0], {2, 3}); }, {rnd({1, 2, 5, 5}, 127)}};
  c["adaptive_avg_pool3d"] = {[](auto& v) { return F::adaptive_avg_pool3d(v[0], 2); }, {rnd({1, 1, 3, 3, 3}, 128)}};
  c["adaptive_max_pool1d"] = {[](auto& v) { return F::adaptive_max_pool1d(v[0], 3); }, {distinct({2, 2, 7}, 129)}};
  c["adaptive_max_pool2d"] = {[](auto& v) { return F::adaptive_max_pool2d(v[0], 2); }, {distinct({1, 2, 5, 5}, 130)}};
  c["adaptive_max_pool3d"] = {[](auto& v) { return F::adaptive_max_pool3d(v[0], 2); }, {distinct({1, 1, 3, 3, 3}, 131)}};
  c["max_unpool2d"] = {[](auto& v) {
                         const Tensor indices = F::max_pool2d_with_indices(v[1].detach(), 2).second;
                         return F::max_unpool2d(v[0], indices, 2);
                       },
                       {rnd({1, 2, 2, 2}, 132), distinct({1, 2, 4, 4}, 133).detach()}};
  c["lp_pool1d"] = {[](auto& v) { return F::lp_pool1d(v[0], 2.0, 3, 2); }, {uniform({2, 2, 7}, 0.5, 2.0, 134)}};
  c["lp_pool2d"] = {[](auto& v) { return F::lp_pool2d(v[0], 1.5, 2); }, {uniform({1, 2, 4, 4}, 0.5, 2.0, 135)}};
  c["upsample_nearest"] = {[](auto& v) { return F::interpolate(v[0], IntList{5, 3}); }, {rnd({1, 2, 3, 2}, 136)}};
  c["upsample_bilinear"] = {[](auto& v) { return F::interpolate(v[0], IntList{5, 3}, std::nullopt, "bilinear", true); },
                            {rnd({1, 2, 3, 2}, 137)}};
  // ---- normalisation ----
  c["batch_norm"] = {[](auto& v) { return F::batch_norm(v[0], Tensor(), Tensor(), v[1], v[2], true); },
                     {rnd({4, 3, 2}, 140), rnd({3}, 141), rnd({3}, 142)}};
  c["batch_norm_relu"] = {[](auto& v) { return F::batch_norm_relu(v[0], Tensor(), Tensor(), v[1], v[2], true); },
                          {rnd({4, 3, 2}, 143), rnd({3}, 144), rnd({3}, 145)}};
  // γ around 4 and β around 3: outputs on both sides of 6 and of 0.
  c["batch_norm_relu6"] = {[](auto& v) { return F::batch_norm_relu6(v[0], Tensor(), Tensor(), v[1], v[2], true); },
                           {rnd({4, 3, 2}, 146), leaf(rnd({3}, 147).detach() + 4.0),
                            leaf(rnd({3}, 148).detach() + 3.0)}};
  // conv_batch_norm exists only in float32 (oneDNN's blocked layout): checked through float32, 16
  // channels (one block), without the ReLU (its kink is within the float32 step of some outputs).
  c["conv_batch_norm"] = {[](auto& v) {
                            nn::functional::detail::ConvBatchNormTrainArgs a;
                            a.weight = v[1].to(DType::Float32);
                            a.padding = 1;
                            a.bn_weight = v[2].to(DType::Float32);
                            a.bn_bias = v[3].to(DType::Float32);
                            Tensor out = nn::functional::detail::conv_batch_norm_train(2, v[0].to(DType::Float32), a);
                            if (out.grad_fn()) EXPECT_EQ(out.grad_fn()->name, "conv_batch_norm");
                            return out.to(DType::Float64);
                          },
                          {rnd({2, 3, 4, 4}, 170), rnd({16, 3, 3, 3}, 171), rnd({16}, 172), rnd({16}, 173)},
                          via_float32};
  c["layer_norm"] = {[](auto& v) { return F::layer_norm(v[0], {4}, v[1], v[2]); }, {rnd({3, 4}, 146), rnd({4}, 147), rnd({4}, 148)}};
  c["group_norm"] = {[](auto& v) { return F::group_norm(v[0], 2, v[1], v[2]); },
                     {rnd({2, 4, 3}, 149), rnd({4}, 150), rnd({4}, 151)}};
  c["instance_norm"] = {[](auto& v) { return F::instance_norm(v[0], Tensor(), Tensor(), v[1], v[2]); },
                        {rnd({2, 3, 4}, 152), rnd({3}, 153), rnd({3}, 154)}};
  // ---- losses ----
  const Tensor classes = ints({2, 0, 1}, {3});
  c["cross_entropy"] = {[classes](auto& v) {
                          return F::cross_entropy(v[0], classes, Tensor(), -100, nn::Reduction::Mean, 0.1);
                        },
                        {rnd({3, 4}, 160)}};
  c["nll_loss"] = {[classes](auto& v) { return F::nll_loss(v[0], classes); }, {rnd({3, 4}, 161)}};
  c["binary_cross_entropy"] = {[](auto& v) { return F::binary_cross_entropy(v[0], v[1]); },
                               {uniform({3, 4}, 0.1, 0.9, 162), uniform({3, 4}, 0.0, 1.0, 163)}};
  c["binary_cross_entropy_with_logits"] = {
      [](auto& v) { return F::binary_cross_entropy_with_logits(v[0], v[1], Tensor(), nn::Reduction::Mean, v[2]); },
      {rnd({3, 4}, 164), uniform({3, 4}, 0.0, 1.0, 165), uniform({4}, 0.5, 2.0, 166)}};
  return c;
}

}  // namespace

TEST(Primitives, IndexAndCasesMatch) {
  const auto c = cases();
  std::string missing, extra;
  for (const auto& p : autograd::primitives())
    if (!c.count(p.name)) missing += std::string(" ") + p.name;
  for (const auto& [name, _] : c)
    if (!autograd::find_primitive(name)) extra += " " + name;
  EXPECT_EQ(missing, "") << "primitives without a gradcheck case";
  EXPECT_EQ(extra, "") << "cases for names the index does not list";
}

TEST(Primitives, EveryEntryPassesGradcheck) {
  for (auto& [name, k] : cases()) {
    GradcheckResult r = gradcheck(k.f, k.inputs, k.options);
    EXPECT_TRUE(r.ok) << name << ": " << r.message;
  }
}

TEST(Primitives, EveryDoubleDifferentiableEntryPassesGradgradcheck) {
  const auto c = cases();
  int checked = 0;
  for (const auto& p : autograd::primitives()) {
    if (!p.double_differentiable || !c.count(p.name)) continue;
    const Case& k = c.at(p.name);
    GradcheckResult r = gradgradcheck(k.f, k.inputs, k.options);
    EXPECT_TRUE(r.ok) << p.name << ": " << r.message;
    ++checked;
  }
  EXPECT_GT(checked, 30);
}

TEST(Primitives, EachEntryRecordsUnderItsName) {
  // The case of each entry records a node of that name somewhere in its graph.
  for (auto& [name, k] : cases()) {
    if (name == "slice_backward") continue;  // recorded inside grad(); checked by gradgradcheck
    std::vector<Tensor> inputs;
    for (const Tensor& t : k.inputs) inputs.push_back(t.defined() ? leaf(t.detach().clone()) : t);
    SCOPED_TRACE(name);
    Tensor y = k.f(inputs);
    bool found = false;
    std::vector<std::shared_ptr<autograd::Node>> stack{y.grad_fn()};
    std::set<autograd::Node*> seen;
    while (!stack.empty() && !found) {
      auto n = stack.back();
      stack.pop_back();
      if (!n || !seen.insert(n.get()).second) continue;
      found = n->name == name;
      for (const auto& e : n->next) stack.push_back(e.fn);
    }
    EXPECT_TRUE(found) << name << ": its case records no node of that name";
  }
}

TEST(Primitives, RecordingAnUnlistedOpRaises) {
  Tensor x = ones({2}, DType::Float64).requires_grad_();
  Tensor y = x.detach() * 2.0;
  EXPECT_NE(error_of([&] { autograd::record(y, "my_unlisted_op", {x}, [](const Tensor& g) { return std::vector<Tensor>{g}; }); })
                .find("op 'my_unlisted_op' records a graph but is not listed in the index of differentiable primitives"),
            std::string::npos);
  autograd::register_primitive("my_listed_op", "g");
  autograd::record(y, "my_listed_op", {x}, [](const Tensor& g) { return std::vector<Tensor>{g * 2.0}; });
  y.sum().backward();
  EXPECT_DOUBLE_EQ(x.grad()[0].item(), 2.0);
  EXPECT_NE(error_of([] { autograd::register_primitive("mul", "g"); }).find("'mul' is a built-in primitive"),
            std::string::npos);
}

TEST(Primitives, DoubleBackwardThroughAFusedRuleRaises) {
  // conv2d's rule calls kernels directly: its gradient cannot be differentiated again, and
  // trying says so instead of giving a wrong second derivative.
  Tensor x = rnd({1, 1, 4, 4}, 1), w = rnd({1, 1, 3, 3}, 2);
  Tensor y = F::conv2d(x, w).sum();
  std::vector<Tensor> g = autograd::grad({y}, {x}, {.create_graph = true});
  EXPECT_NE(error_of([&] { (g[0] * g[0]).sum().backward(); })
                .find("the backward rule of op 'conv2d' is not differentiable"),
            std::string::npos);
}
