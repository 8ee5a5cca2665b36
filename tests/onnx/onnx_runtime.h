#pragma once
// Running exported models in the real tools: ONNX Runtime through node (tools/onnx/ort_run.js) and
// the checker of Debian's python3-onnx. Tests skip (GTEST_SKIP) when a tool is absent.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "nabla/io/npy.h"
#include "nabla/tensor.h"

namespace nabla::testing {

/// Folder holding node_modules/onnxruntime-node: $NABLA_ORT_DIR, else BUILD/onnxruntime.
inline std::string ort_dir() {
  if (const char* d = std::getenv("NABLA_ORT_DIR")) return d;
  return std::string(NABLA_BINARY_DIR) + "/onnxruntime";
}

/// The Python with the onnx package: $NABLA_PYTHON, else /usr/bin/python3 (Debian's python3-onnx).
inline std::string onnx_python() {
  if (const char* p = std::getenv("NABLA_PYTHON")) return p;
  return "/usr/bin/python3";
}

inline int run_quiet(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

/// Why the ONNX Runtime tests cannot run here, or "" when node and onnxruntime-node are present.
inline std::string ort_missing() {
  if (run_quiet("node --version") != 0) return "node not found";
  if (!std::filesystem::exists(ort_dir() + "/node_modules/onnxruntime-node"))
    return "onnxruntime-node not in " + ort_dir() + " (run tools/onnx/install_ort.sh)";
  return "";
}

/// Why the checker cannot run here, or "" when python3-onnx is present.
inline std::string checker_missing() {
  if (run_quiet(onnx_python() + " -c 'import onnx'") != 0) return "python3-onnx not found for " + onnx_python();
  return "";
}

/// The first 4 KB of the log file `path` ("" when it cannot be read), for error messages.
inline std::string log_head(const std::string& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buf[4096];
    text.assign(buf, std::fread(buf, 1, sizeof buf, f));
    std::fclose(f);
  }
  return text;
}

/// Output of `model` in ONNX Runtime on `input` (written and read as .npy in `dir`).
inline Tensor run_in_ort(const std::string& model, const Tensor& input, const std::string& dir) {
  const std::string in = dir + "/ort_input.npy", out = dir + "/ort_output.npy", log = dir + "/ort.log";
  std::filesystem::remove(out);
  io::save_npy(in, input);
  const std::string cmd = "NABLA_ORT_DIR='" + ort_dir() + "' node '" + std::string(NABLA_SOURCE_DIR) +
                          "/tools/onnx/ort_run.js' '" + model + "' '" + in + "' '" + out + "' >'" + log + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) throw Error("ONNX Runtime failed on " + model + ": " + log_head(log));
  return io::load_npy(out);
}

/// Output of `model` in ONNX Runtime on several named inputs (each written as .npy in `dir` and fed
/// to the graph input of its name).
inline Tensor run_in_ort(const std::string& model, const std::vector<std::pair<std::string, Tensor>>& inputs,
                         const std::string& dir) {
  const std::string out = dir + "/ort_output.npy", log = dir + "/ort.log";
  std::filesystem::remove(out);
  std::string feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string in = dir + "/ort_input" + std::to_string(i) + ".npy";
    io::save_npy(in, inputs[i].second);
    feeds += " '" + inputs[i].first + "=" + in + "'";
  }
  const std::string cmd = "NABLA_ORT_DIR='" + ort_dir() + "' node '" + std::string(NABLA_SOURCE_DIR) +
                          "/tools/onnx/ort_run.js' '" + model + "'" + feeds + " '" + out + "' >'" + log + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) throw Error("ONNX Runtime failed on " + model + ": " + log_head(log));
  return io::load_npy(out);
}

/// The checker's verdict on `model`: "" when onnx.checker.check_model(full_check=True) accepts it.
inline std::string check_with_onnx(const std::string& model, const std::string& dir) {
  const std::string log = dir + "/checker.log";
  const std::string cmd = onnx_python() +
                          " -c \"import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
                          "full_check=True)\" '" +
                          model + "' >'" + log + "' 2>&1";
  if (std::system(cmd.c_str()) == 0) return "";
  const std::string text = log_head(log);
  return text.empty() ? "checker failed" : text;
}

}  // namespace nabla::testing
