#include "nabla/models/sequence_classifier.h"

#include "nabla/error.h"
#include "nabla/ops.h"
#include "sequence_util.h"

namespace nabla::models {

SequenceClassifier::SequenceClassifier(const SequenceClassifierOptions& o) : options(o) {
  NABLA_CHECK(o.vocab_size > 0 && o.num_classes > 0 && o.embed_dim > 0 && o.hidden_size > 0 && o.num_layers > 0,
              "SequenceClassifier: vocab_size, num_classes, embed_dim, hidden_size and num_layers must be positive, got ",
              o.vocab_size, ", ", o.num_classes, ", ", o.embed_dim, ", ", o.hidden_size, ", ", o.num_layers);
  NABLA_CHECK(o.cell == "lstm" || o.cell == "gru", "SequenceClassifier: cell must be \"lstm\" or \"gru\", got \"",
              o.cell, "\"");
  NABLA_CHECK(o.pooling == "last" || o.pooling == "mean",
              "SequenceClassifier: pooling must be \"last\" or \"mean\", got \"", o.pooling, "\"");
  NABLA_CHECK(o.pad_id >= 0 && o.pad_id < o.vocab_size, "SequenceClassifier: pad_id must be in [0, ", o.vocab_size,
              "), got ", o.pad_id);
  embed = register_module("embed", std::make_shared<nn::Embedding>(o.vocab_size, o.embed_dim, o.pad_id));
  const nn::RNNOptions rnn_options{.input_size = o.embed_dim, .hidden_size = o.hidden_size, .num_layers = o.num_layers,
                                   .batch_first = true, .bidirectional = o.bidirectional};
  if (o.cell == "lstm")
    rnn = register_module<nn::RNNBase>("rnn", std::make_shared<nn::LSTM>(rnn_options));
  else
    rnn = register_module<nn::RNNBase>("rnn", std::make_shared<nn::GRU>(rnn_options));
  head = register_module("head", std::make_shared<nn::Linear>((o.bidirectional ? 2 : 1) * o.hidden_size, o.num_classes));
}

Tensor SequenceClassifier::forward(const Tensor& tokens, const std::vector<int64_t>& lengths) {
  const std::vector<int64_t> valid = detail::checked_lengths("SequenceClassifier", tokens, lengths, options.vocab_size);
  const Tensor x = embed->forward(tokens);
  Tensor outputs, h_n;
  if (auto* lstm = dynamic_cast<nn::LSTM*>(rnn.get())) {
    auto [y, state] = (*lstm)(x, std::nullopt, valid);
    outputs = y, h_n = state.first;
  } else {
    auto [y, h] = (*static_cast<nn::GRU*>(rnn.get()))(x, std::nullopt, valid);
    outputs = y, h_n = h;
  }
  const int64_t b = tokens.size(0), dirs = options.bidirectional ? 2 : 1;
  Tensor pooled;
  if (options.pooling == "last") {
    // h_n is (layers·dirs, B, H): the top layer's directions, side by side per row.
    pooled = h_n.narrow(0, (options.num_layers - 1) * dirs, dirs).transpose(0, 1).reshape({b, -1});
  } else {
    // The recurrent layer zeroes outputs past each row's length, so the sum runs over valid steps.
    const Tensor n = from_vector(valid, Shape{b, 1}).to(outputs.dtype());
    pooled = outputs.sum({1}) / n;
  }
  return head->forward(pooled);
}

}  // namespace nabla::models
