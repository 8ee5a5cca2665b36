// `nabla export CHECKPOINT --format onnx --output model.onnx [--opset 17]`: the checkpoint's model
// (rebuilt from the file alone, in eval mode) as an ONNX file with input "input" of shape
// (batch, *input_shape) and output "output"; the input is the normalised image, as the model sees it.
#include <cstdio>

#include "checkpoint.h"
#include "commands.h"
#include "nabla/error.h"
#include "nabla/onnx/export.h"
#include "nabla/ops.h"

namespace nabla::cli {

int run_export(const std::string& checkpoint, const std::string& format, const std::string& output, int64_t opset) {
  NABLA_CHECK(format == "onnx", "nabla export: --format must be 'onnx', got '", format, "'");
  NABLA_CHECK(!output.empty(), "nabla export: --output is required");
  const LoadedModel m = load_model_checkpoint(checkpoint);
  Shape shape = {1};
  for (int64_t d : m.spec.data.input_shape) shape.push_back(d);
  m.model->eval();
  onnx::export_model(*m.model, zeros(shape), output, opset, {{kOnnxRunKey, run_checkpoint_json(m.info)}});
  std::string dims = "batch";
  for (size_t i = 1; i < shape.size(); ++i) dims += ", " + std::to_string(shape[i]);
  std::printf("wrote %s: %s, input (%s), opset %lld\n", output.c_str(), m.spec.name.c_str(), dims.c_str(),
              static_cast<long long>(opset));
  return 0;
}

}  // namespace nabla::cli
