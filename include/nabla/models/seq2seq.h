#pragma once
// An encoder–decoder with attention (Luong et al. 2015, "general" score): a GRU encoder over the
// source, a GRU decoder started from the encoder's final state, and at every target step
// attention over the encoder's outputs. Trained with teacher forcing, decoded greedily.
// See docs/sequence-models.md.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/embedding.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/module.h"
#include "nabla/nn/recurrent.h"

namespace nabla::models {

/// Sizes and special ids of Seq2Seq. src_vocab and tgt_vocab are required.
struct Seq2SeqOptions {
  int64_t src_vocab = 0;
  int64_t tgt_vocab = 0;
  int64_t embed_dim = 32;
  int64_t hidden_size = 64;
  int64_t pad_id = 0;  ///< padding in both vocabularies (embedding row kept at zero)
  int64_t bos_id = 1;  ///< the decoder's first input
  int64_t eos_id = 2;  ///< ends a decoded sequence
};

/// Luong attention seq2seq. With h_t the decoder GRU's output at target step t and m_s the
/// encoder's output at source step s: score(t, s) = h_t·W_a·m_s (padding excluded),
/// a = softmax_s(score), c_t = Σ_s a_s·m_s, h̃_t = tanh(W_c·[c_t; h_t]), logits = W_o·h̃_t.
/// Children: src_embed, tgt_embed, encoder, decoder, attn (W_a), combine (W_c), out (W_o).
class Seq2Seq : public nn::Module {
 public:
  /// Raises Error naming the option for non-positive sizes or special ids outside tgt_vocab.
  explicit Seq2Seq(const Seq2SeqOptions& options);
  std::string name() const override { return "Seq2Seq"; }

  /// Teacher-forced logits (B, T, tgt_vocab) for source ids src (B, S) with per-row lengths
  /// (empty: all S) and decoder inputs tgt_in (B, T) (bos followed by the target but its last id).
  Tensor forward(const Tensor& src, const std::vector<int64_t>& src_lengths, const Tensor& tgt_in);
  /// Greedy decoding, without recording gradients: (B, L) int64 ids, L ≤ max_len, each row the
  /// argmax tokens up to and including eos, then pad_id. Stops when every row has produced eos.
  Tensor greedy_decode(const Tensor& src, const std::vector<int64_t>& src_lengths, int64_t max_len);
  /// The attention weights (B, T, S) of the last forward or greedy_decode (rows over the source).
  const Tensor& last_attention() const { return attention_; }

  Seq2SeqOptions options;
  std::shared_ptr<nn::Embedding> src_embed, tgt_embed;
  std::shared_ptr<nn::GRU> encoder, decoder;
  std::shared_ptr<nn::Linear> attn, combine, out;

 private:
  /// (encoder outputs (B, S, H), final state (1, B, H), padding mask (B, 1, S) true = padding).
  struct Memory {
    Tensor outputs, state, pad_mask;
  };
  Memory encode(const Tensor& src, const std::vector<int64_t>& src_lengths);
  /// Logits (B, T, V) for decoder outputs h (B, T, H); stores the attention weights.
  Tensor attend(const Tensor& h, const Memory& memory);

  Tensor attention_;
};

}  // namespace nabla::models
