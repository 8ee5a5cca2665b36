#include "nabla/models/seq2seq.h"

#include <limits>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/ops.h"
#include "sequence_util.h"

namespace nabla::models {

Seq2Seq::Seq2Seq(const Seq2SeqOptions& o) : options(o) {
  NABLA_CHECK(o.src_vocab > 0 && o.tgt_vocab > 0 && o.embed_dim > 0 && o.hidden_size > 0,
              "Seq2Seq: src_vocab, tgt_vocab, embed_dim and hidden_size must be positive, got ", o.src_vocab, ", ",
              o.tgt_vocab, ", ", o.embed_dim, ", ", o.hidden_size);
  for (int64_t id : {o.pad_id, o.bos_id, o.eos_id})
    NABLA_CHECK(id >= 0 && id < o.tgt_vocab && o.pad_id < o.src_vocab, "Seq2Seq: pad_id, bos_id and eos_id must be ",
                "ids of the vocabularies (", o.src_vocab, ", ", o.tgt_vocab, "), got ", o.pad_id, ", ", o.bos_id, ", ",
                o.eos_id);
  const int64_t h = o.hidden_size;
  src_embed = register_module("src_embed", std::make_shared<nn::Embedding>(o.src_vocab, o.embed_dim, o.pad_id));
  tgt_embed = register_module("tgt_embed", std::make_shared<nn::Embedding>(o.tgt_vocab, o.embed_dim, o.pad_id));
  nn::RNNOptions rnn{.input_size = o.embed_dim, .hidden_size = h, .batch_first = true};
  encoder = register_module("encoder", std::make_shared<nn::GRU>(rnn));
  decoder = register_module("decoder", std::make_shared<nn::GRU>(rnn));
  attn = register_module("attn", std::make_shared<nn::Linear>(h, h, false));
  combine = register_module("combine", std::make_shared<nn::Linear>(2 * h, h, false));
  out = register_module("out", std::make_shared<nn::Linear>(h, o.tgt_vocab));
}

Seq2Seq::Memory Seq2Seq::encode(const Tensor& src, const std::vector<int64_t>& src_lengths) {
  const std::vector<int64_t> lengths = detail::checked_lengths("Seq2Seq", src, src_lengths, options.src_vocab);
  auto [outputs, state] = (*encoder)(src_embed->forward(src), std::nullopt, lengths);
  return {outputs, state, detail::padding_mask(lengths, src.size(1)).unsqueeze(1)};
}

Tensor Seq2Seq::attend(const Tensor& h, const Memory& memory) {
  // scores (B, T, S) = h · (W_a m)ᵀ; padded source steps get −∞ before the softmax.
  Tensor scores = bmm(h, attn->forward(memory.outputs).transpose(1, 2));
  scores = masked_fill(scores, memory.pad_mask, -std::numeric_limits<double>::infinity());
  attention_ = softmax(scores, -1);
  const Tensor context = bmm(attention_, memory.outputs);  // (B, T, H)
  return out->forward(tanh(combine->forward(cat({context, h}, -1))));
}

Tensor Seq2Seq::forward(const Tensor& src, const std::vector<int64_t>& src_lengths, const Tensor& tgt_in) {
  NABLA_CHECK(tgt_in.dim() == 2 && tgt_in.dtype() == DType::Int64 && tgt_in.size(0) == src.size(0),
              "Seq2Seq::forward: expected tgt_in (B, T) int64 with B = ", src.size(0), ", got ", tgt_in.shape(), " ",
              dtype_name(tgt_in.dtype()));
  const Memory memory = encode(src, src_lengths);
  auto [h, state] = (*decoder)(tgt_embed->forward(tgt_in), memory.state);
  (void)state;
  return attend(h, memory);
}

Tensor Seq2Seq::greedy_decode(const Tensor& src, const std::vector<int64_t>& src_lengths, int64_t max_len) {
  NABLA_CHECK(max_len > 0, "Seq2Seq::greedy_decode: max_len must be positive, got ", max_len);
  NoGradGuard no_grad;
  const Memory memory = encode(src, src_lengths);
  const int64_t b = src.size(0);
  Tensor state = memory.state;
  Tensor token = full({b, 1}, static_cast<double>(options.bos_id), DType::Int64);
  Tensor finished = zeros({b, 1}, DType::Bool);
  std::vector<Tensor> steps, weights;
  for (int64_t t = 0; t < max_len; ++t) {
    auto [h, next_state] = (*decoder)(tgt_embed->forward(token), state);
    state = next_state;
    token = argmax(attend(h, memory), -1);  // (B, 1)
    weights.push_back(attention_);
    token = where(finished, full({b, 1}, static_cast<double>(options.pad_id), DType::Int64), token);
    steps.push_back(token);
    finished = logical_or(finished, eq(token, static_cast<double>(options.eos_id)));
    if (finished.to(DType::Int64).sum().item() == static_cast<double>(b)) break;
  }
  attention_ = cat(weights, 1);
  return cat(steps, 1);
}

}  // namespace nabla::models
