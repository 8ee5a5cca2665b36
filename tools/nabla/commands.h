#pragma once
// The subcommands of `nabla`; each returns the process exit status.
#include <string>
#include <vector>

namespace nabla::cli {

/// `nabla train [CONFIG.toml] [--key value …]` (see docs/cli.md).
int run_train(const std::vector<std::string>& args);
/// `nabla search SEARCH.toml [--key value …]` (see docs/cli.md).
int run_search(const std::vector<std::string>& args);
/// `nabla eval CHECKPOINT [--data DIR] [--top-k K] [--batch-size N]`.
int run_eval(const std::string& checkpoint, const std::string& data_dir, int64_t top_k, int64_t batch_size);
/// `nabla predict CHECKPOINT IMAGE… [--top-k K]`.
int run_predict(const std::string& checkpoint, const std::vector<std::string>& images, int64_t top_k);
/// `nabla summary MODEL [--input C×H×W]`: the model's layers, output shapes and parameter counts.
int run_summary(const std::string& model, const std::string& input);

}  // namespace nabla::cli
