// `nabla export CHECKPOINT --format onnx --output model.onnx [--opset 17]`: the checkpoint's model
// (rebuilt from the file alone, in eval mode) as an ONNX file with input "input" of shape
// (batch, *input_shape) and output "output"; the input is the normalised image, as the model sees it.
// A language-model checkpoint (GPT) gives input token ids (batch, sequence) and output logits
// (batch, sequence, vocab); its description (model, vocabulary) is stored under
// kOnnxLanguageModelKey.
#include <algorithm>
#include <cstdio>

#include "checkpoint.h"
#include "commands.h"
#include "lm_checkpoint.h"
#include "nabla/error.h"
#include "nabla/onnx/export.h"
#include "nabla/ops.h"

namespace nabla::cli {

namespace {
// The metadata key of an exported language model's description (lm_checkpoint_json).
constexpr const char* kOnnxLanguageModelKey = "nabla.language_model";
}  // namespace

int run_export(const std::string& checkpoint, const std::string& format, const std::string& output, int64_t opset) {
  NABLA_CHECK(format == "onnx", "nabla export: --format must be 'onnx', got '", format, "'");
  NABLA_CHECK(!output.empty(), "nabla export: --output is required");
  if (is_language_model_checkpoint(checkpoint)) {
    // A language model: tokens (batch, sequence) int64 → logits (batch, sequence, vocab), the
    // sequence length dynamic up to the context length (onnx export knows GPT; other language
    // models raise its "has no ONNX form" Error). The example tokens are 0s (a valid id).
    const LoadedLanguageModel lm = load_language_model(checkpoint);
    const int64_t context = lm.model->context_length();  // 0: no limit
    const int64_t T = context > 0 ? std::min<int64_t>(8, context) : 8;
    onnx::export_model(*lm.model, zeros({1, T}, DType::Int64), output, opset,
                       {{kOnnxLanguageModelKey, lm_checkpoint_json(lm.info)}});
    std::printf("wrote %s: %s, input (batch, sequence) int64 token ids, sequence up to %lld, output (batch, "
                "sequence, %lld), opset %lld\n",
                output.c_str(), lm.info.model.c_str(), static_cast<long long>(context),
                static_cast<long long>(lm.model->vocab_size()), static_cast<long long>(opset));
    return 0;
  }
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
