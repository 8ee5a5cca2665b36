#pragma once
// Shared by the ONNX tests: a temporary folder per test, the relative error of two outputs, and
// models perturbed so that every exported or imported node matters.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "nabla/autograd.h"
#include "nabla/models/registry.h"
#include "nabla/models/sequence_classifier.h"
#include "nabla/nn.h"
#include "nabla/nn/init.h"
#include "nabla/nn/module.h"
#include "nabla/ops.h"
#include "nabla/tensor.h"

namespace nabla::onnx {

// A fresh folder for one test's files.
inline std::string temp_folder(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nabla_onnx_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// max |a − b| / max |b|: the error relative to the output's scale.
inline double relative_error(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() != b.shape()) return INFINITY;
  const Tensor x = a.contiguous(), y = b.contiguous();
  const float* p = x.data_ptr<float>();
  const float* q = y.data_ptr<float>();
  double diff = 0, scale = 1e-12;
  for (int64_t i = 0; i < x.numel(); ++i) {
    diff = std::max(diff, static_cast<double>(std::fabs(p[i] - q[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(q[i])));
  }
  return diff / scale;
}

// max |a − b|: the absolute error (INFINITY, and a failure, when the shapes differ).
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() != b.shape()) return INFINITY;
  return nabla::max(abs(sub(a, b))).item<double>();
}

// Every parameter of `model` drawn wide, N(0, 0.3), and the LayerNorm scales (parameters whose name
// contains `norm_marker` and ends with "weight") N(1, 0.1), so that attention is far from uniform
// and a wrong mask, position or layout shows.
inline void draw_wide(nn::Module& model, const std::string& norm_marker = "norm") {
  NoGradGuard no_grad;
  for (auto& [name, p] : model.named_parameters()) {
    const bool norm_scale = name.find(norm_marker) != std::string::npos && name.ends_with("weight");
    nn::init::normal_(p, norm_scale ? 1.0 : 0.0, norm_scale ? 0.1 : 0.3);
  }
}

// Running statistics away from 0 and 1, so that exported BatchNormalization nodes are exercised,
// and parameters that start at zero (ViT's head, biases) drawn small, so that they matter too.
inline void perturb_batch_norm(nn::Module& model, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> mean(-0.2f, 0.2f), var(0.5f, 1.5f);
  std::normal_distribution<float> small(0.0f, 0.05f);
  NoGradGuard no_grad;
  for (auto& [name, t] : model.named_parameters()) {
    float* p = t.data_ptr<float>();
    bool zero = true;
    for (int64_t i = 0; i < t.numel() && zero; ++i) zero = p[i] == 0.0f;
    if (zero)
      for (int64_t i = 0; i < t.numel(); ++i) p[i] = small(rng);
  }
  for (auto& [name, t] : model.named_buffers()) {
    const bool is_mean = name.ends_with("running_mean"), is_var = name.ends_with("running_var");
    if (!is_mean && !is_var) continue;
    float* p = t.data_ptr<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = is_mean ? mean(rng) : var(rng);
  }
}

// Whether NABLA_ONNX_ALL_MODELS=1 asks for the models above 40 M parameters too (left out by
// default for time).
inline bool all_models() {
  const char* v = std::getenv("NABLA_ONNX_ALL_MODELS");
  return v && std::string(v) == "1";
}

// The registry model `name` at a small configuration, 10 classes and input 3×32×32, or 1×28×28
// for models that need it (its input shape in `input`); null when it takes neither.
inline std::shared_ptr<nn::UnaryModule> small_zoo_model(const std::string& name, Shape& input) {
  for (const Shape& s : {Shape{3, 32, 32}, Shape{1, 28, 28}}) {
    try {
      auto model = models::create(name, {10, s});
      input = s;
      return model;
    } catch (const Error&) {
    }
  }
  return nullptr;
}

// Stacks of layers exported (and imported) in one model each; inputs in the comments.
// Input (2, 3, 21, 21): dilated and grouped convolutions, ceil-mode pools, Upsample, LayerNorm, GELU, ….
inline std::shared_ptr<nn::Sequential> layers_stack() {
  return std::make_shared<nn::Sequential>(nn::Conv2d(3, 8, 3, 2, 1, 2), nn::BatchNorm2d(8), nn::LeakyReLU(0.1),
                     nn::Conv2d(8, 8, 3, 1, 1, 1, 4), nn::GELU(), nn::Conv2d(8, 8, 3, 1, 0, 1, 1, true), nn::SiLU(),
                     nn::AvgPool2d(3, 2, 1, true, false), nn::Hardswish(),
                     nn::MaxPool2d(nn::MaxPool2dOptions{.kernel_size = 2, .stride = 2, .ceil_mode = true}),
                     nn::Upsample({.scale_factor = {2.0}, .mode = "nearest"}), nn::Tanh(), nn::AdaptiveAvgPool2d(2),
                     nn::Hardsigmoid(), nn::Flatten(), nn::Linear(32, 16), nn::GELU("tanh"), nn::LayerNorm({16}),
                     nn::ReLU6(), nn::Dropout(0.3), nn::Linear(16, 5), nn::Sigmoid(), nn::Softmax(1));
}

// Input (2, 4, 10, 10): ConvTranspose2d, PixelShuffle, "same" padding, LRN, bilinear Upsample, ….
inline std::shared_ptr<nn::Sequential> more_layers_stack() {
  return std::make_shared<nn::Sequential>(nn::ConvTranspose2d(4, 8, 3, 2, 1, 1), nn::ELU(0.7), nn::PixelShuffle(2),
                     nn::Conv2d(2, 8, 3, 1, std::string("same"), 2), nn::LocalResponseNorm(3),
                     nn::Upsample({.size = {25, 25}, .mode = "bilinear"}), nn::AdaptiveAvgPool2d(7),
                     nn::Hardtanh(-0.5, 0.5), nn::Softplus(2.0), nn::Flatten(2), nn::Linear(49, 6), nn::LogSoftmax(2),
                     nn::Flatten(), nn::BatchNorm1d(48));
}

// Input (2, 3, 9, 9): GroupNorm (affine or not), InstanceNorm with and without running statistics.
inline std::shared_ptr<nn::Sequential> norm_stack() {
  nn::InstanceNorm2d tracked(nn::InstanceNormOptions{.num_features = 6, .affine = true, .track_running_stats = true});
  return std::make_shared<nn::Sequential>(nn::Conv2d(3, 6, 3), nn::GroupNorm(3, 6), nn::ReLU(), nn::InstanceNorm2d(6),
                     nn::Conv2d(6, 6, 1), nn::GroupNorm(2, 6, 1e-3, false), std::move(tracked),
                     nn::InstanceNorm2d(nn::InstanceNormOptions{.num_features = 6, .affine = true}));
}

/// One stack of layers with its input shape.
struct LayerStack {
  std::string name;
  std::shared_ptr<nn::Sequential> net;
  Shape input;
};

/// The three stacks above.
inline std::vector<LayerStack> layer_stacks() {
  return {{"layers", layers_stack(), {2, 3, 21, 21}},
          {"more_layers", more_layers_stack(), {2, 4, 10, 10}},
          {"group_instance_norm", norm_stack(), {2, 3, 9, 9}}};
}

/// Sequence classifiers covering the exported recurrent layers, with their token input
/// (3 rows of 7 ids): LSTM and GRU, one and two layers, one and two directions, both poolings.
struct SequenceCase {
  std::string name;
  std::shared_ptr<models::SequenceClassifier> model;
  Tensor tokens;
};

inline std::vector<SequenceCase> sequence_cases() {
  std::vector<SequenceCase> cases;
  auto add = [&](const std::string& name, const std::string& cell, int64_t layers, bool bidirectional,
                 const std::string& pooling) {
    models::SequenceClassifierOptions o{.vocab_size = 30, .num_classes = 4, .embed_dim = 8, .hidden_size = 12};
    o.cell = cell;
    o.num_layers = layers;
    o.bidirectional = bidirectional;
    o.pooling = pooling;
    auto m = std::make_shared<models::SequenceClassifier>(o);
    m->eval();
    cases.push_back({name, m, randint(1, 30, {3, 7})});
  };
  add("lstm", "lstm", 1, false, "last");
  add("gru_mean", "gru", 1, false, "mean");
  add("lstm_bidirectional_2_layers", "lstm", 2, true, "last");
  add("gru_bidirectional_2_layers_mean", "gru", 2, true, "mean");
  return cases;
}

}  // namespace nabla::onnx
