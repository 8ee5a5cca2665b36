// Attention and Transformer behaviour beyond the PyTorch fixtures: masks and their conventions,
// fully masked rows, layouts, errors, printing, positional encodings, second derivatives.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <sstream>

#include "nabla/nabla.h"
#include "nabla/nn/attention.h"
#include "nabla/nn/functional/attention.h"
#include "nabla/nn/positional.h"
#include "nabla/nn/transformer.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

Tensor rnd(const Shape& s, uint64_t seed, DType dtype = DType::Float32) {
  Generator g(seed);
  return randn(s, dtype, &g);
}

Tensor bools(const std::vector<uint8_t>& v, const Shape& s) { return from_vector(v, s).to(DType::Bool); }

double at(const Tensor& t, int64_t a, int64_t b, int64_t c) { return t.select(0, a).select(0, b).select(0, c).item(); }

bool all_finite(const Tensor& t) { return isfinite(t).to(DType::Int64).sum().item<int64_t>() == t.numel(); }

}  // namespace

TEST(Attention, CausalEqualsItsExplicitMask) {
  Tensor q = rnd({2, 4, 3}, 1), k = rnd({2, 6, 3}, 2), v = rnd({2, 6, 5}, 3);
  Tensor causal = F::scaled_dot_product_attention(q, k, v, {.is_causal = true});
  Tensor explicit_mask = F::scaled_dot_product_attention(q, k, v, {.attn_mask = F::causal_mask(4, 6)});
  EXPECT_TRUE(allclose(causal, explicit_mask));
  // The first query sees only the first key: its output is v's first row.
  EXPECT_TRUE(allclose(causal.select(1, 0), v.select(1, 0), 1e-6, 1e-6));
  // A bool mask and the additive form of the same mask agree.
  Tensor additive = F::generate_square_subsequent_mask(4);
  Tensor qq = rnd({2, 4, 3}, 4), kk = rnd({2, 4, 3}, 5), vv = rnd({2, 4, 2}, 6);
  EXPECT_TRUE(allclose(F::scaled_dot_product_attention(qq, kk, vv, {.attn_mask = additive}),
                       F::scaled_dot_product_attention(qq, kk, vv, {.is_causal = true}), 1e-6, 1e-6));
}

// Without a graph, attention without a mask (or with the causal one) runs the blocked kernel
// (scores of 64 query rows at a time, causal ones only on and below the diagonal); with one, the
// composite of matmul, mask and softmax. Both must give the same numbers: more and fewer queries
// than keys, sizes that are not a multiple of the block, broadcast batch dims, a given scale,
// causal or not, float32 and float64.
TEST(Attention, BlockedKernelEqualsTheComposite) {
  struct Sizes {
    int64_t L, S;
  };
  for (DType dt : {DType::Float32, DType::Float64})
    for (Sizes sz : {Sizes{1, 1}, Sizes{130, 130}, Sizes{70, 150}, Sizes{150, 70}, Sizes{64, 64}, Sizes{65, 3}})
      for (bool causal : {true, false}) {
        Tensor q = rnd({2, 3, sz.L, 8}, 11, dt), k = rnd({2, 1, sz.S, 8}, 12, dt), v = rnd({1, 3, sz.S, 5}, 13, dt);
        for (std::optional<double> scale : {std::optional<double>(), std::optional<double>(0.7)}) {
          const F::AttentionOptions o{.is_causal = causal, .scale = scale};
          Tensor fast = F::scaled_dot_product_attention(q, k, v, o);  // no input requires grad
          Tensor q2 = q.clone().requires_grad_();
          Tensor composite = F::scaled_dot_product_attention(q2, k, v, o).detach();
          ASSERT_EQ(fast.shape(), (Shape{2, 3, sz.L, 5}));
          const double tol = dt == DType::Float32 ? 1e-5 : 1e-12;
          EXPECT_TRUE(allclose(fast, composite, tol, tol))
              << "L " << sz.L << " S " << sz.S << " causal " << causal << " " << dtype_name(dt);
          NoGradGuard no_grad;  // the same path taken because no graph is recorded at all
          EXPECT_TRUE(allclose(F::scaled_dot_product_attention(q2, k, v, o), composite, tol, tol));
        }
      }
}

TEST(Attention, SquareSubsequentMaskValues) {
  Tensor m = nn::Transformer::generate_square_subsequent_mask(3);
  const auto v = m.to_vector<float>();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(v, (std::vector<float>{0, -inf, -inf, 0, 0, -inf, 0, 0, 0}));
}

TEST(Attention, FullyMaskedRowGivesZerosAndFiniteGradients) {
  Tensor q = rnd({3, 4}, 7, DType::Float64).requires_grad_(), k = rnd({5, 4}, 8, DType::Float64).requires_grad_();
  Tensor v = rnd({5, 2}, 9, DType::Float64).requires_grad_();
  Tensor mask = bools({1, 1, 0, 0, 1, /**/ 0, 0, 0, 0, 0, /**/ 0, 1, 1, 1, 1}, {3, 5});  // row 1: no key
  auto [out, w] = F::scaled_dot_product_attention_with_weights(q, k, v, {.attn_mask = mask});
  EXPECT_EQ(out.select(0, 1).abs().sum().item(), 0.0);
  EXPECT_EQ(w.select(0, 1).abs().sum().item(), 0.0);
  EXPECT_NEAR(w.select(0, 0).sum().item(), 1.0, 1e-12);
  (out.sum() + w.sum()).backward();
  EXPECT_TRUE(all_finite(q.grad()) && all_finite(k.grad()) && all_finite(v.grad()));
}

TEST(Attention, GradcheckAndSecondDerivatives) {
  Tensor q = rnd({2, 3, 4}, 10, DType::Float64).requires_grad_(), k = rnd({2, 5, 4}, 11, DType::Float64).requires_grad_();
  Tensor v = rnd({2, 5, 3}, 12, DType::Float64).requires_grad_();
  Tensor mask = rnd({3, 5}, 13, DType::Float64).requires_grad_();
  auto f = [](const std::vector<Tensor>& x) {
    return F::scaled_dot_product_attention(x[0], x[1], x[2], {.attn_mask = x[3], .scale = 0.7});
  };
  GradcheckResult r = gradcheck(f, {q, k, v, mask});
  EXPECT_TRUE(r.ok) << r.message;
  // The gradient with respect to the query is itself differentiable (create_graph).
  auto g = [](const std::vector<Tensor>& x) {
    autograd::EnableGradGuard grad_mode;  // gradcheck evaluates under no_grad
    Tensor out = F::scaled_dot_product_attention(x[0], x[1], x[2], {.is_causal = true});
    return autograd::grad({mul(out, out).sum()}, {x[0]}, {.create_graph = true})[0];
  };
  GradcheckResult r2 = gradcheck(g, {rnd({3, 4}, 14, DType::Float64).requires_grad_(),
                                     rnd({3, 4}, 15, DType::Float64).requires_grad_(),
                                     rnd({3, 2}, 16, DType::Float64).requires_grad_()});
  EXPECT_TRUE(r2.ok) << r2.message;
}

TEST(Attention, ErrorsNameTheShapes) {
  Tensor q = rnd({2, 3, 4}, 1), k = rnd({2, 5, 6}, 2), v = rnd({2, 5, 3}, 3);
  try {
    F::scaled_dot_product_attention(q, k, v);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("same last dim E"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2, 5, 6]"), std::string::npos) << e.what();
  }
  Tensor k2 = rnd({2, 5, 4}, 4);
  EXPECT_THROW(F::scaled_dot_product_attention(q, k2, v, {.attn_mask = F::causal_mask(3, 5), .is_causal = true}), Error);
  EXPECT_THROW(F::scaled_dot_product_attention(q, k2, v, {.attn_mask = F::causal_mask(3, 4)}), Error);
}

TEST(MultiheadAttention, BatchFirstIsTheTransposedLayout) {
  manual_seed(3);
  nn::MultiheadAttention a({.embed_dim = 8, .num_heads = 2});
  nn::MultiheadAttention b({.embed_dim = 8, .num_heads = 2, .batch_first = true});
  b.load_state_dict(a.state_dict());
  Tensor x = rnd({5, 3, 8}, 20);  // (L, N, E)
  auto [ya, wa] = a(x, x, x);
  Tensor xb = x.transpose(0, 1).contiguous();
  auto [yb, wb] = b(xb, xb, xb);
  EXPECT_TRUE(allclose(ya.transpose(0, 1), yb, 1e-5, 1e-6));
  EXPECT_TRUE(allclose(wa, wb, 1e-5, 1e-6));
  EXPECT_EQ(wa.shape(), (Shape{3, 5, 5}));
  auto [y2, w2] = a(x, x, x, {.need_weights = false});
  EXPECT_FALSE(w2.defined());
  EXPECT_TRUE(allclose(y2, ya, 1e-5, 1e-6));
  auto [y3, w3] = a(x, x, x, {.average_attn_weights = false});
  EXPECT_EQ(w3.shape(), (Shape{3, 2, 5, 5}));
  EXPECT_TRUE(allclose(mean(w3, {1}), wa, 1e-5, 1e-6));
}

// Without a graph and without weights, masks (causal aside) or appended keys, the module runs
// one fused kernel on the heads of its projections in place (ops::attention_forward); the
// weights-returning call takes the composite. Both layouts, packed and separate projections
// (kdim, vdim), cross attention (S ≠ L), causal, unbatched, and more heads than threads.
TEST(MultiheadAttention, FusedInferencePathEqualsTheComposite) {
  manual_seed(5);
  for (bool batch_first : {false, true})
    for (bool separate : {false, true}) {
      nn::MultiheadAttentionOptions o{.embed_dim = 12, .num_heads = 3, .batch_first = batch_first};
      if (separate) o.kdim = 5, o.vdim = 7;
      nn::MultiheadAttention m(o);
      m.eval();
      const int64_t L = 6, S = separate ? 9 : 6, N = 2;
      auto layout = [&](int64_t len, int64_t dim, uint64_t seed) {
        return batch_first ? rnd({N, len, dim}, seed) : rnd({len, N, dim}, seed);
      };
      Tensor q = layout(L, 12, 30), k = separate ? layout(S, 5, 31) : q, v = separate ? layout(S, 7, 32) : q;
      for (bool causal : {false, true}) {
        auto [composite, w] = m(q, k, v, {.need_weights = true, .is_causal = causal});
        NoGradGuard no_grad;
        auto [fused, none] = m(q, k, v, {.need_weights = false, .is_causal = causal});
        EXPECT_FALSE(none.defined());
        ASSERT_EQ(fused.shape(), composite.shape());
        EXPECT_TRUE(allclose(fused, composite, 1e-5, 1e-6))
            << "batch_first " << batch_first << " separate " << separate << " causal " << causal;
        const int64_t bd = batch_first ? 0 : 1;  // unbatched: one sequence of the batch
        auto [one, none1] =
            m(q.select(bd, 1), k.select(bd, 1), v.select(bd, 1), {.need_weights = false, .is_causal = causal});
        EXPECT_TRUE(allclose(one, composite.select(bd, 1), 1e-5, 1e-6));
      }
    }
}

TEST(MultiheadAttention, CausalAndPaddingMasks) {
  manual_seed(4);
  nn::MultiheadAttention m({.embed_dim = 4, .num_heads = 2});
  Tensor x = rnd({4, 2, 4}, 21);
  Tensor bool_causal = logical_not(F::causal_mask(4, 4));  // MHA: true = not allowed
  auto [y1, w1] = m(x, x, x, {.is_causal = true});
  auto [y2, w2] = m(x, x, x, {.attn_mask = bool_causal});
  auto [y3, w3] = m(x, x, x, {.attn_mask = F::generate_square_subsequent_mask(4)});
  EXPECT_TRUE(allclose(y1, y2) && allclose(y1, y3, 1e-6, 1e-6) && allclose(w1, w3, 1e-6, 1e-6));
  // A padded key gets no weight; a sequence that is all padding gives zeros, not NaN.
  Tensor pad = bools({0, 0, 1, 1, /**/ 1, 1, 1, 1}, {2, 4});
  auto [y, w] = m(x, x, x, {.key_padding_mask = pad});
  EXPECT_EQ(w.select(0, 0).narrow(1, 2, 2).abs().sum().item(), 0.0);
  EXPECT_EQ(w.select(0, 1).abs().sum().item(), 0.0);
  EXPECT_TRUE(all_finite(y));
}

TEST(MultiheadAttention, ParametersPrintingAndErrors) {
  nn::MultiheadAttention packed(8, 2);
  std::vector<std::string> names;
  for (auto& [n, t] : packed.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"}));
  nn::MultiheadAttention separate({.embed_dim = 8, .num_heads = 2, .add_bias_kv = true, .kdim = 3, .vdim = 5});
  names.clear();
  for (auto& [n, t] : separate.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                                             "bias_k", "bias_v", "out_proj.weight", "out_proj.bias"}));
  std::ostringstream os;
  os << packed;
  EXPECT_EQ(os.str(), "MultiheadAttention(\n  (out_proj): Linear(in_features=8, out_features=8, bias=True)\n)");
  EXPECT_THROW(nn::MultiheadAttention(6, 4), Error);  // 4 does not divide 6
  Tensor x = rnd({3, 2, 8}, 22);
  EXPECT_THROW(packed(x, x, rnd({4, 2, 8}, 23)), Error);             // key and value lengths differ
  EXPECT_THROW(packed(x, x, x, {.key_padding_mask = bools({0, 0}, {2})}), Error);  // wrong mask shape
}

TEST(MultiheadAttention, DropoutOnlyInTraining) {
  manual_seed(5);
  nn::MultiheadAttention m({.embed_dim = 8, .num_heads = 2, .dropout = 0.5});
  Tensor x = rnd({6, 2, 8}, 24);
  m.eval();
  auto [a, wa] = m(x, x, x);
  auto [b, wb] = m(x, x, x);
  EXPECT_TRUE(allclose(a, b));
  m.train();
  auto [c, wc] = m(x, x, x);
  EXPECT_FALSE(allclose(a, c));
  EXPECT_GT(eq(wc, 0.0).to(DType::Int64).sum().item<int64_t>(), 0);
}

TEST(Transformer, EncoderLayerSitsInASequential) {
  manual_seed(6);
  nn::Sequential net(nn::Linear(3, 8), nn::TransformerEncoderLayer({.d_model = 8, .nhead = 2, .dim_feedforward = 16,
                                                                      .dropout = 0.0, .batch_first = true}));
  Tensor y = net(rnd({2, 5, 3}, 25));
  EXPECT_EQ(y.shape(), (Shape{2, 5, 8}));
  nn::Transformer t({.d_model = 8, .nhead = 2, .num_encoder_layers = 1, .num_decoder_layers = 1, .dim_feedforward = 16});
  EXPECT_THROW(t(rnd({4, 2, 8}, 26), rnd({3, 3, 8}, 27)), Error);  // batch sizes differ
  EXPECT_THROW(nn::TransformerEncoderLayer({.d_model = 8, .nhead = 2, .activation = "tanh"}), Error);
  // Causal self-attention: the first target position does not depend on later ones.
  t.eval();
  Tensor src = rnd({4, 1, 8}, 28), tgt = rnd({3, 1, 8}, 29);
  Tensor y1 = t(src, tgt, {.tgt_is_causal = true});
  Tensor tgt2 = tgt.clone();
  {
    NoGradGuard g;
    tgt2.narrow(0, 2, 1).fill_(5.0);
  }
  Tensor y2 = t(src, tgt2, {.tgt_is_causal = true});
  EXPECT_TRUE(allclose(y1.narrow(0, 0, 2), y2.narrow(0, 0, 2), 1e-5, 1e-6));
  EXPECT_FALSE(allclose(y1.narrow(0, 2, 1), y2.narrow(0, 2, 1)));
}

TEST(PositionalEncoding, SinusoidalTableAndShapes) {
  nn::SinusoidalPositionalEncoding pe(6, 10);
  Tensor zero = zeros({3, 2, 6});
  Tensor y = pe(zero);
  // Position 1: sin(1/10000^(2k/6)) at even i = 2k, cos at odd i.
  for (int64_t i = 0; i < 6; ++i) {
    const double angle = 1.0 / std::pow(10000.0, static_cast<double>(i - i % 2) / 6.0);
    EXPECT_NEAR(at(y, 1, 0, i), i % 2 == 0 ? std::sin(angle) : std::cos(angle), 1e-6) << i;
    EXPECT_NEAR(at(y, 1, 1, i), at(y, 1, 0, i), 0.0);  // the same for every sample
  }
  EXPECT_TRUE(pe.state_dict().empty());  // the table is recomputed, not saved
  EXPECT_THROW(pe(zeros({11, 2, 6})), Error);
  nn::LearnedPositionalEncoding learned(10, 6, 0.0, /*batch_first=*/true);
  Tensor yl = learned(zeros({2, 4, 6}));
  EXPECT_TRUE(allclose(yl.select(0, 0), learned.weight.narrow(0, 0, 4)));
  EXPECT_EQ(learned.state_dict().count("weight"), 1u);
}
