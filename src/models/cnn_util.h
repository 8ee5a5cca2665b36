#pragma once
// What the convolutional models of nabla::models share inside src/models: global average
// pooling, BatchNorm followed by ReLU in one pass, and torchvision's initialisation of
// convolutions and BatchNorm.
#include <initializer_list>
#include <memory>
#include <vector>

#include "nabla/nn/conv.h"
#include "nabla/nn/functional/pool.h"
#include "nabla/nn/init.h"
#include "nabla/nn/module.h"
#include "nabla/nn/norm.h"

namespace nabla::models::detail {

/// x (N, C, H, W) → (N, C): global average pooling, through the kernel of nn::AdaptiveAvgPool2d(1)
/// — the one an exported GlobalAveragePool node imports to, so that ONNX round trips stay bit for
/// bit (a mean over dims 2 and 3 adds in another order).
inline Tensor global_average(const Tensor& x) { return nn::functional::adaptive_avg_pool2d(x, {1, 1}).flatten(1); }

/// relu(bn(x)): the fused pass of BatchNormBase::forward_relu, or, when either module has forward
/// hooks (nn::summary), the two modules called one after the other so that each gets its row.
inline Tensor bn_relu(nn::BatchNorm2d& bn, nn::UnaryModule& relu, const Tensor& x) {
  if (bn.has_forward_hooks() || relu.has_forward_hooks()) return relu(bn(x));
  return bn.forward_relu(x);
}

/// The blocks of consecutive stages in order, for nn::run_chained: each stage's children, or the
/// stage itself when it has forward hooks of its own (then it must run through operator()).
inline std::vector<nn::UnaryModule*> stage_blocks(std::initializer_list<nn::Sequential*> stages) {
  std::vector<nn::UnaryModule*> blocks;
  for (nn::Sequential* stage : stages) {
    if (stage->has_forward_hooks()) {
      blocks.push_back(stage);
      continue;
    }
    for (size_t i = 0; i < stage->size(); ++i) blocks.push_back((*stage)[i].get());
  }
  return blocks;
}

/// torchvision's ResNet/VGG rule over every module of `model`: Conv2d weights from
/// kaiming_normal_(fan_out, relu) and zero biases; BatchNorm2d weight 1 and bias 0.
inline void init_convs_kaiming(nn::Module& model) {
  model.apply([](nn::Module& m) {
    if (auto* conv = dynamic_cast<nn::Conv2d*>(&m)) {
      nn::init::kaiming_normal_(conv->weight, 0.0, "fan_out", "relu");
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    } else if (auto* bn = dynamic_cast<nn::BatchNorm2d*>(&m)) {
      if (bn->weight.defined()) nn::init::ones_(bn->weight);
      if (bn->bias.defined()) nn::init::zeros_(bn->bias);
    }
  });
}

}  // namespace nabla::models::detail
