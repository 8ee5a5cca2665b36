#include "nabla/models/captioner.h"

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/pool.h"
#include "nabla/nn/shape_layers.h"
#include "nabla/ops.h"

namespace nabla::models {

Captioner::Captioner(const CaptionerOptions& o) : options(o) {
  NABLA_CHECK(o.vocab_size > 0 && o.in_channels > 0 && o.channels > 0 && o.feature_dim > 0 && o.embed_dim > 0 &&
                  o.hidden_size > 0,
              "Captioner: vocab_size, in_channels, channels, feature_dim, embed_dim and hidden_size must be ",
              "positive, got ", o.vocab_size, ", ", o.in_channels, ", ", o.channels, ", ", o.feature_dim, ", ",
              o.embed_dim, ", ", o.hidden_size);
  NABLA_CHECK(o.image_height > 0 && o.image_width > 0 && o.image_height % 8 == 0 && o.image_width % 8 == 0,
              "Captioner: image sides must be positive multiples of 8, got ", o.image_height, "x", o.image_width);
  for (int64_t id : {o.pad_id, o.bos_id, o.eos_id})
    NABLA_CHECK(id >= 0 && id < o.vocab_size, "Captioner: pad_id, bos_id and eos_id must be in [0, ", o.vocab_size,
                "), got ", id);
  const int64_t c = o.channels;
  encoder = register_module("encoder", std::make_shared<nn::Sequential>(
      nn::Conv2d(o.in_channels, c, 3, 1, 1), nn::BatchNorm2d(c), nn::ReLU(), nn::MaxPool2d(2),
      nn::Conv2d(c, 2 * c, 3, 1, 1), nn::BatchNorm2d(2 * c), nn::ReLU(), nn::MaxPool2d(2),
      nn::Conv2d(2 * c, 2 * c, 3, 1, 1), nn::BatchNorm2d(2 * c), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
      nn::Linear(2 * c * (o.image_height / 8) * (o.image_width / 8), o.feature_dim), nn::ReLU()));
  init_h = register_module("init_h", std::make_shared<nn::Linear>(o.feature_dim, o.hidden_size));
  init_c = register_module("init_c", std::make_shared<nn::Linear>(o.feature_dim, o.hidden_size));
  embed = register_module("embed", std::make_shared<nn::Embedding>(o.vocab_size, o.embed_dim, o.pad_id));
  decoder = register_module("decoder", std::make_shared<nn::LSTM>(nn::RNNOptions{
      .input_size = o.embed_dim + o.feature_dim, .hidden_size = o.hidden_size, .batch_first = true}));
  out = register_module("out", std::make_shared<nn::Linear>(o.hidden_size, o.vocab_size));
}

Tensor Captioner::encode(const Tensor& images) {
  NABLA_CHECK(images.dim() == 4 && images.size(1) == options.in_channels && images.size(2) == options.image_height &&
                  images.size(3) == options.image_width,
              "Captioner::encode: expected images (B, ", options.in_channels, ", ", options.image_height, ", ",
              options.image_width, "), got ", images.shape());
  return encoder->forward(images);
}

std::pair<Tensor, nn::LSTMState> Captioner::decode(const Tensor& tokens, const Tensor& features,
                                                   const nn::LSTMState& state) {
  const Tensor f = features.unsqueeze(1).expand({tokens.size(0), tokens.size(1), options.feature_dim});
  return (*decoder)(cat({embed->forward(tokens), f}, -1), state);
}

Tensor Captioner::forward(const Tensor& images, const Tensor& tgt_in) {
  NABLA_CHECK(tgt_in.dim() == 2 && tgt_in.dtype() == DType::Int64 && tgt_in.size(0) == images.size(0),
              "Captioner::forward: expected tgt_in (B, T) int64 with B = ", images.size(0), ", got ", tgt_in.shape(),
              " ", dtype_name(tgt_in.dtype()));
  const Tensor f = encode(images);
  const nn::LSTMState state{tanh(init_h->forward(f)).unsqueeze(0), init_c->forward(f).unsqueeze(0)};
  return out->forward(decode(tgt_in, f, state).first);
}

Tensor Captioner::greedy_decode(const Tensor& images, int64_t max_len) {
  NABLA_CHECK(max_len > 0, "Captioner::greedy_decode: max_len must be positive, got ", max_len);
  NoGradGuard no_grad;
  const Tensor f = encode(images);
  const int64_t b = images.size(0);
  nn::LSTMState state{tanh(init_h->forward(f)).unsqueeze(0), init_c->forward(f).unsqueeze(0)};
  Tensor token = full({b, 1}, static_cast<double>(options.bos_id), DType::Int64);
  Tensor finished = zeros({b, 1}, DType::Bool);
  std::vector<Tensor> steps;
  for (int64_t t = 0; t < max_len; ++t) {
    auto [h, next] = decode(token, f, state);
    state = next;
    token = where(finished, full({b, 1}, static_cast<double>(options.pad_id), DType::Int64),
                  argmax(out->forward(h), -1));
    steps.push_back(token);
    finished = logical_or(finished, eq(token, static_cast<double>(options.eos_id)));
    if (finished.to(DType::Int64).sum().item() == static_cast<double>(b)) break;
  }
  return cat(steps, 1);
}

}  // namespace nabla::models
