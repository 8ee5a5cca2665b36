// `nabla convert IN OUT [--key K]`: a PyTorch checkpoint (.pt/.pth, zip or legacy format) or any
// nabla safetensors file (a plain state dict, or a checkpoint written by nabla train) to a
// safetensors state dict, written atomically.
#include <cstdio>

#include "commands.h"
#include "nabla/error.h"
#include "nabla/io/pytorch.h"
#include "nabla/io/safetensors.h"

namespace nabla::cli {

namespace {

/// The tensors under "<key>." with the prefix removed; Error listing the prefixes when none.
StateDict take_prefix(const StateDict& all, const std::string& key, const std::string& in) {
  StateDict out;
  const std::string prefix = key + ".";
  for (const auto& [name, t] : all)
    if (name.compare(0, prefix.size(), prefix) == 0) out.emplace(name.substr(prefix.size()), t);
  if (out.empty()) {
    std::string prefixes;
    for (const auto& [name, t] : all) {
      const std::string p = name.substr(0, name.find('.'));
      if (prefixes.find("'" + p + "'") == std::string::npos) prefixes += (prefixes.empty() ? "'" : ", '") + p + "'";
    }
    throw Error("nabla convert: " + in + ": no tensor under key '" + key + "' (prefixes: " + prefixes + ")");
  }
  return out;
}

}  // namespace

int run_convert(const std::string& in, const std::string& out, const std::string& key) {
  StateDict tensors;
  std::string what;
  if (io::is_pytorch_file(in)) {
    tensors = io::load_pytorch(in, key);
    what = "PyTorch checkpoint";
  } else {
    const io::SafetensorsFile file = io::load_safetensors(in);
    // A checkpoint of nabla train holds model.*, optimizer.*, …: the model is the default.
    const bool checkpoint = file.metadata.count("nabla.checkpoint") > 0;
    const std::string pick = key.empty() && checkpoint ? "model" : key;
    tensors = pick.empty() ? file.tensors : take_prefix(file.tensors, pick, in);
    what = checkpoint ? "nabla checkpoint" : "safetensors file";
  }
  NABLA_CHECK(!tensors.empty(), "nabla convert: ", in, ": no tensors", key.empty() ? "" : " under key '" + key + "'");
  io::save_safetensors(out, tensors);
  std::printf("converted %zu tensors from %s %s%s to %s\n", tensors.size(), what.c_str(), in.c_str(),
              key.empty() ? "" : (" (key '" + key + "')").c_str(), out.c_str());
  return 0;
}

}  // namespace nabla::cli
