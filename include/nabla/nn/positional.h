#pragma once
// Positional encodings added to token embeddings before a Transformer: the fixed sinusoidal one of
// "Attention Is All You Need" and a learned table (BERT, GPT, ViT).
#include "nabla/nn/module.h"

namespace nabla::nn {

/// x + pe[:L], then dropout, with pe[pos, 2i] = sin(pos / 10000^(2i/d_model)) and
/// pe[pos, 2i+1] = cos(pos / 10000^(2i/d_model)). Input (L, N, d_model), (N, L, d_model) with
/// batch_first, or (L, d_model). The table is a non-persistent buffer "pe" (max_len, d_model):
/// it is recomputed, not saved. Raises Error when L > max_len or the last dim is not d_model.
class SinusoidalPositionalEncoding : public UnaryModule {
 public:
  explicit SinusoidalPositionalEncoding(int64_t d_model, int64_t max_len = 5000, double dropout = 0.0,
                                        bool batch_first = false);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SinusoidalPositionalEncoding"; }
  std::string extra_repr() const override;

  int64_t d_model, max_len;
  double dropout;
  bool batch_first;
  Tensor pe;
};

/// x + weight[:L], then dropout, with a learned table "weight" (max_len, d_model) drawn from
/// N(0, 0.02²) (GPT-2's and ViT's initialisation). Shapes as SinusoidalPositionalEncoding.
class LearnedPositionalEncoding : public UnaryModule {
 public:
  LearnedPositionalEncoding(int64_t max_len, int64_t d_model, double dropout = 0.0, bool batch_first = false);
  /// Redraws the table as at construction.
  void reset_parameters();
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LearnedPositionalEncoding"; }
  std::string extra_repr() const override;

  int64_t max_len, d_model;
  double dropout;
  bool batch_first;
  Tensor weight;
};

}  // namespace nabla::nn
