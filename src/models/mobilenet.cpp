// MobileNet v1/v2/v3: the blocks, the networks and their factories (registry lines in
// mobilenet_registry.cpp). Structure, names and initialisation follow torchvision 0.14.
#include "nabla/models/mobilenet.h"

#include <cmath>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "cnn_util.h"

namespace nabla::models {
namespace {

std::shared_ptr<nn::UnaryModule> make_activation(const std::string& name) {
  if (name == "relu") return std::make_shared<nn::ReLU>();
  if (name == "relu6") return std::make_shared<nn::ReLU6>();
  if (name == "hardswish") return std::make_shared<nn::Hardswish>();
  if (name == "hardsigmoid") return std::make_shared<nn::Hardsigmoid>();
  if (name == "sigmoid") return std::make_shared<nn::Sigmoid>();
  throw Error("models::mobilenet: unknown activation '" + name +
              "' (expected relu, relu6, hardswish, hardsigmoid, sigmoid or none)");
}

// torchvision's MobileNet initialisation: conv weights kaiming_normal_(fan_out), conv biases 0,
// BatchNorm weight 1 and bias 0, Linear weights N(0, 0.01²) and biases 0.
void init_mobilenet(nn::Module& model) {
  NoGradGuard no_grad;
  for (auto& [name, m] : model.named_modules()) {
    if (auto* conv = dynamic_cast<nn::ConvNd*>(m.get())) {
      nn::init::kaiming_normal_(conv->weight, 0.0, "fan_out");
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    } else if (auto* norm = dynamic_cast<nn::NormBase*>(m.get())) {
      nn::init::ones_(norm->weight);
      nn::init::zeros_(norm->bias);
    } else if (auto* linear = dynamic_cast<nn::Linear*>(m.get())) {
      nn::init::normal_(linear->weight, 0.0, 0.01);
      nn::init::zeros_(linear->bias);
    }
  }
}

void check_common(const char* model, int64_t num_classes, int64_t in_channels, double width_mult, double dropout) {
  NABLA_CHECK(num_classes > 0, "models::", model, ": num_classes must be positive, got ", num_classes);
  NABLA_CHECK(in_channels > 0, "models::", model, ": in_channels must be positive, got ", in_channels);
  NABLA_CHECK(width_mult > 0, "models::", model, ": width_mult must be positive, got ", width_mult);
  NABLA_CHECK(dropout >= 0 && dropout <= 1, "models::", model, ": dropout must be in [0, 1], got ", dropout);
}

}  // namespace

int64_t make_divisible(double v, int64_t divisor, std::optional<int64_t> min_value) {
  const int64_t lo = min_value.value_or(divisor);
  int64_t out = std::max(lo, static_cast<int64_t>(v + static_cast<double>(divisor) / 2) / divisor * divisor);
  if (static_cast<double>(out) < 0.9 * v) out += divisor;
  return out;
}

std::shared_ptr<nn::ConvNormActivation> conv_norm_activation(int64_t in_channels, int64_t out_channels,
                                                             int64_t kernel_size, int64_t stride, int64_t groups,
                                                             const std::string& activation, double eps, double momentum,
                                                             int64_t dilation) {
  auto seq = std::make_shared<nn::ConvNormActivation>();
  const int64_t padding = (kernel_size - 1) / 2 * dilation;
  seq->push_back(std::make_shared<nn::Conv2d>(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                                              /*bias=*/false));
  seq->push_back(std::make_shared<nn::BatchNorm2d>(out_channels, eps, momentum));
  if (activation != "none") seq->push_back(make_activation(activation));
  return seq;
}

// ---- blocks ---------------------------------------------------------------------------------------

DepthwiseSeparableConv::DepthwiseSeparableConv(int64_t in_channels, int64_t out_channels, int64_t stride) {
  NABLA_CHECK(stride == 1 || stride == 2, "DepthwiseSeparableConv: stride must be 1 or 2, got ", stride);
  depthwise = register_module("depthwise", conv_norm_activation(in_channels, in_channels, 3, stride, in_channels, "relu"));
  pointwise = register_module("pointwise", conv_norm_activation(in_channels, out_channels, 1, 1, 1, "relu"));
}

bool DepthwiseSeparableConv::append_links(std::vector<nn::ConvBatchNormStep>& steps, int input) const {
  auto* dw = dynamic_cast<nn::ConvNormActivation*>(depthwise.get());
  auto* pw = dynamic_cast<nn::ConvNormActivation*>(pointwise.get());
  auto first = dw ? dw->as_step() : std::nullopt;
  auto second = pw ? pw->as_step() : std::nullopt;
  if (has_forward_hooks() || !first || !second) return false;
  first->input = input;
  steps.push_back(*first);
  steps.push_back(*second);
  return true;
}

Tensor DepthwiseSeparableConv::forward(const Tensor& x) {
  std::vector<nn::ConvBatchNormStep> steps;
  if (append_links(steps, 0)) return nn::conv_batch_norm_chain(steps, x);
  return (*pointwise)((*depthwise)(x));
}

InvertedResidual::InvertedResidual(int64_t in_channels, int64_t out_channels, int64_t stride, int64_t expand_ratio) {
  NABLA_CHECK(stride == 1 || stride == 2, "InvertedResidual: stride must be 1 or 2, got ", stride);
  NABLA_CHECK(expand_ratio >= 1, "InvertedResidual: expand_ratio must be at least 1, got ", expand_ratio);
  const int64_t hidden = in_channels * expand_ratio;
  use_res_connect = stride == 1 && in_channels == out_channels;
  conv = std::make_shared<nn::Sequential>();
  if (expand_ratio != 1) conv->push_back(conv_norm_activation(in_channels, hidden, 1, 1, 1, "relu6"));
  conv->push_back(conv_norm_activation(hidden, hidden, 3, stride, hidden, "relu6"));
  conv->push_back(std::make_shared<nn::Conv2d>(hidden, out_channels, 1, 1, 0, 1, 1, /*bias=*/false));
  conv->push_back(std::make_shared<nn::BatchNorm2d>(out_channels));
  register_module("conv", conv);
}

bool InvertedResidual::append_links(std::vector<nn::ConvBatchNormStep>& steps, int input) const {
  if (has_forward_hooks() || conv->has_forward_hooks()) return false;
  std::vector<nn::ConvBatchNormStep> mine;
  const size_t n = conv->size();
  for (size_t i = 0; i + 2 < n; ++i) {
    auto* child = dynamic_cast<nn::ConvNormActivation*>((*conv)[i].get());
    auto step = child ? child->as_step() : std::nullopt;
    if (!step) return false;
    mine.push_back(*step);
  }
  auto* project = dynamic_cast<nn::ConvNd*>((*conv)[n - 2].get());
  auto* bn = dynamic_cast<nn::BatchNormBase*>((*conv)[n - 1].get());
  if (!project || !bn) return false;
  mine.push_back({project, bn, nullptr});
  mine.front().input = input;
  if (use_res_connect) mine.back().add = input;
  steps.insert(steps.end(), mine.begin(), mine.end());
  return true;
}

Tensor InvertedResidual::forward(const Tensor& x) {
  // Expansion, depthwise convolution and projection (the last convolution and BatchNorm of
  // `conv`) with the input added: one chain of folded convolutions at inference. Run as a
  // Sequential when the chain does not fold (training, hooks: nn::summary's rows).
  std::vector<nn::ConvBatchNormStep> steps;
  if (append_links(steps, 0) && nn::conv_batch_norm_chain_folds(steps, x, Tensor()))
    return nn::conv_batch_norm_chain(steps, x);
  return use_res_connect ? x + (*conv)(x) : (*conv)(x);
}

SqueezeExcitation::SqueezeExcitation(int64_t input_channels, int64_t squeeze_channels,
                                     const std::string& scale_activation_name) {
  NABLA_CHECK(scale_activation_name == "hardsigmoid" || scale_activation_name == "sigmoid",
              "SqueezeExcitation: scale_activation must be 'hardsigmoid' or 'sigmoid', got '", scale_activation_name, "'");
  avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1));
  fc1 = register_module("fc1", std::make_shared<nn::Conv2d>(input_channels, squeeze_channels, 1));
  fc2 = register_module("fc2", std::make_shared<nn::Conv2d>(squeeze_channels, input_channels, 1));
  activation = register_module("activation", std::make_shared<nn::ReLU>());
  scale_activation = register_module("scale_activation", make_activation(scale_activation_name));
}

Tensor SqueezeExcitation::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4, "SqueezeExcitation: expected input of shape (N, C, H, W), got ", x.shape());
  const Tensor scale = (*scale_activation)((*fc2)((*activation)((*fc1)((*avgpool)(x)))));
  return scale * x;
}

InvertedResidualConfig::InvertedResidualConfig(int64_t input_channels, int64_t kernel, int64_t expanded_channels,
                                               int64_t out_channels, bool use_se, const std::string& activation,
                                               int64_t stride, int64_t dilation, double width_mult)
    : input_channels(make_divisible(static_cast<double>(input_channels) * width_mult, 8)),
      kernel(kernel),
      expanded_channels(make_divisible(static_cast<double>(expanded_channels) * width_mult, 8)),
      out_channels(make_divisible(static_cast<double>(out_channels) * width_mult, 8)),
      use_se(use_se),
      use_hs(activation == "HS"),
      stride(stride),
      dilation(dilation) {
  NABLA_CHECK(activation == "HS" || activation == "RE", "InvertedResidualConfig: activation must be 'HS' or 'RE', got '",
              activation, "'");
}

InvertedResidualV3::InvertedResidualV3(const InvertedResidualConfig& c) {
  NABLA_CHECK(c.stride == 1 || c.stride == 2, "InvertedResidual (v3): stride must be 1 or 2, got ", c.stride);
  use_res_connect = c.stride == 1 && c.input_channels == c.out_channels;
  const std::string act = c.use_hs ? "hardswish" : "relu";
  const double eps = 1e-3, momentum = 0.01;
  block = std::make_shared<nn::Sequential>();
  if (c.expanded_channels != c.input_channels)
    block->push_back(conv_norm_activation(c.input_channels, c.expanded_channels, 1, 1, 1, act, eps, momentum));
  const int64_t stride = c.dilation > 1 ? 1 : c.stride;
  block->push_back(conv_norm_activation(c.expanded_channels, c.expanded_channels, c.kernel, stride, c.expanded_channels,
                                        act, eps, momentum, c.dilation));
  if (c.use_se)
    block->push_back(std::make_shared<SqueezeExcitation>(c.expanded_channels, make_divisible(c.expanded_channels / 4, 8),
                                                         "hardsigmoid"));
  block->push_back(conv_norm_activation(c.expanded_channels, c.out_channels, 1, 1, 1, "none", eps, momentum));
  register_module("block", block);
}

Tensor InvertedResidualV3::forward(const Tensor& x) {
  Tensor y = (*block)(x);
  return use_res_connect ? y + x : y;
}

// ---- networks -------------------------------------------------------------------------------------

MobileNetV1::MobileNetV1(int64_t num_classes, int64_t in_channels, bool small_input, double width_mult,
                         double dropout) {
  check_common("mobilenet_v1", num_classes, in_channels, width_mult, dropout);
  // (output channels, stride) of the 13 depthwise-separable blocks (Howard et al., Table 1).
  const int64_t table[13][2] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
                                {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  auto width = [width_mult](int64_t c) { return make_divisible(static_cast<double>(c) * width_mult, 8); };
  features = std::make_shared<nn::Sequential>();
  int64_t channels = width(32);
  features->push_back(conv_norm_activation(in_channels, channels, 3, small_input ? 1 : 2, 1, "relu"));
  bool first_strided = true;
  for (const auto& row : table) {
    int64_t stride = row[1];
    if (stride == 2 && first_strided) {
      first_strided = false;
      if (small_input) stride = 1;
    }
    features->push_back(std::make_shared<DepthwiseSeparableConv>(channels, width(row[0]), stride));
    channels = width(row[0]);
  }
  register_module("features", features);
  classifier = std::make_shared<nn::Sequential>();
  classifier->push_back(std::make_shared<nn::Dropout>(dropout));
  classifier->push_back(std::make_shared<nn::Linear>(channels, num_classes));
  register_module("classifier", classifier);
  init_mobilenet(*this);
}

Tensor MobileNetV1::forward(const Tensor& x) {
  return (*classifier)(detail::global_average(nn::run_chained(*features, x)));
}

MobileNetV2::MobileNetV2(int64_t num_classes, int64_t in_channels, bool small_input, double width_mult,
                         double dropout) {
  check_common("mobilenet_v2", num_classes, in_channels, width_mult, dropout);
  // t (expansion), c (channels), n (repeats), s (stride of the first) — Sandler et al., Table 2.
  const int64_t table[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                               {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int64_t channels = make_divisible(32 * width_mult, 8);
  const int64_t last_channel = make_divisible(1280 * std::max(1.0, width_mult), 8);
  features = std::make_shared<nn::Sequential>();
  features->push_back(conv_norm_activation(in_channels, channels, 3, small_input ? 1 : 2, 1, "relu6"));
  bool first_strided = true;
  for (const auto& row : table) {
    const int64_t out = make_divisible(static_cast<double>(row[1]) * width_mult, 8);
    for (int64_t i = 0; i < row[2]; ++i) {
      int64_t stride = i == 0 ? row[3] : 1;
      if (stride == 2 && first_strided) {
        first_strided = false;
        if (small_input) stride = 1;
      }
      features->push_back(std::make_shared<InvertedResidual>(channels, out, stride, row[0]));
      channels = out;
    }
  }
  features->push_back(conv_norm_activation(channels, last_channel, 1, 1, 1, "relu6"));
  register_module("features", features);
  classifier = std::make_shared<nn::Sequential>();
  classifier->push_back(std::make_shared<nn::Dropout>(dropout));
  classifier->push_back(std::make_shared<nn::Linear>(last_channel, num_classes));
  register_module("classifier", classifier);
  init_mobilenet(*this);
}

Tensor MobileNetV2::forward(const Tensor& x) {
  return (*classifier)(detail::global_average(nn::run_chained(*features, x)));
}

MobileNetV3::MobileNetV3(const std::vector<InvertedResidualConfig>& settings, int64_t last_channel, int64_t num_classes,
                         int64_t in_channels, bool small_input, double dropout) {
  check_common("mobilenet_v3", num_classes, in_channels, 1.0, dropout);
  NABLA_CHECK(!settings.empty(), "models::mobilenet_v3: the inverted residual settings must not be empty");
  const double eps = 1e-3, momentum = 0.01;
  features = std::make_shared<nn::Sequential>();
  features->push_back(conv_norm_activation(in_channels, settings.front().input_channels, 3, small_input ? 1 : 2, 1,
                                           "hardswish", eps, momentum));
  bool first_strided = true;
  for (InvertedResidualConfig c : settings) {
    if (c.stride == 2 && first_strided) {
      first_strided = false;
      if (small_input) c.stride = 1;
    }
    features->push_back(std::make_shared<InvertedResidualV3>(c));
  }
  const int64_t last_in = settings.back().out_channels, last_out = 6 * last_in;
  features->push_back(conv_norm_activation(last_in, last_out, 1, 1, 1, "hardswish", eps, momentum));
  register_module("features", features);
  avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1));
  classifier = std::make_shared<nn::Sequential>();
  classifier->push_back(std::make_shared<nn::Linear>(last_out, last_channel));
  classifier->push_back(std::make_shared<nn::Hardswish>());
  classifier->push_back(std::make_shared<nn::Dropout>(dropout));
  classifier->push_back(std::make_shared<nn::Linear>(last_channel, num_classes));
  register_module("classifier", classifier);
  init_mobilenet(*this);
}

Tensor MobileNetV3::forward(const Tensor& x) { return (*classifier)((*avgpool)((*features)(x)).flatten(1)); }

// ---- factories ------------------------------------------------------------------------------------

std::shared_ptr<MobileNetV1> mobilenet_v1(int64_t num_classes, int64_t in_channels, bool small_input,
                                          double width_mult, double dropout) {
  return std::make_shared<MobileNetV1>(num_classes, in_channels, small_input, width_mult, dropout);
}

std::shared_ptr<MobileNetV2> mobilenet_v2(int64_t num_classes, int64_t in_channels, bool small_input,
                                          double width_mult, double dropout) {
  return std::make_shared<MobileNetV2>(num_classes, in_channels, small_input, width_mult, dropout);
}

std::shared_ptr<MobileNetV3> mobilenet_v3_small(int64_t num_classes, int64_t in_channels, bool small_input,
                                                double width_mult, double dropout) {
  NABLA_CHECK(width_mult > 0, "models::mobilenet_v3_small: width_mult must be positive, got ", width_mult);
  auto c = [width_mult](int64_t in, int64_t k, int64_t exp, int64_t out, bool se, const char* act, int64_t s) {
    return InvertedResidualConfig(in, k, exp, out, se, act, s, 1, width_mult);
  };
  // torchvision's _mobilenet_v3_conf("mobilenet_v3_small") (Howard et al. 2019, Table 2).
  const std::vector<InvertedResidualConfig> settings = {
      c(16, 3, 16, 16, true, "RE", 2),   c(16, 3, 72, 24, false, "RE", 2), c(24, 3, 88, 24, false, "RE", 1),
      c(24, 5, 96, 40, true, "HS", 2),   c(40, 5, 240, 40, true, "HS", 1), c(40, 5, 240, 40, true, "HS", 1),
      c(40, 5, 120, 48, true, "HS", 1),  c(48, 5, 144, 48, true, "HS", 1), c(48, 5, 288, 96, true, "HS", 2),
      c(96, 5, 576, 96, true, "HS", 1),  c(96, 5, 576, 96, true, "HS", 1)};
  const int64_t last_channel = make_divisible(1024 * width_mult, 8);
  return std::make_shared<MobileNetV3>(settings, last_channel, num_classes, in_channels, small_input, dropout);
}

std::shared_ptr<MobileNetV3> mobilenet_v3_large(int64_t num_classes, int64_t in_channels, bool small_input,
                                                double width_mult, double dropout) {
  NABLA_CHECK(width_mult > 0, "models::mobilenet_v3_large: width_mult must be positive, got ", width_mult);
  auto c = [width_mult](int64_t in, int64_t k, int64_t exp, int64_t out, bool se, const char* act, int64_t s) {
    return InvertedResidualConfig(in, k, exp, out, se, act, s, 1, width_mult);
  };
  // torchvision's _mobilenet_v3_conf("mobilenet_v3_large") (Howard et al. 2019, Table 1).
  const std::vector<InvertedResidualConfig> settings = {
      c(16, 3, 16, 16, false, "RE", 1),   c(16, 3, 64, 24, false, "RE", 2),   c(24, 3, 72, 24, false, "RE", 1),
      c(24, 5, 72, 40, true, "RE", 2),    c(40, 5, 120, 40, true, "RE", 1),   c(40, 5, 120, 40, true, "RE", 1),
      c(40, 3, 240, 80, false, "HS", 2),  c(80, 3, 200, 80, false, "HS", 1),  c(80, 3, 184, 80, false, "HS", 1),
      c(80, 3, 184, 80, false, "HS", 1),  c(80, 3, 480, 112, true, "HS", 1),  c(112, 3, 672, 112, true, "HS", 1),
      c(112, 5, 672, 160, true, "HS", 2), c(160, 5, 960, 160, true, "HS", 1), c(160, 5, 960, 160, true, "HS", 1)};
  const int64_t last_channel = make_divisible(1280 * width_mult, 8);
  return std::make_shared<MobileNetV3>(settings, last_channel, num_classes, in_channels, small_input, dropout);
}

}  // namespace nabla::models
