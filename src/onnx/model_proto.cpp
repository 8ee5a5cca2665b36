// ONNX ModelProto reader for import (field numbers from onnx.proto, ONNX 1.12).
#include "model_proto.h"

#include <cstring>
#include <limits>

#include "nabla/error.h"
#include "nabla/onnx/protobuf.h"

namespace nabla::onnx {

namespace {

// ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto / TypeProto / TensorShapeProto fields.
constexpr uint32_t kModelIrVersion = 1, kModelProducerName = 2, kModelGraph = 7, kModelOpsetImport = 8,
                   kModelMetadata = 14, kEntryKey = 1, kEntryValue = 2;
constexpr uint32_t kOpsetDomain = 1, kOpsetVersion = 2;
constexpr uint32_t kGraphNode = 1, kGraphInitializer = 5, kGraphInput = 11, kGraphOutput = 12,
                   kGraphSparseInitializer = 15;
constexpr uint32_t kNodeInput = 1, kNodeOutput = 2, kNodeName = 3, kNodeOpType = 4, kNodeAttribute = 5, kNodeDomain = 7;
constexpr uint32_t kAttrName = 1, kAttrF = 2, kAttrI = 3, kAttrS = 4, kAttrT = 5, kAttrFloats = 7, kAttrInts = 8,
                   kAttrStrings = 9, kAttrType = 20, kAttrRefName = 21;
constexpr uint32_t kTensorDims = 1, kTensorDataType = 2, kTensorFloatData = 4, kTensorInt32Data = 5,
                   kTensorInt64Data = 7, kTensorName = 8, kTensorRawData = 9, kTensorDoubleData = 10,
                   kTensorExternalData = 13, kTensorDataLocation = 14, kTensorSegment = 3;
constexpr uint32_t kValueName = 1, kValueType = 2, kTypeTensor = 1, kTensorTypeElem = 1, kTensorTypeShape = 2;
constexpr uint32_t kShapeDim = 1, kDimValue = 1, kDimParam = 2;

// ONNX TensorProto.DataType values.
constexpr int64_t kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7, kString = 8,
                  kBool = 9, kFloat16 = 10, kDouble = 11, kBfloat16 = 16;

std::string str(std::string_view v) { return std::string(v); }

// Bytes per element as stored in raw_data.
size_t onnx_elem_size(int64_t t) {
  switch (t) {
    case kFloat: case kInt32: return 4;
    case kUint8: case kInt8: case kBool: return 1;
    case kUint16: case kInt16: case kFloat16: case kBfloat16: return 2;
    case kInt64: case kDouble: return 8;
    default: return 0;
  }
}

ProtoValueInfo parse_value_info(std::string_view bytes, const std::string& what) {
  ProtoValueInfo v;
  ProtoReader r(bytes, what + ": ValueInfoProto");
  while (r.next()) {
    if (r.field() == kValueName) {
      v.name = str(r.bytes_value());
    } else if (r.field() == kValueType) {
      ProtoReader type(r.bytes_value(), what + ": TypeProto");
      while (type.next()) {
        if (type.field() != kTypeTensor) continue;  // sequence/map types: no shape to check
        ProtoReader tensor(type.bytes_value(), what + ": TypeProto.Tensor");
        while (tensor.next()) {
          if (tensor.field() == kTensorTypeElem) v.elem_type = tensor.int_value();
          if (tensor.field() != kTensorTypeShape) continue;
          v.has_shape = true;
          ProtoReader shape(tensor.bytes_value(), what + ": TensorShapeProto");
          while (shape.next()) {
            if (shape.field() != kShapeDim) continue;
            ProtoReader dim(shape.bytes_value(), what + ": Dimension");
            int64_t value = -1;
            std::string param;
            while (dim.next()) {
              if (dim.field() == kDimValue) value = dim.int_value();
              if (dim.field() == kDimParam) param = str(dim.bytes_value());
            }
            v.dims.push_back(value < 0 ? -1 : value);
            v.dim_names.push_back(value < 0 ? (param.empty() ? "?" : param) : "");
          }
        }
      }
    }
  }
  return v;
}

ProtoAttribute parse_attribute(std::string_view bytes, const std::string& what) {
  ProtoAttribute a;
  ProtoReader r(bytes, what + ": AttributeProto");
  while (r.next()) {
    switch (r.field()) {
      case kAttrName: a.name = str(r.bytes_value()); break;
      case kAttrType: a.type = r.int_value(); break;
      case kAttrF: a.f = r.float_value(); break;
      case kAttrI: a.i = r.int_value(); break;
      case kAttrS: a.s = str(r.bytes_value()); break;
      case kAttrT: a.t = parse_tensor(r.bytes_value(), what + ": attribute tensor"); break;
      case kAttrFloats: r.append_floats(a.floats); break;
      case kAttrInts: r.append_ints(a.ints); break;
      case kAttrStrings: a.strings.push_back(str(r.bytes_value())); break;
      case kAttrRefName: throw Error(what + ": attribute references (functions) are not supported");
      default: break;
    }
  }
  return a;
}

ProtoNode parse_node(std::string_view bytes, const std::string& what) {
  ProtoNode n;
  ProtoReader r(bytes, what + ": NodeProto");
  while (r.next()) {
    switch (r.field()) {
      case kNodeInput: n.inputs.push_back(str(r.bytes_value())); break;
      case kNodeOutput: n.outputs.push_back(str(r.bytes_value())); break;
      case kNodeName: n.name = str(r.bytes_value()); break;
      case kNodeOpType: n.op = str(r.bytes_value()); break;
      case kNodeDomain: n.domain = str(r.bytes_value()); break;
      case kNodeAttribute: n.attrs.push_back(parse_attribute(r.bytes_value(), what + ": node " + n.name)); break;
      default: break;
    }
  }
  NABLA_CHECK(!n.op.empty(), what, ": a node (", n.name.empty() ? "unnamed" : n.name, ") has no op_type");
  return n;
}

}  // namespace

DType dtype_of_onnx(int64_t t, const std::string& what) {
  switch (t) {
    case kFloat: return DType::Float32;
    case kDouble: return DType::Float64;
    case kFloat16: return DType::Float16;
    case kBfloat16: return DType::BFloat16;
    case kInt64: return DType::Int64;
    case kInt32: case kInt16: case kInt8: case kUint16: return DType::Int32;
    case kUint8: return DType::UInt8;
    case kBool: return DType::Bool;
    case kString: throw Error(what + ": string tensors are not supported");
    default: throw Error(what + ": unsupported ONNX element type " + std::to_string(t));
  }
}

Tensor parse_tensor(std::string_view bytes, const std::string& what, std::string* name_out) {
  ProtoReader r(bytes, what + ": TensorProto");
  Shape dims;
  int64_t type = 0;
  std::string name;
  std::string_view raw;
  bool has_raw = false;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<int64_t> ints;  // int32_data and int64_data (varints either way)
  while (r.next()) {
    switch (r.field()) {
      case kTensorDims: r.append_ints(dims); break;
      case kTensorDataType: type = r.int_value(); break;
      case kTensorName: name = str(r.bytes_value()); break;
      case kTensorRawData: raw = r.bytes_value(); has_raw = true; break;
      case kTensorFloatData: r.append_floats(floats); break;
      case kTensorDoubleData: r.append_doubles(doubles); break;
      case kTensorInt32Data: case kTensorInt64Data: r.append_ints(ints); break;
      case kTensorExternalData: throw Error(what + " '" + name + "': external data files are not supported (save the model with its weights inside)");
      case kTensorDataLocation:
        NABLA_CHECK(r.int_value() == 0, what, " '", name, "': external data files are not supported");
        break;
      case kTensorSegment: throw Error(what + " '" + name + "': segmented tensors are not supported");
      default: break;
    }
  }
  const std::string label = what + (name.empty() ? "" : " '" + name + "'");
  if (name_out) *name_out = name;
  const DType dtype = dtype_of_onnx(type, label);
  int64_t numel = 1;
  for (int64_t d : dims) {
    NABLA_CHECK(d >= 0, label, ": negative dimension ", d);
    NABLA_CHECK(d == 0 || numel <= std::numeric_limits<int32_t>::max() / d, label, ": ", shape_str(dims),
                " has too many elements");
    numel *= d;
  }
  const size_t esize = onnx_elem_size(type);
  // The data must be in the file: sizes are checked before anything is allocated.
  if (has_raw) {
    NABLA_CHECK(raw.size() == static_cast<size_t>(numel) * esize, label, ": raw_data has ", raw.size(),
                " bytes, shape ", shape_str(dims), " needs ", static_cast<size_t>(numel) * esize);
    if (esize == dtype_size(dtype)) {
      Tensor t = empty(dims, dtype);
      if (numel > 0) std::memcpy(t.raw_data(), raw.data(), raw.size());
      return t;
    }
    // int8/int16/uint16 widen to int32.
    std::vector<int32_t> wide(static_cast<size_t>(numel));
    for (int64_t i = 0; i < numel; ++i) {
      const char* p = raw.data() + i * static_cast<int64_t>(esize);
      if (type == kInt8) wide[static_cast<size_t>(i)] = static_cast<int8_t>(*p);
      else if (type == kInt16) { int16_t v; std::memcpy(&v, p, 2); wide[static_cast<size_t>(i)] = v; }
      else { uint16_t v; std::memcpy(&v, p, 2); wide[static_cast<size_t>(i)] = v; }
    }
    return from_vector(wide, dims);
  }
  const size_t count = type == kFloat ? floats.size() : type == kDouble ? doubles.size() : ints.size();
  NABLA_CHECK(count == static_cast<size_t>(numel), label, ": holds ", count, " values, shape ", shape_str(dims),
              " needs ", numel);
  Tensor t = empty(dims, dtype);
  if (numel == 0) return t;
  if (type == kFloat) {
    std::memcpy(t.raw_data(), floats.data(), floats.size() * 4);
  } else if (type == kDouble) {
    std::memcpy(t.raw_data(), doubles.data(), doubles.size() * 8);
  } else if (dtype == DType::Float16 || dtype == DType::BFloat16) {  // the bits, in int32_data
    for (int64_t i = 0; i < numel; ++i) {
      const auto bits = static_cast<uint16_t>(ints[static_cast<size_t>(i)]);
      std::memcpy(static_cast<char*>(t.raw_data()) + 2 * i, &bits, 2);
    }
  } else {
    Tensor wide = from_vector(ints, dims);
    t = wide.to(dtype);
  }
  return t;
}

ProtoModel parse_model(std::string_view bytes, const std::string& file) {
  ProtoModel m;
  std::string_view graph;
  bool has_graph = false;
  ProtoReader r(bytes, file + ": ModelProto");
  while (r.next()) {
    switch (r.field()) {
      case kModelIrVersion: m.ir_version = r.int_value(); break;
      case kModelProducerName: m.producer = str(r.bytes_value()); break;
      case kModelGraph: graph = r.bytes_value(); has_graph = true; break;
      case kModelMetadata: {
        ProtoReader e(r.bytes_value(), file + ": StringStringEntryProto");
        std::string key, value;
        while (e.next()) {
          if (e.field() == kEntryKey) key = str(e.bytes_value());
          if (e.field() == kEntryValue) value = str(e.bytes_value());
        }
        m.metadata[key] = value;
        break;
      }
      case kModelOpsetImport: {
        ProtoReader o(r.bytes_value(), file + ": OperatorSetIdProto");
        std::string domain;
        int64_t version = 0;
        while (o.next()) {
          if (o.field() == kOpsetDomain) domain = str(o.bytes_value());
          if (o.field() == kOpsetVersion) version = o.int_value();
        }
        if (domain.empty() || domain == "ai.onnx") m.opset = version;
        break;
      }
      default: break;
    }
  }
  NABLA_CHECK(has_graph, file, ": not an ONNX model (no graph)");
  NABLA_CHECK(m.opset > 0, file, ": no opset for the default ONNX domain");
  ProtoReader g(graph, file + ": GraphProto");
  while (g.next()) {
    switch (g.field()) {
      case kGraphNode: m.nodes.push_back(parse_node(g.bytes_value(), file)); break;
      case kGraphInitializer: {
        std::string name;
        Tensor t = parse_tensor(g.bytes_value(), file + ": initializer", &name);
        NABLA_CHECK(!name.empty(), file, ": an initializer has no name");
        m.initializers.emplace_back(name, t);
        break;
      }
      case kGraphSparseInitializer: throw Error(file + ": sparse initializers are not supported");
      case kGraphInput: m.inputs.push_back(parse_value_info(g.bytes_value(), file)); break;
      case kGraphOutput: m.outputs.push_back(parse_value_info(g.bytes_value(), file)); break;
      default: break;
    }
  }
  NABLA_CHECK(!m.outputs.empty(), file, ": the graph has no output");
  return m;
}

}  // namespace nabla::onnx
