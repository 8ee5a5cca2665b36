#pragma once
// Image captioning (Show and Tell, Vinyals et al. 2015, with the image fed at every step): a small
// CNN encodes the image into one feature vector, which starts an LSTM decoder's state and joins
// every input token's embedding. Trained with teacher forcing, decoded greedily.
// See docs/sequence-models.md.
#include <cstdint>
#include <memory>
#include <string>

#include "nabla/nn/embedding.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/module.h"
#include "nabla/nn/recurrent.h"

namespace nabla::models {

/// Sizes and special ids of Captioner. vocab_size is required; image sides must be multiples of 8.
struct CaptionerOptions {
  int64_t vocab_size = 0;
  int64_t in_channels = 1;
  int64_t image_height = 56;
  int64_t image_width = 56;
  int64_t channels = 16;      ///< width of the first convolution (then 2×, 2×)
  int64_t feature_dim = 128;  ///< the image's feature vector
  int64_t embed_dim = 32;
  int64_t hidden_size = 128;
  int64_t pad_id = 0;
  int64_t bos_id = 1;
  int64_t eos_id = 2;
};

/// encoder: three blocks conv 3×3 pad 1, BatchNorm2d, ReLU, max-pool 2 (channels c, 2c, 2c),
/// flatten, linear to feature_dim, ReLU — the flattening keeps where things are, which a caption
/// of a grid needs. Call eval() before decoding (BatchNorm then uses its running statistics).
/// The decoder LSTM starts at h0 = tanh(W_h·f), c0 = W_c·f and reads [embed(y_{t−1}); f] at each
/// step; out maps its outputs to logits. Children: encoder, init_h, init_c, embed, decoder, out.
class Captioner : public nn::Module {
 public:
  /// Raises Error naming the option for non-positive sizes, image sides not multiples of 8 or
  /// special ids outside the vocabulary.
  explicit Captioner(const CaptionerOptions& options);
  std::string name() const override { return "Captioner"; }
  /// The feature vectors (B, feature_dim) of images (B, in_channels, image_height, image_width).
  Tensor encode(const Tensor& images);
  /// Teacher-forced logits (B, T, vocab_size) for images and decoder inputs tgt_in (B, T) int64
  /// (bos followed by the caption but its last id).
  Tensor forward(const Tensor& images, const Tensor& tgt_in);
  /// Greedy captions without recording gradients: (B, L) int64, L ≤ max_len, each row up to and
  /// including eos, then pad_id; stops when every row has produced eos.
  Tensor greedy_decode(const Tensor& images, int64_t max_len);

  CaptionerOptions options;
  std::shared_ptr<nn::Sequential> encoder;
  std::shared_ptr<nn::Linear> init_h, init_c, out;
  std::shared_ptr<nn::Embedding> embed;
  std::shared_ptr<nn::LSTM> decoder;

 private:
  /// Decoder outputs (B, T, H) and final state for tokens (B, T) from state, features f (B, F).
  std::pair<Tensor, nn::LSTMState> decode(const Tensor& tokens, const Tensor& features, const nn::LSTMState& state);
};

}  // namespace nabla::models
