// The Vision Transformer: torchvision 0.14's vision_transformer.py, module for module.
#include "nabla/models/vit.h"

#include <cmath>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"

namespace nabla::models {

namespace {

// torchvision's norm_layer: partial(nn.LayerNorm, eps=1e-6).
std::shared_ptr<nn::LayerNorm> vit_norm(int64_t hidden_dim) { return std::make_shared<nn::LayerNorm>(Shape{hidden_dim}, 1e-6); }

void check_rate(double p, const char* what) {
  NABLA_CHECK(p >= 0.0 && p < 1.0, "VisionTransformer: ", what, " must be in [0, 1), got ", p);
}

void check_config(const ViTConfig& c) {
  NABLA_CHECK(c.image_size > 0 && c.patch_size > 0 && c.num_layers > 0 && c.num_heads > 0 && c.hidden_dim > 0 &&
                  c.mlp_dim > 0 && c.num_classes > 0 && c.in_channels > 0,
              "VisionTransformer: every size must be positive, got image_size ", c.image_size, ", patch_size ",
              c.patch_size, ", num_layers ", c.num_layers, ", num_heads ", c.num_heads, ", hidden_dim ", c.hidden_dim,
              ", mlp_dim ", c.mlp_dim, ", num_classes ", c.num_classes, ", in_channels ", c.in_channels);
  NABLA_CHECK(c.image_size % c.patch_size == 0, "VisionTransformer: image_size ", c.image_size,
              " must be divisible by patch_size ", c.patch_size);
  NABLA_CHECK(c.hidden_dim % c.num_heads == 0, "VisionTransformer: hidden_dim ", c.hidden_dim,
              " must be divisible by num_heads ", c.num_heads);
  check_rate(c.dropout, "dropout");
  check_rate(c.attention_dropout, "attention_dropout");
  check_rate(c.drop_path, "drop_path");
}

}  // namespace

// ---- MLPBlock ----------------------------------------------------------------------------------

MLPBlock::MLPBlock(int64_t in_dim, int64_t mlp_dim, double dropout) {
  fc1 = register_module("0", std::make_shared<nn::Linear>(in_dim, mlp_dim));
  act = register_module("1", std::make_shared<nn::GELU>());
  dropout1 = register_module("2", std::make_shared<nn::Dropout>(dropout));
  fc2 = register_module("3", std::make_shared<nn::Linear>(mlp_dim, in_dim));
  dropout2 = register_module("4", std::make_shared<nn::Dropout>(dropout));
  NoGradGuard no_grad;
  for (const auto& fc : {fc1, fc2}) {
    nn::init::xavier_uniform_(fc->weight);
    nn::init::normal_(fc->bias, 0.0, 1e-6);
  }
}

Tensor MLPBlock::forward(const Tensor& x) { return (*dropout2)((*fc2)((*dropout1)((*act)((*fc1)(x))))); }

// ---- EncoderBlock ------------------------------------------------------------------------------

EncoderBlock::EncoderBlock(int64_t heads, int64_t hidden_dim, int64_t mlp_dim, double dropout_p,
                           double attention_dropout, double drop_path_p)
    : num_heads(heads) {
  check_rate(drop_path_p, "drop_path");
  ln_1 = register_module("ln_1", vit_norm(hidden_dim));
  self_attention = register_module(
      "self_attention", std::make_shared<nn::MultiheadAttention>(nn::MultiheadAttentionOptions{
                            .embed_dim = hidden_dim, .num_heads = heads, .dropout = attention_dropout, .batch_first = true}));
  dropout = register_module("dropout", std::make_shared<nn::Dropout>(dropout_p));
  ln_2 = register_module("ln_2", vit_norm(hidden_dim));
  mlp = register_module("mlp", std::make_shared<MLPBlock>(hidden_dim, mlp_dim, dropout_p));
  if (drop_path_p > 0) drop_path = register_module("drop_path", std::make_shared<nn::DropPath>(drop_path_p));
}

Tensor EncoderBlock::forward(const Tensor& input) {
  const int64_t E = self_attention->embed_dim;
  NABLA_CHECK(input.dim() == 3 && input.size(2) == E, "EncoderBlock: expected (batch_size, seq_length, ", E,
              "), got ", input.shape());
  const Tensor h = (*ln_1)(input);
  Tensor a = (*dropout)((*self_attention)(h, h, h, {.need_weights = false}).first);
  if (drop_path) a = (*drop_path)(a);
  const Tensor x = a + input;
  Tensor y = (*mlp)((*ln_2)(x));
  if (drop_path) y = (*drop_path)(y);
  return x + y;
}

// ---- Encoder -----------------------------------------------------------------------------------

Encoder::Encoder(int64_t seq_length, int64_t num_layers, int64_t num_heads, int64_t hidden_dim, int64_t mlp_dim,
                 double dropout_p, double attention_dropout, double drop_path) {
  NABLA_CHECK(seq_length > 0 && num_layers > 0, "Encoder: seq_length and num_layers must be positive, got ",
              seq_length, " and ", num_layers);
  pos_embedding = empty({1, seq_length, hidden_dim});
  {
    NoGradGuard no_grad;
    nn::init::normal_(pos_embedding, 0.0, 0.02);  // from BERT, as torchvision
  }
  register_parameter("pos_embedding", &pos_embedding);
  dropout = register_module("dropout", std::make_shared<nn::Dropout>(dropout_p));
  layers = register_module("layers", std::make_shared<nn::Sequential>());
  for (int64_t i = 0; i < num_layers; ++i) {
    const double rate = num_layers > 1 ? drop_path * static_cast<double>(i) / static_cast<double>(num_layers - 1) : 0.0;
    layers->push_back("encoder_layer_" + std::to_string(i),
                      std::make_shared<EncoderBlock>(num_heads, hidden_dim, mlp_dim, dropout_p, attention_dropout, rate));
  }
  ln = register_module("ln", vit_norm(hidden_dim));
}

Tensor Encoder::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 3 && x.size(1) == pos_embedding.size(1) && x.size(2) == pos_embedding.size(2),
              "Encoder: expected (batch_size, ", pos_embedding.size(1), ", ", pos_embedding.size(2), "), got ",
              x.shape());
  return (*ln)((*layers)((*dropout)(x + pos_embedding)));
}

// ---- VisionTransformer -------------------------------------------------------------------------

VisionTransformer::VisionTransformer(const ViTConfig& c) : config(c) {
  check_config(c);
  const int64_t grid = c.image_size / c.patch_size;
  seq_length = grid * grid + 1;
  class_token = zeros({1, 1, c.hidden_dim});
  register_parameter("class_token", &class_token);
  conv_proj = register_module("conv_proj", std::make_shared<nn::Conv2d>(c.in_channels, c.hidden_dim, c.patch_size,
                                                                        c.patch_size));
  encoder = register_module("encoder", std::make_shared<Encoder>(seq_length, c.num_layers, c.num_heads, c.hidden_dim,
                                                                 c.mlp_dim, c.dropout, c.attention_dropout, c.drop_path));
  auto head = std::make_shared<nn::Linear>(c.hidden_dim, c.num_classes);
  heads = register_module("heads", std::make_shared<nn::Sequential>());
  heads->push_back("head", head);

  NoGradGuard no_grad;
  const double fan_in = static_cast<double>(c.in_channels * c.patch_size * c.patch_size);
  nn::init::trunc_normal_(conv_proj->weight, 0.0, std::sqrt(1.0 / fan_in));
  nn::init::zeros_(conv_proj->bias);
  nn::init::zeros_(head->weight);
  nn::init::zeros_(head->bias);
}

Tensor VisionTransformer::patch_tokens(const Tensor& x) {
  const int64_t S = config.image_size;
  NABLA_CHECK(x.dim() == 4 && x.size(1) == config.in_channels && x.size(2) == S && x.size(3) == S,
              "VisionTransformer: expected input (N, ", config.in_channels, ", ", S, ", ", S, "), got ", x.shape());
  const int64_t n = x.size(0), g = S / config.patch_size;
  // (N, C, H, W) -> (N, hidden, g, g) -> (N, hidden, g·g) -> (N, g·g, hidden)
  return (*conv_proj)(x).reshape({n, config.hidden_dim, g * g}).permute({0, 2, 1});
}

Tensor VisionTransformer::forward(const Tensor& x) {
  Tensor tokens = patch_tokens(x);
  const int64_t n = tokens.size(0);
  tokens = cat({class_token.expand({n, 1, config.hidden_dim}), tokens}, 1);
  const Tensor out = (*encoder)(tokens);
  return (*heads)(out.select(1, 0));  // the class token's output
}

// ---- factories ---------------------------------------------------------------------------------

namespace {

ViTConfig published(const std::string& model) {
  if (model == "vit_b_16") return {.patch_size = 16, .num_layers = 12, .num_heads = 12, .hidden_dim = 768, .mlp_dim = 3072};
  if (model == "vit_b_32") return {.patch_size = 32, .num_layers = 12, .num_heads = 12, .hidden_dim = 768, .mlp_dim = 3072};
  if (model == "vit_l_16") return {.patch_size = 16, .num_layers = 24, .num_heads = 16, .hidden_dim = 1024, .mlp_dim = 4096};
  if (model == "vit_small") return {.patch_size = 16, .num_layers = 6, .num_heads = 4, .hidden_dim = 128, .mlp_dim = 256};
  throw Error("models::vit: unknown model '" + model + "'");
}

std::shared_ptr<VisionTransformer> build(const std::string& model, int64_t num_classes, int64_t in_channels,
                                         int64_t image_size, int64_t patch_size, double drop_path = 0.0) {
  ViTConfig c = published(model);
  c.num_classes = num_classes;
  c.in_channels = in_channels;
  c.image_size = image_size;
  c.patch_size = patch_size;
  c.drop_path = drop_path;
  return std::make_shared<VisionTransformer>(c);
}

}  // namespace

std::shared_ptr<VisionTransformer> vit_b_16(int64_t num_classes, int64_t in_channels, int64_t image_size,
                                            int64_t patch_size) {
  return build("vit_b_16", num_classes, in_channels, image_size, patch_size);
}

std::shared_ptr<VisionTransformer> vit_b_32(int64_t num_classes, int64_t in_channels, int64_t image_size,
                                            int64_t patch_size) {
  return build("vit_b_32", num_classes, in_channels, image_size, patch_size);
}

std::shared_ptr<VisionTransformer> vit_l_16(int64_t num_classes, int64_t in_channels, int64_t image_size,
                                            int64_t patch_size) {
  return build("vit_l_16", num_classes, in_channels, image_size, patch_size);
}

std::shared_ptr<VisionTransformer> vit_small(int64_t num_classes, int64_t in_channels, int64_t image_size,
                                             int64_t patch_size, double drop_path) {
  return build("vit_small", num_classes, in_channels, image_size, patch_size, drop_path);
}

// ---- registry ----------------------------------------------------------------------------------
// vit_b_32 and vit_l_16 are factories only: every registered model is built and run by the
// registry's tests, and ViT-L's 304 M parameters (1.2 GB) would dominate them.

namespace {

ModelEntry vit_entry(const std::string& model, const std::string& help) {
  return make_entry<ViTOptions>(model, help, [model](const DataShape& s, const ViTOptions& o) {
    const bool small = use_small_stem(o.stem, s, model);
    const int64_t C = image_channels(s, model);
    NABLA_CHECK(s.input_shape[1] == s.input_shape[2], "models::create: ", model, " needs square images, got ",
                s.input_shape[1], "x", s.input_shape[2]);
    NABLA_CHECK(o.patch_size >= 0, "models::create: ", model, " option 'patch_size' must be 0 (the stem's) or positive, got ",
                o.patch_size);
    ViTConfig c = published(model);
    c.patch_size = o.patch_size > 0 ? o.patch_size : small ? 4 : c.patch_size;
    c.image_size = s.input_shape[1];
    c.in_channels = C;
    c.num_classes = s.num_classes;
    c.dropout = o.dropout;
    c.attention_dropout = o.attention_dropout;
    c.drop_path = o.drop_path;
    return std::make_shared<VisionTransformer>(c);
  });
}

}  // namespace

std::vector<ModelEntry> vit_entries() {
  return {
      vit_entry("vit_b_16", "ViT-B/16 (torchvision): patches of 16, 12 layers, hidden 768"),
      vit_entry("vit_small", "small ViT for 28x28/32x32: patches of 4, 6 layers, 4 heads, hidden 128, MLP 256"),
  };
}

}  // namespace nabla::models
