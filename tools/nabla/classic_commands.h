#pragma once
// The classic-baseline subcommands of `nabla` (k-NN, linear classifiers) and the Fashion-MNIST
// file lookup they share. Each add_*_command registers its options on `app` and returns the
// subcommand with a function that runs it after parsing.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace nabla::cli {

/// A registered subcommand: `app` is set when the user chose it; `run` returns the exit status.
struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// `nabla knn`: k-nearest neighbours on the Fashion-MNIST pixel bytes (see docs/cli.md).
Subcommand add_knn_command(CLI::App& app);
/// `nabla linear`: a linear SVM or softmax classifier on pixels or HOG features (see docs/cli.md).
Subcommand add_linear_command(CLI::App& app);

/// Path of "<split>-<kind>-idx?-ubyte" ("train"/"t10k", "images"/"labels") in `dir`, plain or
/// .gz. A missing directory raises Error naming the Debian package dataset-fashion-mnist (the
/// message of `nabla train`); a missing file raises Error naming it. `who` prefixes the message.
std::string fashion_mnist_path(const std::string& dir, const std::string& split, const std::string& kind,
                               const std::string& who);

/// Creates `dir` (and parents) when missing; raises Error naming `who` when that fails.
void make_output_dir(const std::string& dir, const std::string& who);

}  // namespace nabla::cli
