// libFuzzer harness for the ONNX reader: the protobuf wire format, ModelProto/GraphProto/
// NodeProto/TensorProto parsing and the graph checks of onnx::load_bytes (seeds: small models
// written by torch.onnx.export, tools/make_onnx_fixtures.py).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "nabla/onnx/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
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
  return 0;
}
