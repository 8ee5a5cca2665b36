#pragma once
// The operator table of ONNX import: one function per ONNX operator, from the node's input
// tensors to its outputs, written with nabla's ops so that gradients flow through them.
#include <cstdint>
#include <string>
#include <vector>

#include "model_proto.h"
#include "nabla/tensor.h"

namespace nabla::onnx {

/// One call of a node: its attributes, its input tensors (undefined for an absent optional input)
/// and the context (opset, training mode). Ops raise Error with the problem only; the caller adds
/// the file and the node.
struct OpCall {
  const ProtoNode& node;
  std::vector<Tensor> in;
  int64_t opset = 0;
  bool training = false;

  /// Input `i`, which must be present.
  const Tensor& input(size_t i) const;
  /// Whether input `i` is present.
  bool has(size_t i) const { return i < in.size() && in[i].defined(); }
  /// The attribute `name`, or nullptr.
  const ProtoAttribute* attr(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  float attr_float(const std::string& name, float fallback) const;
  /// The float attribute `name` as the shortest decimal that reads back as that float
  /// (0.001f → 0.001): ONNX stores an epsilon as float, and this gives back the double a
  /// normalisation layer was built with, so that nabla → ONNX → nabla keeps its arithmetic.
  double attr_decimal(const std::string& name, float fallback) const;
  std::string attr_str(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  /// Whether output `i` is requested (listed with a non-empty name).
  bool wants_output(size_t i) const { return i < node.outputs.size() && !node.outputs[i].empty(); }
};

/// An operator: the node's outputs, in order (fewer than listed when optional ones are not made).
using OpFn = std::vector<Tensor> (*)(const OpCall&);

/// The function of operator `op` (default domain), or nullptr when import does not support it.
OpFn find_op(const std::string& op);
/// The supported operator names, sorted.
std::vector<std::string> op_names();

}  // namespace nabla::onnx
