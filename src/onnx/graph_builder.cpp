// GraphBuilder: nodes and initializers of the ONNX graph being exported, and the exporter dispatch.
#include "graph_builder.h"

#include <cstring>

#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::onnx {

namespace {

// onnx.proto field numbers used here (ONNX 1.12).
constexpr uint32_t kNodeInput = 1, kNodeOutput = 2, kNodeName = 3, kNodeOpType = 4, kNodeAttribute = 5;
constexpr uint32_t kAttrName = 1, kAttrF = 2, kAttrI = 3, kAttrS = 4, kAttrFloats = 7, kAttrInts = 8, kAttrType = 20;
constexpr int64_t kAttrTypeFloat = 1, kAttrTypeInt = 2, kAttrTypeString = 3, kAttrTypeFloats = 6, kAttrTypeInts = 7;
constexpr uint32_t kTensorDims = 1, kTensorDataType = 2, kTensorName = 8, kTensorRawData = 9;
constexpr int64_t kFloat = 1, kInt64 = 7;
constexpr uint32_t kGraphNode = 1, kGraphName = 2, kGraphInitializer = 5, kGraphInput = 11, kGraphOutput = 12;

ProtoWriter write_attr(const Attr& a) {
  ProtoWriter w;
  w.bytes_field(kAttrName, a.name);
  if (const auto* i = std::get_if<int64_t>(&a.value)) {
    w.int_field(kAttrI, *i);
    w.int_field(kAttrType, kAttrTypeInt);
  } else if (const auto* f = std::get_if<float>(&a.value)) {
    w.float_field(kAttrF, *f);
    w.int_field(kAttrType, kAttrTypeFloat);
  } else if (const auto* s = std::get_if<std::string>(&a.value)) {
    w.bytes_field(kAttrS, *s);
    w.int_field(kAttrType, kAttrTypeString);
  } else if (const auto* is = std::get_if<std::vector<int64_t>>(&a.value)) {
    w.packed_ints(kAttrInts, *is);
    w.int_field(kAttrType, kAttrTypeInts);
  } else {
    w.packed_floats(kAttrFloats, std::get<std::vector<float>>(a.value));
    w.int_field(kAttrType, kAttrTypeFloats);
  }
  return w;
}

// A TensorProto's fields but raw_data (which follows, written by the caller or write_tensor).
ProtoWriter tensor_head(const std::string& name, int64_t data_type, const Shape& dims) {
  ProtoWriter w;
  for (int64_t d : dims) w.int_field(kTensorDims, d);
  w.int_field(kTensorDataType, data_type);
  w.bytes_field(kTensorName, name);
  return w;
}

ProtoWriter write_tensor(const std::string& name, int64_t data_type, const Shape& dims, const void* data,
                         size_t bytes) {
  ProtoWriter w = tensor_head(name, data_type, dims);
  w.bytes_field(kTensorRawData, data, bytes);  // little-endian, as ONNX's raw_data requires
  return w;
}

}  // namespace

std::string child_path(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

GraphBuilder::GraphBuilder(int64_t opset_, std::map<const nn::Module*, CallShapes> shapes)
    : opset(opset_), shapes_(std::move(shapes)) {}

std::string GraphBuilder::fresh(const std::string& hint) {
  const std::string base = hint.empty() ? "v" : hint;
  const int n = used_names_[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

std::string GraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                               const std::vector<Attr>& attrs) {
  return node_n(op, inputs, 1, hint, attrs)[0];
}

std::vector<std::string> GraphBuilder::node_n(const std::string& op, const std::vector<std::string>& inputs,
                                              size_t outputs, const std::string& hint, const std::vector<Attr>& attrs) {
  Node n{op, fresh((hint.empty() ? "" : hint + "/") + op), inputs, {}, attrs};
  for (size_t i = 0; i < outputs; ++i) n.outputs.push_back(outputs == 1 ? n.name : n.name + ":" + std::to_string(i));
  nodes_.push_back(n);
  return nodes_.back().outputs;
}

std::string GraphBuilder::initializer(const std::string& name, const Tensor& t) {
  if (used_names_.count(name) && used_names_[name] > 0) return name;  // already added (a shared parameter)
  used_names_[name] = 1;
  // Serialisation, like io's writers: the bytes of a contiguous float32 (or int64) copy.
  Tensor c = t.detach();
  if (c.dtype() != DType::Int64) c = c.to(DType::Float32);
  c = c.contiguous();
  const bool ints = c.dtype() == DType::Int64;
  const void* data = ints ? static_cast<const void*>(c.data_ptr<int64_t>()) : c.data_ptr<float>();
  initializers_.push_back({tensor_head(name, ints ? kInt64 : kFloat, c.shape()), c, data,
                           static_cast<size_t>(c.numel()) * c.element_size()});
  return name;
}

std::string GraphBuilder::ints(const std::string& hint, const std::vector<int64_t>& values) {
  const std::string name = fresh(hint);
  initializers_.push_back({write_tensor(name, kInt64, {static_cast<int64_t>(values.size())}, values.data(),
                                        values.size() * sizeof(int64_t)),
                           Tensor(), nullptr, 0});
  return name;
}

std::string GraphBuilder::floats(const std::string& hint, const std::vector<float>& values, const Shape& dims) {
  NABLA_CHECK(shape_numel(dims) == static_cast<int64_t>(values.size()), "onnx export: constant ", hint, " has ",
              values.size(), " values for shape ", shape_str(dims));
  const std::string name = fresh(hint);
  initializers_.push_back(
      {write_tensor(name, kFloat, dims, values.data(), values.size() * sizeof(float)), Tensor(), nullptr, 0});
  return name;
}

std::string GraphBuilder::param(const std::string& path, const std::string& name, const Tensor& t) {
  NABLA_CHECK(t.defined(), "onnx export: ", child_path(path, name), " is not defined");
  return initializer(child_path(path, name), t);
}

const CallShapes& GraphBuilder::shapes(const nn::Module& module, const std::string& path) const {
  auto it = shapes_.find(&module);
  NABLA_CHECK(it != shapes_.end(), "onnx export: ", path.empty() ? "the model" : path, " (", module.name(),
              ") was not called by the example input, so its shapes are unknown");
  return it->second;
}

std::string GraphBuilder::run(nn::Module& module, const std::string& path, const std::string& x) {
  if (auto out = export_zoo(*this, module, path, x)) return *out;
  if (auto out = export_sequence_model(*this, module, path, x)) return *out;
  if (auto out = export_language_model(*this, module, path, x)) return *out;
  if (auto out = export_transformer(*this, module, path, x)) return *out;
  if (auto out = export_layer(*this, module, path, x)) return *out;
  throw Error((path.empty() ? std::string("the model") : path) + " (" + module.name() + ") has no ONNX form");
}

std::string GraphBuilder::run_child(nn::Module& child, const std::string& path, const std::string& name,
                                    const std::string& x) {
  return run(child, child_path(path, name), x);
}

void GraphBuilder::name_output(const std::string& from, const std::string& to) {
  for (auto& n : nodes_) {
    for (auto& o : n.outputs)
      if (o == from) o = to;
    for (auto& i : n.inputs)
      if (i == from) i = to;
  }
}

size_t GraphBuilder::Initializer::size() const {
  if (!data) return head.size();
  return head.size() + ProtoWriter::varint_size((uint64_t{kTensorRawData} << 3) | 2) + ProtoWriter::varint_size(bytes) +
         bytes;
}

void GraphBuilder::write_graph(ProtoWriter& out, uint32_t field, const std::vector<ProtoWriter>& input_infos,
                               const ProtoWriter& output_info) const {
  // The small fields (nodes, name, input, output) are built first; the initializers are sized
  // without copying their weights, which are then appended once, straight into `out`.
  ProtoWriter small;
  for (const Node& n : nodes_) {
    ProtoWriter w;
    for (const auto& i : n.inputs) w.bytes_field(kNodeInput, i);
    for (const auto& o : n.outputs) w.bytes_field(kNodeOutput, o);
    w.bytes_field(kNodeName, n.name);
    w.bytes_field(kNodeOpType, n.op);
    for (const Attr& a : n.attrs) w.message(kNodeAttribute, write_attr(a));
    small.message(kGraphNode, w);
  }
  small.bytes_field(kGraphName, "nabla");
  for (const ProtoWriter& input_info : input_infos) small.message(kGraphInput, input_info);
  small.message(kGraphOutput, output_info);
  size_t total = small.size();
  const size_t init_key = ProtoWriter::varint_size((uint64_t{kGraphInitializer} << 3) | 2);
  for (const auto& t : initializers_) total += init_key + ProtoWriter::varint_size(t.size()) + t.size();
  out.reserve(out.size() + total + 16);
  out.key(field, WireType::LengthDelimited);
  out.varint(total);
  out.raw(small.bytes().data(), small.size());
  for (const auto& t : initializers_) {
    out.key(kGraphInitializer, WireType::LengthDelimited);
    out.varint(t.size());
    out.raw(t.head.bytes().data(), t.head.size());
    if (t.data) {
      out.key(kTensorRawData, WireType::LengthDelimited);  // little-endian, as ONNX's raw_data requires
      out.varint(t.bytes);
      out.raw(t.data, t.bytes);
    }
  }
}

}  // namespace nabla::onnx
