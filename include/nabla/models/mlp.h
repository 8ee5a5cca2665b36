#pragma once
// Multilayer perceptron: flatten, then Linear + ReLU between the given layer sizes.
#include <cstdint>
#include <memory>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::models {

/// An MLP over flattened inputs: sizes = {in, hidden…, out}, e.g. mlp({784, 256, 10}) is
/// Flatten, Linear(784, 256), ReLU, Linear(256, 10). Needs at least two sizes, all positive.
/// Dropout with probability `dropout` follows every hidden ReLU when dropout > 0.
std::shared_ptr<nn::Sequential> mlp(const std::vector<int64_t>& sizes, double dropout = 0.0);

}  // namespace nabla::models
