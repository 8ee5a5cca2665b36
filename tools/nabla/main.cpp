// nabla — train, evaluate and query models from the command line. One file per subcommand.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "classic_commands.h"
#include "commands.h"
#include "nabla/error.h"

int main(int argc, char** argv) {
  // OpenMP worker threads spin for a while when they run out of work. libgomp's default spin is
  // long: on busy cores a spinning thread steals the time a descheduled peer needs (LeNet-5
  // training with 2 threads: 1.5k images/s against two busy processes), while the passive policy
  // costs a quarter of the speed on idle cores (22k vs 30k images/s). A short spin
  // (GOMP_SPINCOUNT=3000) measured 30k idle and 5.6k busy. libgomp reads these variables only
  // when it is loaded, so the command re-executes itself once with the short spin unless the user
  // chose a policy or a spin count.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr && std::getenv("GOMP_SPINCOUNT") == nullptr) {
    setenv("GOMP_SPINCOUNT", "3000", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then go on with the default spin
  }
  CLI::App app{"nabla: train, evaluate and query neural networks"};
  app.require_subcommand(1);

  auto* train = app.add_subcommand("train", "train a model (nabla train --help lists the config keys)");
  train->prefix_command();
  train->set_help_flag();  // `nabla train --help` is answered by the train command with the config keys

  auto* search = app.add_subcommand("search", "hyperparameter search: nabla search SEARCH.toml [--key value ...]");
  search->prefix_command();

  std::string checkpoint, data_dir;
  std::vector<std::string> images, checkpoints;
  int64_t top_k = 5, batch_size = 500;
  bool tta = false;
  auto* eval = app.add_subcommand("eval", "evaluate a checkpoint or .onnx model (or an ensemble of several) on the test set of the data it was trained on");
  eval->add_option("checkpoints", checkpoints, "checkpoints written by nabla train (.safetensors) or .onnx models; several: an ensemble")->required();
  eval->add_flag("--tta", tta, "test-time augmentation: average the probabilities of each image and its mirror");
  eval->add_option("--data", data_dir, "dataset directory (default: the data.dir the checkpoint was trained with)");
  eval->add_option("--top-k", top_k, "k of the top-k accuracy");
  eval->add_option("--batch-size", batch_size, "images per forward pass");

  auto* predict = app.add_subcommand("predict", "classify image files (PNG/JPG/BMP…) with a checkpoint or .onnx model");
  predict->add_option("checkpoint", checkpoint, "checkpoint written by nabla train, or an .onnx model")->required();
  predict->add_option("images", images, "image files")->required();
  predict->add_option("--top-k", top_k, "classes to show per image");

  std::string export_format = "onnx", export_output;
  int64_t opset = 17;
  auto* export_ = app.add_subcommand("export", "write a checkpoint's model as ONNX (runs in ONNX Runtime)");
  export_->add_option("checkpoint", checkpoint, "checkpoint written by nabla train")->required();
  export_->add_option("--format", export_format, "output format (onnx)");
  export_->add_option("--output", export_output, "the file to write, e.g. model.onnx")->required();
  export_->add_option("--opset", opset, "ONNX opset, 14 to 17");

  auto* summary = app.add_subcommand("summary", "per-layer table of a model: output shapes, parameters, multiply-adds (nabla summary --help)");
  summary->prefix_command();
  summary->set_help_flag();  // answered by the summary command with the models and their options

  nabla::cli::GenerateArgs gen;
  auto* generate = app.add_subcommand("generate", "continue a text prompt with a language model checkpoint");
  generate->add_option("checkpoint", gen.checkpoint, "language-model checkpoint written by nabla train")->required();
  generate->add_option("--prompt", gen.prompt, "the text to continue (required, not empty)");
  generate->add_option("--max-new-tokens", gen.max_new_tokens, "tokens (characters) to add");
  generate->add_option("--temperature", gen.temperature, "logits are divided by this; 0 is greedy");
  generate->add_option("--top-k", gen.top_k, "sample among the k most likely tokens (0: all)");
  generate->add_option("--top-p", gen.top_p, "sample among the most likely tokens whose probability reaches p");
  generate->add_option("--seed", gen.seed, "seed of the sampling stream");
  generate->add_flag("--no-cache", gen.no_cache, "rerun the model on the whole sequence each step (the reference)");

  std::string convert_in, convert_out, convert_key;
  auto* convert = app.add_subcommand("convert", "convert a PyTorch checkpoint (.pt/.pth) or a nabla checkpoint to a safetensors state dict");
  convert->add_option("input", convert_in, "a .pt/.pth file (zip or legacy format), a safetensors file or a nabla train checkpoint")->required();
  convert->add_option("output", convert_out, "the .safetensors file to write (replaced atomically)")->required();
  convert->add_option("--key", convert_key, "the entry to convert: a dotted path in a PyTorch checkpoint (e.g. model or state.model), a name prefix in a safetensors file (default for a nabla train checkpoint: model)");

  // Classic baselines (tools/nabla/knn_command.cpp, linear_command.cpp).
  const nabla::cli::Subcommand knn = nabla::cli::add_knn_command(app);
  const nabla::cli::Subcommand linear = nabla::cli::add_linear_command(app);

  CLI11_PARSE(app, argc, argv);
  try {
    if (*train) return nabla::cli::run_train(train->remaining());
    if (*search) return nabla::cli::run_search(search->remaining());
    if (*eval) return nabla::cli::run_eval(checkpoints, data_dir, top_k, batch_size, tta);
    if (*predict) return nabla::cli::run_predict(checkpoint, images, top_k);
    if (*export_) return nabla::cli::run_export(checkpoint, export_format, export_output, opset);
    if (*generate) return nabla::cli::run_generate(gen);
    if (*convert) return nabla::cli::run_convert(convert_in, convert_out, convert_key);
    if (*summary) return nabla::cli::run_summary(summary->remaining());
    if (*knn.app) return knn.run();
    if (*linear.app) return linear.run();
  } catch (const nabla::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
