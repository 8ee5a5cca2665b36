#include "nabla/nn/embedding.h"

#include "nabla/autograd.h"
#include "nabla/nn/functional/embedding.h"
#include "nabla/nn/init.h"

namespace nabla::nn {

Embedding::Embedding(const EmbeddingOptions& o)
    : num_embeddings(o.num_embeddings), embedding_dim(o.embedding_dim), padding_idx(o.padding_idx) {
  NABLA_CHECK(num_embeddings >= 0 && embedding_dim >= 0, "Embedding: num_embeddings and embedding_dim must be "
              "non-negative, got ", num_embeddings, " and ", embedding_dim);
  if (padding_idx) {
    NABLA_CHECK(*padding_idx >= -num_embeddings && *padding_idx < num_embeddings, "Embedding: padding_idx (",
                *padding_idx, ") must be within num_embeddings (", num_embeddings, ")");
    if (*padding_idx < 0) this->padding_idx = *padding_idx + num_embeddings;
  }
  weight = empty({num_embeddings, embedding_dim});
  reset_parameters();
  register_parameter("weight", &weight);
}

std::shared_ptr<Embedding> Embedding::from_pretrained(const Tensor& weight, bool freeze,
                                                      std::optional<int64_t> padding_idx) {
  NABLA_CHECK(weight.dim() == 2, "Embedding.from_pretrained: embeddings must be 2-d, got shape ", weight.shape());
  auto e = std::make_shared<Embedding>(weight.size(0), weight.size(1), padding_idx);
  e->weight = weight.detach().clone();  // the registry points at the member, so it follows
  e->weight.requires_grad_(!freeze);
  return e;
}

void Embedding::reset_parameters() {
  init::normal_(weight);
  if (padding_idx) {
    NoGradGuard guard;
    weight.select(0, *padding_idx).zero_();
  }
}

Tensor Embedding::forward(const Tensor& input) { return functional::embedding(input, weight, padding_idx); }

std::string Embedding::extra_repr() const {
  std::string s = str_cat(num_embeddings, ", ", embedding_dim);
  if (padding_idx) s += str_cat(", padding_idx=", *padding_idx);
  return s;
}

}  // namespace nabla::nn
