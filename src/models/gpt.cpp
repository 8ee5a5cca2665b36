// GPT: nanoGPT's model (model.py) with a key/value cache for generation.
#include "nabla/models/gpt.h"

#include <cmath>
#include <string>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/nn/functional/attention.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"

namespace nabla::models {

namespace {

void check_options(const GPTOptions& o) {
  NABLA_CHECK(o.vocab_size > 0 && o.block_size > 0 && o.n_layer > 0 && o.n_head > 0 && o.n_embd > 0,
              "GPT: vocab_size, block_size, n_layer, n_head and n_embd must be positive, got vocab_size ",
              o.vocab_size, ", block_size ", o.block_size, ", n_layer ", o.n_layer, ", n_head ", o.n_head,
              ", n_embd ", o.n_embd);
  NABLA_CHECK(o.n_embd % o.n_head == 0, "GPT: n_embd (", o.n_embd, ") must be divisible by n_head (", o.n_head, ")");
  NABLA_CHECK(o.dropout >= 0 && o.dropout < 1, "GPT: dropout must be in [0, 1), got ", o.dropout);
}

// nanoGPT's LayerNorm(n_embd, bias): nn::LayerNorm whose bias is absent when !bias (an undefined
// registered tensor is an absent optional parameter, as Linear's bias=false).
std::shared_ptr<nn::LayerNorm> layer_norm(int64_t n_embd, bool bias) {
  auto norm = std::make_shared<nn::LayerNorm>(Shape{n_embd});
  if (!bias) norm->bias = Tensor();
  return norm;
}

// The bool (T, held + T) mask of T new queries over the held + T keys: query i sits at position
// held + i and sees keys j ≤ held + i.
Tensor continued_causal_mask(int64_t held, int64_t T) {
  const Tensor keys = arange(0, static_cast<double>(held + T)).reshape({1, held + T});
  const Tensor queries = arange(static_cast<double>(held), static_cast<double>(held + T)).reshape({T, 1});
  return le(keys, queries);
}

}  // namespace

// ---- CausalSelfAttention -------------------------------------------------------------------------

CausalSelfAttention::CausalSelfAttention(const GPTOptions& o)
    : n_head(o.n_head), n_embd(o.n_embd), dropout(o.dropout) {
  c_attn = register_module("c_attn", std::make_shared<nn::Linear>(o.n_embd, 3 * o.n_embd, o.bias));
  c_proj = register_module("c_proj", std::make_shared<nn::Linear>(o.n_embd, o.n_embd, o.bias));
  resid_dropout = register_module("resid_dropout", std::make_shared<nn::Dropout>(o.dropout));
}

Tensor CausalSelfAttention::forward(const Tensor& x, KVCache* cache) {
  NABLA_CHECK(x.dim() == 3 && x.size(2) == n_embd, "CausalSelfAttention: expected x of shape (B, T, ", n_embd,
              "), got ", x.shape());
  const int64_t B = x.size(0), T = x.size(1), D = n_embd / n_head;
  const std::vector<Tensor> qkv = split((*c_attn)(x), n_embd, 2);  // 3 × (B, T, C)
  auto heads = [&](const Tensor& t) { return t.reshape({B, T, n_head, D}).transpose(1, 2); };  // (B, H, T, D)
  const Tensor q = heads(qkv[0]);
  Tensor k = heads(qkv[1]), v = heads(qkv[2]);
  int64_t held = 0;
  if (cache) {
    if (cache->key.defined()) {
      held = cache->key.size(2);
      k = cat({cache->key, k}, 2);
      v = cat({cache->value, v}, 2);
    }
    cache->key = k;
    cache->value = v;
  }
  nn::functional::AttentionOptions attention{.dropout_p = is_training() ? dropout : 0.0};
  if (held == 0) attention.is_causal = true;  // square: the usual causal mask
  else if (T > 1) attention.attn_mask = continued_causal_mask(held, T);
  // (a single new query after the cache sees every key: no mask)
  const Tensor y = nn::functional::scaled_dot_product_attention(q, k, v, attention);  // (B, H, T, D)
  return (*resid_dropout)((*c_proj)(y.transpose(1, 2).reshape({B, T, n_embd})));
}

// ---- MLP and Block -------------------------------------------------------------------------------

GPTMLP::GPTMLP(const GPTOptions& o) {
  c_fc = register_module("c_fc", std::make_shared<nn::Linear>(o.n_embd, 4 * o.n_embd, o.bias));
  gelu = register_module("gelu", std::make_shared<nn::GELU>());
  c_proj = register_module("c_proj", std::make_shared<nn::Linear>(4 * o.n_embd, o.n_embd, o.bias));
  dropout = register_module("dropout", std::make_shared<nn::Dropout>(o.dropout));
}

Tensor GPTMLP::forward(const Tensor& x) { return (*dropout)((*c_proj)((*gelu)((*c_fc)(x)))); }

GPTBlock::GPTBlock(const GPTOptions& o) {
  ln_1 = register_module("ln_1", layer_norm(o.n_embd, o.bias));
  attn = register_module("attn", std::make_shared<CausalSelfAttention>(o));
  ln_2 = register_module("ln_2", layer_norm(o.n_embd, o.bias));
  mlp = register_module("mlp", std::make_shared<GPTMLP>(o));
}

Tensor GPTBlock::forward(const Tensor& x, KVCache* cache) {
  const Tensor a = add(x, attn->forward((*ln_1)(x), cache));
  return add(a, (*mlp)((*ln_2)(a)));
}

// ---- GPT -----------------------------------------------------------------------------------------

GPT::GPT(const GPTOptions& o) : options(o) {
  check_options(o);
  wte = std::make_shared<nn::Embedding>(o.vocab_size, o.n_embd);
  wpe = std::make_shared<nn::Embedding>(o.block_size, o.n_embd);
  drop = std::make_shared<nn::Dropout>(o.dropout);
  h = std::make_shared<nn::ModuleList>();
  for (int64_t i = 0; i < o.n_layer; ++i) {
    blocks.push_back(std::make_shared<GPTBlock>(o));
    h->push_back(blocks.back());
  }
  ln_f = layer_norm(o.n_embd, o.bias);
  transformer = register_module(
      "transformer", std::make_shared<nn::ModuleDict>(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
                         {"wte", wte}, {"wpe", wpe}, {"drop", drop}, {"h", h}, {"ln_f", ln_f}}));
  lm_head = register_module("lm_head", std::make_shared<nn::Linear>(o.n_embd, o.vocab_size, false));

  // nanoGPT's _init_weights, then the scaled residual projections.
  NoGradGuard no_grad;
  for (auto& [name, m] : named_modules()) {
    if (auto* linear = dynamic_cast<nn::Linear*>(m.get())) {
      const bool residual = name.size() >= 6 && name.compare(name.size() - 6, 6, "c_proj") == 0;
      nn::init::normal_(linear->weight, 0.0, residual ? 0.02 / std::sqrt(2.0 * static_cast<double>(o.n_layer)) : 0.02);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = dynamic_cast<nn::Embedding*>(m.get())) {
      nn::init::normal_(embedding->weight, 0.0, 0.02);
    }
  }
  // Weight tying: lm_head reads the token embeddings (the same tensor, so one parameter).
  lm_head->weight = wte->weight;
}

Tensor GPT::forward(const Tensor& tokens) { return run(tokens, false); }

Tensor GPT::forward_cached(const Tensor& tokens) { return run(tokens, true); }

void GPT::reset_cache() {
  cache_.clear();
  cache_length_ = 0;
}

int64_t GPT::num_params(bool non_embedding) const {
  const int64_t n = num_parameters();
  return non_embedding ? n - wpe->weight.numel() : n;
}

Tensor GPT::run(const Tensor& tokens, bool cached) {
  const char* op = cached ? "GPT.forward_cached" : "GPT.forward";
  NABLA_CHECK(tokens.dtype() == DType::Int64, op, ": expected int64 token ids, got ", dtype_name(tokens.dtype()));
  NABLA_CHECK(tokens.dim() == 2 && tokens.size(1) > 0, op, ": expected token ids of shape (B, T) with T >= 1, got ",
              tokens.shape());
  const int64_t B = tokens.size(0), T = tokens.size(1);
  const int64_t held = cached ? cache_length_ : 0;
  NABLA_CHECK(held + T <= options.block_size, op, ": ", held > 0 ? "cached length " + std::to_string(held) + " + " : "",
              "sequence length ", T, " exceeds block_size ", options.block_size);
  if (cached && held > 0)
    NABLA_CHECK(cache_[0].key.size(0) == B, op, ": the cache holds a batch of ", cache_[0].key.size(0),
                " sequences, got tokens of shape ", tokens.shape(), " (reset_cache starts a new batch)");
  if (tokens.numel() > 0) {
    const int64_t lo = nabla::min(tokens).item<int64_t>(), hi = nabla::max(tokens).item<int64_t>();
    NABLA_CHECK(lo >= 0 && hi < options.vocab_size, op, ": token id ", lo < 0 ? lo : hi,
                " is outside the vocabulary [0, ", options.vocab_size, ")");
  }
  if (cached && cache_.empty()) cache_.resize(blocks.size());

  const Tensor pos = arange(static_cast<double>(held), static_cast<double>(held + T));  // (T) int64
  Tensor x = (*drop)(add((*wte)(tokens), (*wpe)(pos)));  // (B, T, C)
  for (size_t i = 0; i < blocks.size(); ++i) x = blocks[i]->forward(x, cached ? &cache_[i] : nullptr);
  if (cached) cache_length_ = held + T;
  return (*lm_head)((*ln_f)(x));  // (B, T, V)
}

}  // namespace nabla::models
