// ONNX export of models::GPT, the causal language model: the graph's dynamic batch and sequence
// length and its causal mask, run in ONNX Runtime at several (N, T) against nabla's forward, the
// onnx checker, and the graph imported back with onnx::load_bytes (the ORT parts are skipped when
// node, onnxruntime-node or python3-onnx are absent).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "error_of.h"
#include "model_checks.h"
#include "nabla/autograd.h"
#include "nabla/models/gpt.h"
#include "nabla/nn/init.h"
#include "nabla/onnx/export.h"
#include "nabla/onnx/import.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "onnx_runtime.h"

namespace nabla::onnx {
namespace {

using testing::error_of;

// A tiny GPT (block 16) in eval mode whose weights are drawn wide (N(0, 0.3), LayerNorm scales
// around 1), so that attention is far from uniform and a wrong mask or position shows.
std::shared_ptr<models::GPT> tiny_gpt(bool bias = true) {
  auto gpt = std::make_shared<models::GPT>(
      models::GPTOptions{.vocab_size = 23, .block_size = 16, .n_layer = 2, .n_head = 2, .n_embd = 16, .bias = bias});
  draw_wide(*gpt, "ln_");
  gpt->eval();
  return gpt;
}

Tensor nabla_logits(models::GPT& gpt, const Tensor& tokens) {
  NoGradGuard no_grad;
  return gpt.forward(tokens);
}

// The (N, T) token batches each exported graph is run on: T from 1 to block_size, N from 1 to 3.
std::vector<Shape> run_shapes() { return {{2, 5}, {3, 16}, {1, 1}, {1, 9}}; }

TEST(OnnxExportGpt, DynamicSequenceTiedHeadAndMaskFromLength) {
  manual_seed(20);
  auto gpt = tiny_gpt();
  const std::string bytes = export_model_bytes(*gpt, randint(0, 23, {2, 5}));
  for (const char* key : {"batch", "sequence", "transformer.wte.weight", "transformer.wpe.weight",
                          "transformer.h.1.attn.c_attn.weight", "transformer.h.0.mlp.c_fc.bias", "Range", "Where",
                          "Erf"})
    EXPECT_NE(bytes.find(key), std::string::npos) << key;
  // lm_head's weight is wte's: one initializer, read by Gather and by the head.
  EXPECT_EQ(bytes.find("lm_head.weight"), std::string::npos);
}

TEST(OnnxExportGpt, ErrorsNameTheCause) {
  manual_seed(21);
  auto gpt = tiny_gpt();
  const std::string opset = error_of([&] { export_model_bytes(*gpt, randint(0, 23, {1, 4}), 16); });
  EXPECT_NE(opset.find("transformer.h.0.ln_1 (LayerNorm): LayerNormalization needs opset 17"), std::string::npos)
      << opset;
  const std::string length = error_of([&] { export_model_bytes(*gpt, randint(0, 23, {1, 17})); });
  EXPECT_NE(length.find("exceeds block_size 16"), std::string::npos) << length;
  gpt->train();
  const std::string training = error_of([&] { export_model_bytes(*gpt, randint(0, 23, {1, 4})); });
  EXPECT_NE(training.find("training mode"), std::string::npos) << training;
}

TEST(OnnxRuntimeGpt, DynamicBatchAndLengthMatchNabla) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(22);
  for (const bool bias : {true, false}) {
    auto gpt = tiny_gpt(bias);
    const std::string name = bias ? "gpt" : "gpt_nobias";
    const std::string dir = temp_folder(name), path = dir + "/model.onnx";
    export_model(*gpt, randint(0, 23, {2, 5}), path);
    if (testing::checker_missing().empty()) EXPECT_EQ(testing::check_with_onnx(path, dir), "") << name;
    for (const Shape& shape : run_shapes()) {
      const Tensor tokens = randint(0, 23, shape);
      const Tensor expected = nabla_logits(*gpt, tokens);
      const Tensor got = testing::run_in_ort(path, tokens, dir);
      const double diff = max_abs_diff(got, expected), rel = relative_error(got, expected);
      std::printf("[ onnx ] GPT %-10s tokens %-6s in ONNX Runtime: max |diff| %.2e, relative error %.2e\n",
                  name.c_str(), shape_str(shape).c_str(), diff, rel);
      EXPECT_LE(diff, 1e-4) << name << " " << shape_str(shape);
    }
    std::filesystem::remove_all(dir);
  }
}

TEST(OnnxImportGpt, RoundTripAtOtherLengths) {
  manual_seed(23);
  auto gpt = tiny_gpt();
  auto back = load_bytes(export_model_bytes(*gpt, randint(0, 23, {2, 5})), "gpt.onnx");
  back->eval();
  EXPECT_EQ(back->input_shape(0), (std::vector<int64_t>{-1, -1}));
  for (const Shape& shape : run_shapes()) {
    const Tensor tokens = randint(0, 23, shape);
    Tensor got;
    {
      NoGradGuard no_grad;
      got = back->forward(tokens);
    }
    const Tensor expected = nabla_logits(*gpt, tokens);
    const double diff = max_abs_diff(got, expected);
    std::printf("[ onnx ] GPT tokens %-6s round trip: max |diff| %.2e, relative error %.2e\n",
                shape_str(shape).c_str(), diff, relative_error(got, expected));
    EXPECT_LE(diff, 1e-5) << shape_str(shape);
  }
}

}  // namespace
}  // namespace nabla::onnx
