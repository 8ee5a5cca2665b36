#pragma once
// LeNet-5-style convolutional network for 28×28 inputs (MNIST, Fashion-MNIST).
#include <cstdint>
#include <memory>

#include "nabla/nn/module.h"

namespace nabla::models {

/// LeNet-5 for (N, in_channels, 28, 28) inputs:
///   conv 5×5 pad 2 → 6, [BatchNorm2d], ReLU, maxpool 2   (6×14×14)
///   conv 5×5 → 16, [BatchNorm2d], ReLU, maxpool 2        (16×5×5)
///   flatten, linear 400 → 120, ReLU, 120 → 84, ReLU, 84 → num_classes.
/// Without BatchNorm and with one input channel and 10 classes it has 61 706 parameters.
/// Returns a Sequential named "features.*" / "classifier.*" in its state dict.
std::shared_ptr<nn::Sequential> lenet5(int64_t num_classes = 10, int64_t in_channels = 1, bool batch_norm = false);

}  // namespace nabla::models
