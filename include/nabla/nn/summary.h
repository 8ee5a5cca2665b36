#pragma once
// nn::summary — a per-layer table of a model (torchinfo's summary): output shapes, parameter
// counts, multiply-adds and receptive fields, found by running one forward pass.
//   auto net = std::make_shared<nn::Sequential>(...);
//   std::cout << nn::summary(*net, {1, 28, 28}).to_string();
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nabla/dtype.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

/// What a layer can tell nn::summary beyond its output shape. Convolutions, pooling and Linear
/// implement it next to their Module base; summary finds it by dynamic_cast, and a module without
/// it has no window and counts 0 multiply-adds.
class SummaryGeometry {
 public:
  virtual ~SummaryGeometry() = default;

  /// Sliding-window geometry, one value per spatial dim, for receptive-field bookkeeping.
  struct SpatialGeometry {
    IntList kernel, stride, padding, dilation;
  };
  /// Window geometry of layers that slide over space (convolutions, pooling); empty otherwise
  /// (a transposed convolution upsamples, which a window cannot describe).
  virtual std::optional<SpatialGeometry> spatial_geometry() const { return std::nullopt; }
  /// Multiply-adds of one forward pass for these input/output shapes, counting products with
  /// weights and additions of biases (torchinfo's convention); 0 for layers without weights.
  virtual int64_t multiply_adds(const Shape& /*input*/, const Shape& /*output*/) const { return 0; }
};

/// One call of a leaf module (a module without children) during the summary's forward pass.
struct SummaryRow {
  std::string name;          ///< qualified name as named_modules gives it ("features.0")
  std::string type;          ///< class name ("Conv2d")
  Shape output_shape;        ///< including the batch dim (1)
  int64_t params = 0;        ///< parameter elements of the module
  int64_t trainable_params = 0;
  int64_t multiply_adds = 0; ///< SummaryGeometry::multiply_adds for this call (0 without it)
  /// Receptive field and cumulative stride ("jump") per spatial dim after this layer, in input
  /// pixels; empty where not tracked (non-spatial output, or after an upsampling layer).
  IntList receptive_field, jump;
};

/// What nn::summary returns: one row per leaf-module call, in call order, and the totals.
struct ModelSummary {
  Shape input_shape;              ///< with the batch dim
  std::vector<SummaryRow> rows;
  int64_t total_params = 0;       ///< model.num_parameters() (shared parameters counted once)
  int64_t trainable_params = 0;
  int64_t total_multiply_adds = 0;
  int64_t param_bytes = 0;        ///< memory of all parameters
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;       ///< sum of every row's output tensor size (forward activations)
  /// An aligned text table with a header, one line per row and the totals underneath.
  std::string to_string() const;
};

/// Summarises `model` by running it once, under NoGradGuard and in eval mode (the modes are
/// restored afterwards), on zeros of shape {1} + input_shape and `dtype`; `input_shape` is one
/// sample without the batch dim, e.g. {1, 28, 28}. Every leaf module gets a row per call.
/// Conventions:
///  - multiply-adds count products with weights plus bias additions (torchinfo's convention: a
///    conv's count equals its connections); pooling, activations and normalisation count 0.
///  - receptive field per spatial dim follows the call order: R ← R + (k − 1)·d·J, J ← J·s for
///    every layer with a window (convolutions, pooling), starting at R = J = 1. In a branching
///    graph (residual, Inception) this treats the branches as one chain: an approximation.
///    A layer without a window that changes the spatial size (transposed conv, upsampling,
///    adaptive pooling) stops the tracking.
/// A leaf module with several inputs or outputs (called inside a custom module) gets a row for its
/// first input and output.
/// Errors of the forward pass (e.g. an input of the wrong rank or channel count) propagate
/// unchanged; an input_shape with a non-positive size raises Error.
ModelSummary summary(UnaryModule& model, const Shape& input_shape, DType dtype = DType::Float32);

}  // namespace nabla::nn
