#include "nabla/models/char_lstm.h"

#include <sstream>

#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::models {

CharLSTM::CharLSTM(CharLSTMOptions o) : options(o) {
  NABLA_CHECK(o.vocab_size > 0, "models::CharLSTM: vocab_size must be positive, got ", o.vocab_size);
  NABLA_CHECK(o.embedding_dim > 0, "models::CharLSTM: embedding_dim must be positive, got ", o.embedding_dim);
  NABLA_CHECK(o.hidden_size > 0, "models::CharLSTM: hidden_size must be positive, got ", o.hidden_size);
  NABLA_CHECK(o.num_layers > 0, "models::CharLSTM: num_layers must be positive, got ", o.num_layers);
  NABLA_CHECK(o.dropout >= 0 && o.dropout < 1, "models::CharLSTM: dropout must be in [0, 1), got ", o.dropout);
  embedding = register_module("embedding", std::make_shared<nn::Embedding>(o.vocab_size, o.embedding_dim));
  nn::RNNOptions r;
  r.input_size = o.embedding_dim;
  r.hidden_size = o.hidden_size;
  r.num_layers = o.num_layers;
  r.batch_first = true;
  r.dropout = o.num_layers > 1 ? o.dropout : 0.0;
  lstm = register_module("lstm", std::make_shared<nn::LSTM>(r));
  dropout = register_module("dropout", std::make_shared<nn::Dropout>(o.dropout));
  decoder = register_module("decoder", std::make_shared<nn::Linear>(o.hidden_size, o.vocab_size));
}

void CharLSTM::check_tokens(const Tensor& tokens, const char* op) const {
  NABLA_CHECK(tokens.dtype() == DType::Int64 && tokens.dim() == 2, "models::CharLSTM::", op,
              ": expects token ids (B, T) int64, got ", shape_str(tokens.shape()), " ", dtype_name(tokens.dtype()));
  NABLA_CHECK(tokens.size(0) > 0 && tokens.size(1) > 0, "models::CharLSTM::", op, ": empty tokens ",
              shape_str(tokens.shape()));
}

std::pair<Tensor, nn::LSTMState> CharLSTM::forward_state(const Tensor& tokens, const std::optional<nn::LSTMState>& state) {
  check_tokens(tokens, "forward_state");
  const Tensor x = (*embedding)(tokens);  // (B, T, E)
  auto [y, next] = lstm->forward(x, state);  // (B, T, H)
  return {(*decoder)((*dropout)(y)), next};
}

Tensor CharLSTM::forward(const Tensor& tokens) {
  check_tokens(tokens, "forward");
  return forward_state(tokens).first;
}

Tensor CharLSTM::forward_cached(const Tensor& tokens) {
  check_tokens(tokens, "forward_cached");
  if (cache_) {
    const int64_t held = cache_->first.size(1);
    NABLA_CHECK(held == tokens.size(0), "models::CharLSTM::forward_cached: the cache holds a batch of ", held,
                " sequences, got tokens ", shape_str(tokens.shape()), " (call reset_cache to start anew)");
  }
  auto [logits, next] = forward_state(tokens, cache_);
  cache_ = detach_state(next);
  return logits;
}

std::string CharLSTM::extra_repr() const {
  std::ostringstream os;
  os << "vocab_size=" << options.vocab_size << ", embedding_dim=" << options.embedding_dim
     << ", hidden_size=" << options.hidden_size << ", num_layers=" << options.num_layers
     << ", dropout=" << options.dropout;
  return os.str();
}

nn::LSTMState detach_state(const nn::LSTMState& state) { return {state.first.detach(), state.second.detach()}; }

}  // namespace nabla::models
