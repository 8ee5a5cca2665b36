#include "nabla/models/bert.h"

#include <algorithm>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/nn/functional/activation.h"
#include "nabla/ops.h"

namespace nabla::models {

namespace {

// BERT's initialisation of an embedding table: N(0, 0.02²), the padding row zero.
void init_embedding(nn::Embedding& e) {
  NoGradGuard no_grad;
  normal_(e.weight, 0.0, 0.02);
  if (e.padding_idx) e.weight.select(0, *e.padding_idx).zero_();
}

}  // namespace

Bert::Bert(const BertOptions& o) : options(o) {
  NABLA_CHECK(o.vocab_size > 0 && o.max_len > 0 && o.type_vocab_size > 0 && o.d_model > 0 && o.nhead > 0 &&
                  o.num_layers > 0 && o.dim_feedforward > 0 && o.num_classes > 0,
              "Bert: vocab_size, max_len, type_vocab_size, d_model, nhead, num_layers, dim_feedforward and ",
              "num_classes must be positive, got ", o.vocab_size, ", ", o.max_len, ", ", o.type_vocab_size, ", ",
              o.d_model, ", ", o.nhead, ", ", o.num_layers, ", ", o.dim_feedforward, ", ", o.num_classes);
  NABLA_CHECK(o.d_model % o.nhead == 0, "Bert: nhead (", o.nhead, ") must divide d_model (", o.d_model, ")");
  NABLA_CHECK(o.pad_id >= 0 && o.pad_id < o.vocab_size, "Bert: pad_id must be in [0, ", o.vocab_size, "), got ",
              o.pad_id);
  const int64_t d = o.d_model;
  token_embed = register_module("token_embed", std::make_shared<nn::Embedding>(o.vocab_size, d, o.pad_id));
  position_embed = register_module("position_embed", std::make_shared<nn::Embedding>(o.max_len, d));
  segment_embed = register_module("segment_embed", std::make_shared<nn::Embedding>(o.type_vocab_size, d));
  for (auto* e : {token_embed.get(), position_embed.get(), segment_embed.get()}) init_embedding(*e);
  embed_norm = register_module("embed_norm", std::make_shared<nn::LayerNorm>(Shape{d}, 1e-12));
  embed_dropout = register_module("embed_dropout", std::make_shared<nn::Dropout>(o.dropout));
  const nn::TransformerLayerOptions layer{.d_model = d, .nhead = o.nhead, .dim_feedforward = o.dim_feedforward,
                                          .dropout = o.dropout, .activation = "gelu", .layer_norm_eps = 1e-12,
                                          .batch_first = true};
  encoder = register_module("encoder", std::make_shared<nn::TransformerEncoder>(layer, o.num_layers));
  mlm_transform = register_module("mlm_transform", std::make_shared<nn::Linear>(d, d));
  mlm_norm = register_module("mlm_norm", std::make_shared<nn::LayerNorm>(Shape{d}, 1e-12));
  pooler = register_module("pooler", std::make_shared<nn::Linear>(d, d));
  classifier = register_module("classifier", std::make_shared<nn::Linear>(d, o.num_classes));
  mlm_bias = zeros({o.vocab_size});
  register_parameter("mlm_bias", &mlm_bias);
}

Tensor Bert::forward(const Tensor& tokens, const Tensor& segments) {
  NABLA_CHECK(tokens.dim() == 2 && tokens.dtype() == DType::Int64 && tokens.size(1) >= 1 &&
                  tokens.size(1) <= options.max_len,
              "Bert::forward: expected ids (B, T) int64 with 1 <= T <= max_len = ", options.max_len, ", got ",
              tokens.shape(), " ", dtype_name(tokens.dtype()));
  const int64_t t = tokens.size(1);
  Tensor x = token_embed->forward(tokens) +
             position_embed->forward(arange(0, static_cast<double>(t), 1, DType::Int64)).unsqueeze(0);
  if (segments.defined()) {
    NABLA_CHECK(segments.shape() == tokens.shape() && segments.dtype() == DType::Int64,
                "Bert::forward: expected segment ids int64 of the tokens' shape ", tokens.shape(), ", got ",
                segments.shape(), " ", dtype_name(segments.dtype()));
    x = x + segment_embed->forward(segments);
  } else {
    x = x + segment_embed->weight.select(0, 0);
  }
  x = embed_dropout->forward(embed_norm->forward(x));
  return encoder->forward(x, {.key_padding_mask = eq(tokens, static_cast<double>(options.pad_id))});
}

Tensor Bert::mlm_logits(const Tensor& hidden) {
  const Tensor h = mlm_norm->forward(nn::functional::gelu(mlm_transform->forward(hidden)));
  return matmul(h, token_embed->weight.t()) + mlm_bias;
}

Tensor Bert::cls_logits(const Tensor& hidden) {
  NABLA_CHECK(hidden.dim() == 3 && hidden.size(2) == options.d_model, "Bert::cls_logits: expected hidden states ",
              "(B, T, ", options.d_model, "), got ", hidden.shape());
  return classifier->forward(tanh(pooler->forward(hidden.select(1, 0))));
}

BertForMaskedLM::BertForMaskedLM(std::shared_ptr<Bert> b) {
  NABLA_CHECK(b != nullptr, "BertForMaskedLM: the Bert to wrap is null");
  bert = register_module("bert", std::move(b));
}

Tensor BertForMaskedLM::forward(const Tensor& tokens, const Tensor& segments) {
  return bert->mlm_logits(bert->forward(tokens, segments));
}

BertForSequenceClassification::BertForSequenceClassification(std::shared_ptr<Bert> b) {
  NABLA_CHECK(b != nullptr, "BertForSequenceClassification: the Bert to wrap is null");
  bert = register_module("bert", std::move(b));
}

Tensor BertForSequenceClassification::forward(const Tensor& tokens, const Tensor& segments) {
  return bert->cls_logits(bert->forward(tokens, segments));
}

MaskedTokens mask_tokens(const Tensor& tokens, const MlmMaskOptions& o, Generator* gen) {
  NABLA_CHECK(tokens.dtype() == DType::Int64, "mask_tokens: expected int64 ids, got ", dtype_name(tokens.dtype()));
  NABLA_CHECK(o.probability >= 0 && o.probability <= 1, "mask_tokens: probability must be in [0, 1], got ",
              o.probability);
  NABLA_CHECK(o.mask_id >= 0, "mask_tokens: mask_id must be set (>= 0), got ", o.mask_id);
  NABLA_CHECK(o.first_random_id >= 0 && o.first_random_id < o.vocab_size, "mask_tokens: random ids come from [",
              o.first_random_id, ", ", o.vocab_size, "), which must be a non-empty range of ids");
  Generator& g = gen ? *gen : default_generator();
  std::vector<int64_t> inputs = tokens.to_vector<int64_t>();
  std::vector<int64_t> labels(inputs.size(), o.ignore_index);
  const uint64_t range = static_cast<uint64_t>(o.vocab_size - o.first_random_id);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (std::find(o.special_ids.begin(), o.special_ids.end(), inputs[i]) != o.special_ids.end()) continue;
    if (g.next_double() >= o.probability) continue;
    labels[i] = inputs[i];
    const double u = g.next_double();
    if (u < 0.8)
      inputs[i] = o.mask_id;
    else if (u < 0.9)
      inputs[i] = o.first_random_id + static_cast<int64_t>(g.next_u64() % range);  // range ≪ 2⁶⁴: bias negligible
  }
  return {from_vector(inputs, tokens.shape()), from_vector(labels, tokens.shape())};
}

}  // namespace nabla::models
