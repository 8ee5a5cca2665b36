#pragma once
// The subcommands of `nabla`; each returns the process exit status.
#include <cstdint>
#include <string>
#include <vector>

namespace nabla::cli {

/// `nabla train [CONFIG.toml] [--key value …]` (see docs/cli.md).
int run_train(const std::vector<std::string>& args);
/// `nabla search SEARCH.toml [--key value …]` (see docs/cli.md).
int run_search(const std::vector<std::string>& args);
/// `nabla eval CHECKPOINT… [--data DIR] [--top-k K] [--batch-size N] [--tta]`: one checkpoint's
/// test metrics, or with several each one's accuracy and the ensemble's (mean of their softmax
/// probabilities); --tta averages each model's probabilities over the image and its mirror.
int run_eval(const std::vector<std::string>& checkpoints, const std::string& data_dir, int64_t top_k, int64_t batch_size,
             bool tta);
/// `nabla predict CHECKPOINT IMAGE… [--top-k K]`.
int run_predict(const std::string& checkpoint, const std::vector<std::string>& images, int64_t top_k);
/// `nabla export CHECKPOINT --format onnx --output FILE [--opset N]`: the checkpoint's model as ONNX.
int run_export(const std::string& checkpoint, const std::string& format, const std::string& output, int64_t opset);
/// What `nabla generate` was given (see docs/cli.md).
struct GenerateArgs {
  std::string checkpoint;  ///< a language-model checkpoint written by nabla train
  std::string prompt;
  int64_t max_new_tokens = 200;
  double temperature = 1.0;  ///< 0: greedy
  int64_t top_k = 0;         ///< 0: all tokens
  double top_p = 1.0;        ///< 1: all tokens
  uint64_t seed = 0;         ///< the sampling stream
  bool no_cache = false;     ///< rerun the whole sequence each step instead of carrying the cache
};
/// `nabla generate CHECKPOINT --prompt TEXT [--max-new-tokens N] [--temperature T] [--top-k K]
/// [--top-p P] [--seed S] [--no-cache]`: prints the prompt and its continuation.
int run_generate(const GenerateArgs& args);
/// `nabla summary MODEL [--input C×H×W | F] [--classes N] [--model.KEY VALUE]...`: the model's
/// layers, output shapes, parameters and multiply-adds; `args` are the words after `summary`.
int run_summary(const std::vector<std::string>& args);

/// `nabla convert IN OUT [--key K]`: a PyTorch checkpoint or a nabla safetensors file (state
/// dict or `nabla train` checkpoint, whose model is the default) to a safetensors state dict.
/// `key` picks a nested entry (PyTorch: a dotted path; safetensors: a name prefix).
int run_convert(const std::string& in, const std::string& out, const std::string& key);

}  // namespace nabla::cli
