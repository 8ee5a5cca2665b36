#pragma once
// A GPT-style decoder-only Transformer language model with nanoGPT's architecture and parameter
// names, so that a nanoGPT state_dict loads as is:
//   transformer.wte, transformer.wpe            token and position embeddings
//   transformer.h.N.ln_1 / .attn.c_attn / .attn.c_proj / .ln_2 / .mlp.c_fc / .mlp.c_proj
//   transformer.ln_f, lm_head (its weight is transformer.wte.weight: tied)
// Blocks are pre-norm: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)), the MLP being
// c_proj(GELU(c_fc(x))) with exact (erf) GELU.
//   models::GPT gpt({.vocab_size = 65, .block_size = 64, .n_layer = 4, .n_head = 4, .n_embd = 128});
//   Tensor logits = gpt(tokens);  // (B, T) int64 -> (B, T, 65)
#include <cstdint>
#include <memory>
#include <vector>

#include "nabla/models/language_model.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/embedding.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"

namespace nabla::models {

/// GPT's settings (nanoGPT's GPTConfig: names and defaults, GPT-2 small).
struct GPTOptions {
  int64_t vocab_size = 50304;
  int64_t block_size = 1024;  ///< the longest sequence (positions of wpe)
  int64_t n_layer = 12;
  int64_t n_head = 12;
  int64_t n_embd = 768;       ///< divisible by n_head
  double dropout = 0.0;
  bool bias = true;           ///< biases in the Linear layers and LayerNorms

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("vocab_size", vocab_size, "token ids are in [0, vocab_size)");
    v("block_size", block_size, "context length: the longest sequence the model reads");
    v("n_layer", n_layer, "number of Transformer blocks");
    v("n_head", n_head, "attention heads per block");
    v("n_embd", n_embd, "embedding width, divisible by n_head");
    v("dropout", dropout, "dropout after embeddings, on attention weights and on residual branches");
    v("bias", bias, "biases in the Linear layers and LayerNorms");
  }
};

/// The keys and values one attention layer has seen, each (B, H, T, D).
struct KVCache {
  Tensor key, value;
};

/// Causal multi-head self-attention with a fused query/key/value projection: c_attn Linear(C, 3C)
/// and c_proj Linear(C, C), dropout on the weights and after c_proj (resid_dropout).
class CausalSelfAttention : public nn::Module {
 public:
  explicit CausalSelfAttention(const GPTOptions& options);
  /// x (B, T, C) to (B, T, C). With a cache, the keys and values of x are appended to it and the
  /// queries attend to everything it holds (causally: query i is position held + i).
  Tensor forward(const Tensor& x, KVCache* cache = nullptr);
  std::string name() const override { return "CausalSelfAttention"; }

  int64_t n_head, n_embd;
  double dropout;
  std::shared_ptr<nn::Linear> c_attn, c_proj;
  std::shared_ptr<nn::Dropout> resid_dropout;
};

/// The feed-forward block: c_fc Linear(C, 4C), GELU, c_proj Linear(4C, C), dropout.
class GPTMLP : public nn::UnaryModule {
 public:
  explicit GPTMLP(const GPTOptions& options);
  /// x (B, T, C) to (B, T, C).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MLP"; }

  std::shared_ptr<nn::Linear> c_fc, c_proj;
  std::shared_ptr<nn::GELU> gelu;
  std::shared_ptr<nn::Dropout> dropout;
};

/// One pre-norm Transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).
class GPTBlock : public nn::Module {
 public:
  explicit GPTBlock(const GPTOptions& options);
  /// x (B, T, C) to (B, T, C), through the attention layer's cache when one is given.
  Tensor forward(const Tensor& x, KVCache* cache = nullptr);
  std::string name() const override { return "Block"; }

  std::shared_ptr<nn::LayerNorm> ln_1, ln_2;
  std::shared_ptr<CausalSelfAttention> attn;
  std::shared_ptr<GPTMLP> mlp;
};

/// The GPT language model. Weights start as nanoGPT's: every Linear and Embedding weight
/// N(0, 0.02), biases 0, the c_proj weights (the residual projections) N(0, 0.02/√(2·n_layer)).
/// forward_cached keeps per layer the keys and values (B, H, T, D) of the tokens fed so far;
/// the positions of new tokens continue from the cache length.
class GPT : public CausalLM {
 public:
  explicit GPT(const GPTOptions& options);
  /// Logits (B, T, vocab_size) for ids (B, T) int64 with 1 ≤ T ≤ block_size, ids in
  /// [0, vocab_size); Error naming the shape or id otherwise. Leaves the cache alone.
  Tensor forward(const Tensor& tokens) override;
  /// options.vocab_size.
  int64_t vocab_size() const override { return options.vocab_size; }
  /// options.block_size.
  int64_t context_length() const override { return options.block_size; }
  /// Empties the key/value cache.
  void reset_cache() override;
  /// Logits (B, T, V) of ids (B, T) that continue the cached sequence; Error when the cache would
  /// exceed block_size or the batch size differs from the cached one.
  Tensor forward_cached(const Tensor& tokens) override;
  /// The number of tokens the cache holds.
  int64_t cache_length() const { return cache_length_; }
  /// Parameter elements, the tied lm_head counted once; without the position embeddings when
  /// non_embedding (nanoGPT's get_num_params).
  int64_t num_params(bool non_embedding = true) const;
  std::string name() const override { return "GPT"; }

  GPTOptions options;
  std::shared_ptr<nn::ModuleDict> transformer;  ///< wte, wpe, drop, h, ln_f
  std::shared_ptr<nn::Embedding> wte, wpe;
  std::shared_ptr<nn::Dropout> drop;
  std::shared_ptr<nn::ModuleList> h;
  std::vector<std::shared_ptr<GPTBlock>> blocks;  ///< the blocks of h, typed
  std::shared_ptr<nn::LayerNorm> ln_f;
  std::shared_ptr<nn::Linear> lm_head;  ///< weight shared with wte (no bias)

 private:
  Tensor run(const Tensor& tokens, bool cached);
  std::vector<KVCache> cache_;
  int64_t cache_length_ = 0;
};

}  // namespace nabla::models
