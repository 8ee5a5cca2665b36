#pragma once
// The parts of an ONNX ModelProto that import reads (onnx.proto, ONNX 1.12): the opset, the main
// graph's nodes with their attributes, initializers as tensors, graph inputs and outputs. Parsed
// with ProtoReader; every problem raises Error naming the file and the message being read.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::onnx {

/// A node attribute (AttributeProto); `type` is its AttributeType (1 float, 2 int, 3 string,
/// 4 tensor, 6 floats, 7 ints, 8 strings, 5 graph — graphs are recorded but not read).
struct ProtoAttribute {
  std::string name;
  int64_t type = 0;
  float f = 0.0f;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

/// A node (NodeProto): op_type, optional name and domain, input and output value names ("" for
/// an absent optional input).
struct ProtoNode {
  std::string op, name, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<ProtoAttribute> attrs;
};

/// A graph input or output (ValueInfoProto): element type and dims, -1 for a symbolic dimension
/// (its name in `dim_names`, "" for a fixed one); `has_shape` false when the shape is not given.
struct ProtoValueInfo {
  std::string name;
  int64_t elem_type = 0;
  bool has_shape = false;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_names;
};

/// The model: the default-domain opset, producer, and the main graph.
struct ProtoModel {
  int64_t ir_version = 0, opset = 0;
  std::string producer;
  std::map<std::string, std::string> metadata;  // metadata_props
  std::vector<ProtoNode> nodes;
  std::vector<std::pair<std::string, Tensor>> initializers;
  std::vector<ProtoValueInfo> inputs, outputs;
};

/// Parses a serialized ModelProto; `file` names it in errors.
ProtoModel parse_model(std::string_view bytes, const std::string& file);

/// Parses a TensorProto into a tensor of the matching nabla dtype (float32/64, float16, bfloat16,
/// int64, int32 (also int8/int16/uint16), uint8, bool); `what` names it in errors.
Tensor parse_tensor(std::string_view bytes, const std::string& what, std::string* name = nullptr);

/// The nabla dtype of ONNX element type `elem_type`; raises Error naming `what` when there is none.
DType dtype_of_onnx(int64_t elem_type, const std::string& what);

}  // namespace nabla::onnx
