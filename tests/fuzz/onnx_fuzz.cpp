// libFuzzer harness for the ONNX reader and the imported graph: the protobuf wire format,
// ModelProto/GraphProto/NodeProto/TensorProto parsing and the graph checks of onnx::load_bytes,
// then, for a model that loads, one forward pass on a small input built from the declared input
// shapes (symbolic dims 2, or 1 when that is too large; float inputs a fixed pattern, integer and
// bool inputs zeros). Load and forward may raise nabla::Error; any other exception, a crash or a
// sanitizer report is a finding. Seeds: the small models written by torch.onnx.export
// (tools/make_onnx_fixtures.py).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "nabla/autograd.h"
#include "nabla/onnx/import.h"
#include "nabla/storage.h"

namespace {

using namespace nabla;

// All inputs together hold at most this many elements; a model whose declared shapes need more
// (or a rank above kMaxRank) is loaded but not run, which keeps each run short.
constexpr int64_t kMaxInputElements = 4096;
constexpr size_t kMaxRank = 8;
// A graph can grow small inputs into huge tensors (Pad, Expand, Tile, ConstantOfShape, Resize
// with absurd constants): every single allocation is capped (allocator::set_allocation_limit), so
// such a model raises Error instead of exhausting memory or time.
constexpr size_t kMaxAllocationBytes = size_t{16} << 20;

/// One input of `shape` and `dtype`: floats a fixed pattern in [-0.75, 0.75], others zeros.
Tensor make_input(const Shape& shape, int64_t numel, DType dtype) {
  if (dtype != DType::Float32 && dtype != DType::Float64 && dtype != DType::Float16 && dtype != DType::BFloat16)
    return zeros(shape, dtype);
  std::vector<float> values(static_cast<size_t>(numel));
  for (size_t k = 0; k < values.size(); ++k) values[k] = static_cast<float>(static_cast<int>(k * 7 % 13) - 6) / 8.0f;
  return from_vector(values, shape).to(dtype);
}

/// Inputs for every graph input, symbolic dims set to `symbolic`; false when they would be too
/// large. Raises Error for an input dtype nabla lacks.
bool make_inputs(const onnx::OnnxModel& model, int64_t symbolic, std::vector<Tensor>* out) {
  out->clear();
  int64_t total = 0;
  const size_t count = model.input_names().size();
  for (size_t i = 0; i < count; ++i) {
    const std::vector<int64_t> dims = model.input_shape(i);
    if (dims.size() > kMaxRank) return false;
    Shape shape;
    int64_t numel = 1;
    for (int64_t d : dims) {
      const int64_t size = d < 0 ? symbolic : d;
      if (size > kMaxInputElements || (size > 0 && numel > kMaxInputElements / size)) return false;
      numel *= size;
      shape.push_back(size);
    }
    total += numel;
    if (total > kMaxInputElements) return false;
    out->push_back(make_input(shape, numel, model.input_dtype(i)));
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  allocator::set_allocation_limit(kMaxAllocationBytes);
  std::shared_ptr<onnx::OnnxModel> model;
  try {
    model = onnx::load_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.onnx");
  } catch (const Error&) {
    return 0;
  }
  // A model that loads describes itself consistently.
  fuzz::require(!model->input_names().empty(), "onnx: a loaded model has no input");
  fuzz::require(!model->output_names().empty(), "onnx: a loaded model has no output");
  for (const auto& [name, t] : model->state_dict()) fuzz::require(t.defined(), "onnx: undefined initializer");

  // ... and runs on a small input, or raises Error.
  try {
    std::vector<Tensor> inputs;
    if (!make_inputs(*model, 2, &inputs) && !make_inputs(*model, 1, &inputs)) return 0;
    NoGradGuard no_grad;
    const std::vector<Tensor> outputs = model->forward_all(inputs);
    fuzz::require(outputs.size() == model->output_names().size(), "onnx: forward_all returned a wrong count");
    for (const Tensor& y : outputs) fuzz::require(y.defined(), "onnx: an undefined output");
  } catch (const Error&) {
  }
  return 0;
}
