#pragma once
// The Vision Transformer (Dosovitskiy et al., 2020) as torchvision 0.14 builds it
// (torchvision.models.vision_transformer), with its module structure and parameter names, so a
// torchvision state_dict loads as is:
//   conv_proj                 the patch embedding: Conv2d(C, hidden, patch, stride patch)
//   class_token               (1, 1, hidden), prepended to the patch tokens
//   encoder.pos_embedding     (1, tokens + 1, hidden), learned positions
//   encoder.layers.encoder_layer_N.{ln_1, self_attention, ln_2, mlp.0, mlp.3}   pre-norm blocks
//   encoder.ln, heads.head    final LayerNorm; the classifier reads the class token
//   auto vit = models::vit_b_16();              // 86,567,656 parameters, (N, 3, 224, 224) -> (N, 1000)
//   auto small = models::vit_small(10, 1, 28);  // patches of 4×4 on 28×28 images
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/models/registry.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/attention.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"

namespace nabla::models {

/// The transformer's MLP (torchvision's MLPBlock, an nn.Sequential): children Linear(in, mlp) "0",
/// GELU "1", Dropout "2", Linear(mlp, in) "3", Dropout "4", applied in order. (…, in) -> (…, in).
/// Linear weights Xavier-uniform, biases N(0, 1e-6²), as torchvision.
class MLPBlock : public nn::UnaryModule {
 public:
  MLPBlock(int64_t in_dim, int64_t mlp_dim, double dropout);
  /// The five children in turn.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MLPBlock"; }

  std::shared_ptr<nn::Linear> fc1, fc2;  ///< "0" and "3"
  std::shared_ptr<nn::GELU> act;         ///< "1"
  std::shared_ptr<nn::Dropout> dropout1, dropout2;  ///< "2" and "4"
};

/// One pre-norm encoder block (torchvision's EncoderBlock):
///   x = x + drop_path(dropout(self_attention(ln_1(x))));  x = x + drop_path(mlp(ln_2(x)))
/// on (N, L, hidden) -> (N, L, hidden). LayerNorms with eps 1e-6; self_attention is a batch-first
/// nn::MultiheadAttention (in_proj_weight, in_proj_bias, out_proj) with attention_dropout on its
/// weights. drop_path > 0 adds a parameter-free DropPath child (stochastic depth, not in
/// torchvision), so the state_dict is the same with and without it.
class EncoderBlock : public nn::UnaryModule {
 public:
  EncoderBlock(int64_t num_heads, int64_t hidden_dim, int64_t mlp_dim, double dropout, double attention_dropout,
               double drop_path = 0.0);
  /// x (N, L, hidden) to (N, L, hidden); another shape raises Error naming it.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "EncoderBlock"; }

  int64_t num_heads;
  std::shared_ptr<nn::LayerNorm> ln_1, ln_2;
  std::shared_ptr<nn::MultiheadAttention> self_attention;
  std::shared_ptr<nn::Dropout> dropout;
  std::shared_ptr<MLPBlock> mlp;
  std::shared_ptr<nn::DropPath> drop_path;  ///< null when the rate is 0
};

/// The encoder (torchvision's Encoder): adds pos_embedding (1, seq_length, hidden), N(0, 0.02²)
/// at construction, then dropout, the blocks "layers.encoder_layer_0", … and the final LayerNorm
/// "ln" (eps 1e-6). Block i gets the stochastic-depth rate drop_path·i/(num_layers − 1) (the
/// linear rule of DeiT), so the first block is never dropped. (N, seq_length, hidden) -> same.
class Encoder : public nn::UnaryModule {
 public:
  Encoder(int64_t seq_length, int64_t num_layers, int64_t num_heads, int64_t hidden_dim, int64_t mlp_dim,
          double dropout, double attention_dropout, double drop_path = 0.0);
  /// x (N, seq_length, hidden) to the same shape; another shape raises Error naming it.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Encoder"; }

  Tensor pos_embedding;
  std::shared_ptr<nn::Dropout> dropout;
  std::shared_ptr<nn::Sequential> layers;
  std::shared_ptr<nn::LayerNorm> ln;
};

/// The settings of a VisionTransformer: torchvision's constructor arguments (names and defaults),
/// plus in_channels and drop_path.
struct ViTConfig {
  int64_t image_size = 224;  ///< square inputs of this size; divisible by patch_size
  int64_t patch_size = 16;
  int64_t num_layers = 12;
  int64_t num_heads = 12;    ///< must divide hidden_dim
  int64_t hidden_dim = 768;
  int64_t mlp_dim = 3072;
  double dropout = 0.0;            ///< after the position embedding, attention and in the MLP
  double attention_dropout = 0.0;  ///< on the attention weights
  int64_t num_classes = 1000;
  int64_t in_channels = 3;   ///< image channels (torchvision: 3)
  double drop_path = 0.0;    ///< largest stochastic-depth rate (the last block's); 0 in torchvision
};

/// The Vision Transformer: patches of patch_size² pixels embedded by conv_proj, the class token
/// prepended, the encoder, and heads.head (Linear hidden -> classes) on the class token's output.
/// (N, in_channels, image_size, image_size) -> (N, num_classes). Initialisation as torchvision:
/// conv_proj weight truncated normal with std √(1/fan_in) (cut at ±2, absolute, as
/// nn.init.trunc_normal_) and zero bias, class_token 0, heads.head weight and bias 0.
class VisionTransformer : public nn::UnaryModule {
 public:
  explicit VisionTransformer(const ViTConfig& config);
  /// Logits (N, num_classes); an input of another shape raises Error naming it.
  Tensor forward(const Tensor& x) override;
  /// The patch embedding (torchvision's _process_input): (N, C, H, W) -> tokens
  /// (N, (H/p)·(W/p), hidden), row-major over the patch grid.
  Tensor patch_tokens(const Tensor& x);
  std::string name() const override { return "VisionTransformer"; }

  ViTConfig config;
  int64_t seq_length;  ///< patches + 1 (the class token)
  std::shared_ptr<nn::Conv2d> conv_proj;
  Tensor class_token;
  std::shared_ptr<Encoder> encoder;
  std::shared_ptr<nn::Sequential> heads;
};

/// torchvision's vit_b_16: patch 16, 12 layers, 12 heads, hidden 768, MLP 3072 (86,567,656
/// parameters at 224 with 1000 classes). A smaller image_size (divisible by patch_size) keeps the
/// architecture and shortens the position embedding.
std::shared_ptr<VisionTransformer> vit_b_16(int64_t num_classes = 1000, int64_t in_channels = 3,
                                            int64_t image_size = 224, int64_t patch_size = 16);
/// torchvision's vit_b_32: as vit_b_16 with patches of 32 (88,224,232 parameters at 224).
std::shared_ptr<VisionTransformer> vit_b_32(int64_t num_classes = 1000, int64_t in_channels = 3,
                                            int64_t image_size = 224, int64_t patch_size = 32);
/// torchvision's vit_l_16: patch 16, 24 layers, 16 heads, hidden 1024, MLP 4096 (304,326,632
/// parameters at 224).
std::shared_ptr<VisionTransformer> vit_l_16(int64_t num_classes = 1000, int64_t in_channels = 3,
                                            int64_t image_size = 224, int64_t patch_size = 16);
/// A small ViT for 28×28 or 32×32 images: patch 4, 6 layers, 4 heads, hidden 128, MLP 256
/// (805,130 parameters on 1×28×28 with 10 classes), with optional stochastic depth.
std::shared_ptr<VisionTransformer> vit_small(int64_t num_classes = 10, int64_t in_channels = 1,
                                             int64_t image_size = 28, int64_t patch_size = 4,
                                             double drop_path = 0.0);

/// The ViT family's registry options (vit_b_16, vit_small).
struct ViTOptions {
  std::string stem = "auto";  ///< "auto", "imagenet" (the model's own patch) or "small" (patch 4)
  int64_t patch_size = 0;     ///< 0: chosen by the stem; else this patch size
  double dropout = 0.0;
  double attention_dropout = 0.0;
  double drop_path = 0.0;     ///< largest stochastic-depth rate

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto, imagenet (the model's patch size) or small (patches of 4 for 28x28/32x32 inputs)");
    v("patch_size", patch_size, "patch size; 0 lets the stem choose");
    v("dropout", dropout, "dropout after the position embedding, attention and in the MLP");
    v("attention_dropout", attention_dropout, "dropout on the attention weights");
    v("drop_path", drop_path, "stochastic depth: the last block's drop rate (linear in depth)");
  }
};

/// The registry entries of the family: vit_b_16 and vit_small (vit_b_32 and vit_l_16 are
/// factories only).
std::vector<ModelEntry> vit_entries();

}  // namespace nabla::models
