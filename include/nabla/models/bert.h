#pragma once
// A BERT-style encoder (Devlin et al. 2019): token + position + segment embeddings, a post-norm
// Transformer encoder with GELU, a masked-LM head tied to the token embedding and a [CLS]
// classification head; and BERT's masking of the inputs. See docs/sequence-models.md.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/dropout.h"
#include "nabla/nn/embedding.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/module.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/transformer.h"
#include "nabla/random.h"

namespace nabla::models {

/// Sizes of Bert (defaults: a small model; BERT-base is d_model 768, 12 heads, 12 layers,
/// dim_feedforward 3072, max_len 512). vocab_size is required.
struct BertOptions {
  int64_t vocab_size = 0;
  int64_t max_len = 128;         ///< longest input (rows of the position table)
  int64_t type_vocab_size = 2;   ///< segments (sentence A / B)
  int64_t d_model = 64;
  int64_t nhead = 4;
  int64_t num_layers = 2;
  int64_t dim_feedforward = 256;
  double dropout = 0.1;          ///< after the embeddings and inside every encoder layer
  int64_t num_classes = 2;       ///< outputs of the [CLS] head
  int64_t pad_id = 0;            ///< padding id: zero embedding row, ignored as a key
};

/// BERT: h = encoder(LayerNorm(tok[x] + pos[t] + seg[s])), padding ids masked as keys.
/// mlm_logits: LayerNorm(GELU(W·h)) · tokᵀ + b (the output layer shares the token embedding).
/// cls_logits: W_c · tanh(W_p · h[:, 0]) (the pooler reads the first position, [CLS]).
/// Embedding tables start N(0, 0.02²) as BERT's; the linear layers keep PyTorch's defaults.
/// Children: token_embed, position_embed, segment_embed, embed_norm, embed_dropout, encoder,
/// mlm_transform, mlm_norm, pooler, classifier; parameter mlm_bias (vocab_size).
class Bert : public nn::Module {
 public:
  /// Raises Error naming the option for non-positive sizes, nhead not dividing d_model or
  /// pad_id outside the vocabulary.
  explicit Bert(const BertOptions& options);
  std::string name() const override { return "Bert"; }
  /// Hidden states (B, T, d_model) for ids tokens (B, T) int64 and segment ids (B, T) int64
  /// (undefined: all 0). Error when T > max_len or the shapes differ.
  Tensor forward(const Tensor& tokens, const Tensor& segments = Tensor());
  /// Masked-LM logits (B, T, vocab_size) from hidden states.
  Tensor mlm_logits(const Tensor& hidden);
  /// Classification logits (B, num_classes) from hidden states (their first position).
  Tensor cls_logits(const Tensor& hidden);

  BertOptions options;
  std::shared_ptr<nn::Embedding> token_embed, position_embed, segment_embed;
  std::shared_ptr<nn::LayerNorm> embed_norm, mlm_norm;
  std::shared_ptr<nn::Dropout> embed_dropout;
  std::shared_ptr<nn::TransformerEncoder> encoder;
  std::shared_ptr<nn::Linear> mlm_transform, pooler, classifier;
  Tensor mlm_bias;
};

/// Bert with its masked-LM head, as one module from (tokens, segments) to the masked-LM logits
/// (B, T, vocab_size): a root that ONNX export writes with the head. It shares the Bert it wraps
/// (child "bert", so its state_dict keys are "bert.…").
class BertForMaskedLM : public nn::Module {
 public:
  /// Wraps `bert`; Error when it is null.
  explicit BertForMaskedLM(std::shared_ptr<Bert> bert);
  std::string name() const override { return "BertForMaskedLM"; }
  /// bert->mlm_logits(bert->forward(tokens, segments)).
  Tensor forward(const Tensor& tokens, const Tensor& segments = Tensor());

  std::shared_ptr<Bert> bert;
};

/// Bert with its [CLS] classification head, as one module from (tokens, segments) to the logits
/// (B, num_classes): a root that ONNX export writes with the pooler and the classifier. It shares
/// the Bert it wraps (child "bert").
class BertForSequenceClassification : public nn::Module {
 public:
  /// Wraps `bert`; Error when it is null.
  explicit BertForSequenceClassification(std::shared_ptr<Bert> bert);
  std::string name() const override { return "BertForSequenceClassification"; }
  /// bert->cls_logits(bert->forward(tokens, segments)).
  Tensor forward(const Tensor& tokens, const Tensor& segments = Tensor());

  std::shared_ptr<Bert> bert;
};

/// What mask_tokens does (the defaults of Hugging Face's DataCollatorForLanguageModeling).
struct MlmMaskOptions {
  int64_t mask_id = -1;        ///< the [MASK] id, required
  int64_t vocab_size = 0;      ///< random replacements are drawn from [first_random_id, vocab_size)
  int64_t first_random_id = 0;
  double probability = 0.15;   ///< chance that a position is selected for prediction
  std::vector<int64_t> special_ids{};  ///< ids never selected ([CLS], [SEP], padding, …)
  int64_t ignore_index = -100; ///< label of positions not selected (cross_entropy's default)
};

/// Inputs and labels of one masked-LM batch.
struct MaskedTokens {
  Tensor inputs, labels;
};

/// BERT's masking of ids tokens (any shape, int64): each non-special position is selected with
/// probability `probability`; a selected position keeps its id as label and its input becomes
/// mask_id (80 %), a random id (10 %) or stays as it is (10 %). Unselected positions are labelled
/// ignore_index. Draws from gen (the default generator when null). Error naming the option for a
/// probability outside [0, 1], a missing mask_id or an empty random range.
MaskedTokens mask_tokens(const Tensor& tokens, const MlmMaskOptions& options, Generator* gen = nullptr);

}  // namespace nabla::models
