// PyTorch parity of scaled_dot_product_attention, MultiheadAttention and the Transformer layers
// (outputs, attention weights and every gradient) against tests/fixtures/parity/attention.safetensors,
// written by tools/parity/attention.py (Debian's python3-torch 1.13). The tables below mirror it.
#include <gtest/gtest.h>

#include <functional>

#include "nabla/nabla.h"
#include "nabla/nn/attention.h"
#include "nabla/nn/functional/attention.h"
#include "nabla/nn/transformer.h"
#include "nn/parity_fixture.h"

using namespace nabla;

namespace {

const nabla::testing::ParityFixture& fixture() {
  static const nabla::testing::ParityFixture f("attention.safetensors");
  return f;
}
bool has(const std::string& key) { return fixture().has(key); }
const Tensor& get(const std::string& key) { return fixture().get(key); }
void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what) {
  nabla::testing::expect_close_to_scale(actual, expected, what);
}

std::vector<Tensor> inputs(const std::string& name) {
  std::vector<Tensor> out;
  for (int i = 0; has(name + ".in" + std::to_string(i)); ++i)
    out.push_back(get(name + ".in" + std::to_string(i)).clone().requires_grad_());
  return out;
}

Tensor mask(const std::string& name, const std::string& key) {
  return has(name + "." + key) ? get(name + "." + key) : Tensor();
}

void load_params(nn::Module& m, const std::string& name) {
  NoGradGuard guard;
  for (auto& [pname, t] : m.named_parameters()) Tensor(t).copy_(get(name + "." + pname));
}

// Backward of sum(y·gy) + sum(w·gw), then every input and parameter gradient.
void check(const std::string& name, nn::Module* m, const std::vector<Tensor>& in, const Tensor& y, const Tensor& w) {
  expect_close(y, get(name + ".y"), name + ".y");
  Tensor loss = mul(y, get(name + ".gy")).sum();
  if (has(name + ".w")) {
    expect_close(w, get(name + ".w"), name + ".w");
    loss = add(loss, mul(w, get(name + ".gw")).sum());
  } else {
    EXPECT_FALSE(w.defined()) << name << ": PyTorch returned no weights";
  }
  loss.backward();
  for (size_t i = 0; i < in.size(); ++i)
    expect_close(in[i].grad(), get(name + ".gin" + std::to_string(i)), name + ".gin" + std::to_string(i));
  if (m)
    for (auto& [pname, t] : m->named_parameters()) expect_close(t.grad(), get(name + ".g" + pname), name + ".g" + pname);
}

}  // namespace

TEST(AttentionParity, ScaledDotProductAttention) {
  for (const char* name : {"sdpa_plain", "sdpa_causal", "sdpa_bool_mask", "sdpa_f64"}) {
    SCOPED_TRACE(name);
    auto in = inputs(name);
    nn::functional::AttentionOptions o{.attn_mask = mask(name, "attn_mask"),
                                       .is_causal = std::string(name) == "sdpa_causal"};
    auto [y, w] = nn::functional::scaled_dot_product_attention_with_weights(in[0], in[1], in[2], o);
    check(name, nullptr, in, y, w);
  }
}

TEST(AttentionParity, MultiheadAttention) {
  using nn::MultiheadAttentionOptions;
  struct Case {
    const char* name;
    MultiheadAttentionOptions options;
    const char* kind;  // "self": (x, x, x); "cross": (q, k, k); "kv": (q, k, v)
    bool need_weights = true, average = true;
    DType dtype = DType::Float32;
  };
  const std::vector<Case> cases = {
      {"mha_self", {.embed_dim = 8, .num_heads = 2}, "self"},
      {"mha_cross_masks", {.embed_dim = 8, .num_heads = 4, .batch_first = true}, "cross"},
      {"mha_kdim_vdim", {.embed_dim = 6, .num_heads = 3, .kdim = 5, .vdim = 7}, "kv", true, false},
      {"mha_bias_kv_zero", {.embed_dim = 8, .num_heads = 2, .add_bias_kv = true, .add_zero_attn = true}, "cross"},
      {"mha_unbatched_f64", {.embed_dim = 4, .num_heads = 2}, "self", true, true, DType::Float64},
      {"mha_nobias_noweights", {.embed_dim = 8, .num_heads = 2, .bias = false}, "self", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    nn::MultiheadAttention m(c.options);
    m.to(c.dtype);
    load_params(m, c.name);
    auto in = inputs(c.name);
    const std::string kind = c.kind;
    const Tensor& q = in[0];
    const Tensor& k = kind == "self" ? in[0] : in[1];
    const Tensor& v = kind == "self" ? in[0] : kind == "cross" ? in[1] : in[2];
    auto [y, w] = m(q, k, v,
                    {.key_padding_mask = mask(c.name, "key_padding_mask"), .need_weights = c.need_weights,
                     .attn_mask = mask(c.name, "attn_mask"), .average_attn_weights = c.average});
    check(c.name, &m, in, y, w);
  }
}

TEST(AttentionParity, TransformerLayers) {
  using nn::TransformerLayerOptions;
  const TransformerLayerOptions small{.d_model = 8, .nhead = 2, .dim_feedforward = 12, .dropout = 0.0};
  TransformerLayerOptions pre_gelu_bf = small, pre = small, pre_bf = small;
  pre_gelu_bf.norm_first = true, pre_gelu_bf.activation = "gelu", pre_gelu_bf.batch_first = true;
  pre.norm_first = true;
  pre_bf.norm_first = true, pre_bf.batch_first = true;
  {
    nn::TransformerEncoderLayer m(small);
    load_params(m, "enc_post");
    auto in = inputs("enc_post");
    check("enc_post", &m, in, m(in[0], {.key_padding_mask = mask("enc_post", "src_key_padding_mask")}), Tensor());
  }
  {
    nn::TransformerEncoderLayer m(pre_gelu_bf);
    load_params(m, "enc_pre_gelu_bf");
    auto in = inputs("enc_pre_gelu_bf");
    check("enc_pre_gelu_bf", &m, in, m(in[0], {.mask = mask("enc_pre_gelu_bf", "src_mask")}), Tensor());
  }
  for (auto [name, options] : {std::pair{"dec_post", small}, std::pair{"dec_pre_bf", pre_bf}}) {
    SCOPED_TRACE(name);
    nn::TransformerDecoderLayer m(options);
    load_params(m, name);
    auto in = inputs(name);
    Tensor y = m(in[0], in[1],
                 {.tgt_mask = mask(name, "tgt_mask"), .tgt_key_padding_mask = mask(name, "tgt_key_padding_mask"),
                  .memory_key_padding_mask = mask(name, "memory_key_padding_mask")});
    check(name, &m, in, y, Tensor());
  }
  {
    nn::TransformerEncoder m(pre, 2, /*final_norm=*/true);
    load_params(m, "encoder_stack");
    auto in = inputs("encoder_stack");
    check("encoder_stack", &m, in, m(in[0], {.key_padding_mask = mask("encoder_stack", "src_key_padding_mask")}),
          Tensor());
  }
  {
    nn::Transformer m({.d_model = 8, .nhead = 2, .num_encoder_layers = 2, .num_decoder_layers = 1,
                       .dim_feedforward = 12, .dropout = 0.0});
    load_params(m, "transformer");
    auto in = inputs("transformer");
    Tensor y = m(in[0], in[1],
                 {.tgt_mask = mask("transformer", "tgt_mask"),
                  .src_key_padding_mask = mask("transformer", "src_key_padding_mask")});
    check("transformer", &m, in, y, Tensor());
  }
}

TEST(AttentionParity, ParameterNamesAreTorchs) {
  // The fixture holds a gradient "g<name>" for each of PyTorch's parameters: nabla has exactly
  // those names (load_params above fails on a name PyTorch lacks).
  nn::Transformer m({.d_model = 8, .nhead = 2, .num_encoder_layers = 2, .num_decoder_layers = 1,
                     .dim_feedforward = 12, .dropout = 0.0});
  const std::string prefix = "transformer.g";
  size_t torch_params = 0;
  for (const auto& [key, t] : fixture().all())
    if (key.rfind(prefix, 0) == 0 && key != "transformer.gy" && key.rfind("transformer.gin", 0) != 0) {
      ++torch_params;
      EXPECT_TRUE(has("transformer." + key.substr(prefix.size()))) << key;
    }
  EXPECT_EQ(m.named_parameters().size(), torch_params);
  for (auto& [pname, t] : m.named_parameters()) EXPECT_TRUE(has("transformer." + pname)) << pname;
}
