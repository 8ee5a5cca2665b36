// Format dispatch for nabla::save / nabla::load.
#include "nabla/io/serialize.h"

#include <algorithm>
#include <cctype>

#include "nabla/io/npy.h"
#include "nabla/io/npz.h"
#include "nabla/io/safetensors.h"

namespace nabla {
namespace {

enum class Format { Safetensors, Npz, Npy };

Format format_of(const std::string& path) {
  auto ends_with = [&](const std::string& ext) {
    if (path.size() < ext.size()) return false;
    return std::equal(ext.rbegin(), ext.rend(), path.rbegin(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
  };
  if (ends_with(".npz")) return Format::Npz;
  if (ends_with(".npy")) return Format::Npy;
  return Format::Safetensors;
}

}  // namespace

void save(const std::string& path, const StateDict& tensors,
          const std::map<std::string, std::string>& metadata) {
  const Format format = format_of(path);
  if (format == Format::Safetensors) return io::save_safetensors(path, tensors, metadata);
  NABLA_CHECK(metadata.empty(), "save: ", path, ": metadata can only be stored in .safetensors files");
  if (format == Format::Npz) return io::save_npz(path, tensors);
  NABLA_CHECK(tensors.size() == 1, "save: ", path, ": a .npy file holds exactly one tensor, got ", tensors.size());
  const auto& [name, tensor] = *tensors.begin();
  NABLA_CHECK(name.empty() || name == "tensor", "save: ", path, ": the tensor of a .npy file must be named \"\" or ",
              "\"tensor\" (a .npy file stores no name), got \"", name, "\"");
  io::save_npy(path, tensor);
}

StateDict load(const std::string& path) {
  switch (format_of(path)) {
    case Format::Npz: return io::load_npz(path);
    case Format::Npy: return {{"tensor", io::load_npy(path)}};
    case Format::Safetensors: break;
  }
  return io::load_safetensors(path).tensors;
}

}  // namespace nabla
