#pragma once
// ONNX import: an ONNX graph as an executable nabla module whose weights are parameters, so an
// imported model runs, trains and saves like any other. docs/interop.md lists the operators.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/tensor.h"

namespace nabla::onnx {

struct CompiledGraph;

/// An ONNX graph run node by node with nabla's ops (autograd included). Floating-point
/// initializers of rank ≥ 1 are parameters; BatchNormalization's running statistics are buffers;
/// integer and scalar initializers are constants (buffers left out of the state dict). All keep
/// their initializer names: a dotted name ("layer1.0.conv1.weight") lands under child modules of
/// those names, so the state_dict keys are the initializer names. In training mode,
/// BatchNormalization uses batch statistics and Dropout drops, as the PyTorch layers they came from.
class OnnxModel : public nn::UnaryModule {
 public:
  /// Use load() / load_bytes(): `initializers` are the graph's initial weights, by initializer index.
  OnnxModel(std::shared_ptr<const CompiledGraph> graph, std::vector<Tensor> initializers);
  ~OnnxModel() override;

  std::string name() const override { return "OnnxModel"; }
  std::string extra_repr() const override;

  /// Runs a graph with one input; returns its first output. Raises Error when the input's dtype,
  /// rank or a fixed dimension differs from the graph input's declaration, naming both.
  Tensor forward(const Tensor& input) override;
  /// Runs the graph on every input, in the order of input_names(); returns every output, in the
  /// order of output_names(). Forward hooks are run by the call operators, not here.
  std::vector<Tensor> forward_all(const std::vector<Tensor>& inputs);
  using UnaryModule::operator();
  /// forward_all, then the forward hooks with every input and output.
  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs);

  /// Names of the graph inputs (initializers excluded) and outputs.
  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;
  /// Declared dims of input `i` (-1 for a symbolic one such as the batch); empty when undeclared.
  std::vector<int64_t> input_shape(size_t i) const;
  /// The dtype input `i` declares (float32 when the graph gives none); raises Error naming the
  /// input for an element type nabla has no dtype for.
  DType input_dtype(size_t i) const;
  /// The model's metadata_props value for `key`, or "" when there is none.
  std::string metadata(const std::string& key) const;
  /// The model's default-domain opset and its number of nodes.
  int64_t opset() const;
  int64_t num_nodes() const;

 private:
  std::shared_ptr<const CompiledGraph> graph_;
  std::vector<Tensor> weights_;  // by initializer index: handles of the registered parameters/buffers
};

/// Reads the ONNX model at `path` (the operators listed by supported_operators(), opsets 7 to 18).
/// Raises Error naming the file for an unreadable, truncated or malformed file; every unsupported
/// operator is listed in one Error ("unsupported operators: Foo (2 nodes: a, b), …"); a node that
/// uses an undefined value raises Error naming the node and the value.
std::shared_ptr<OnnxModel> load(const std::string& path);

/// load() from bytes in memory; `name` labels the bytes in errors.
std::shared_ptr<OnnxModel> load_bytes(std::string_view bytes, const std::string& name = "<memory>");

/// Whether the file at `path` looks like an ONNX model (its name ends in .onnx).
bool is_onnx_file(const std::string& path);

/// The ONNX operators that load() accepts, sorted.
std::vector<std::string> supported_operators();

}  // namespace nabla::onnx
