#include "checkpoint.h"

#include <filesystem>

#include "nabla/error.h"
#include "nabla/io/safetensors.h"
#include "nabla/io/serialize.h"

namespace nabla::cli {

void save_checkpoint(const std::string& path, const nn::Module& model, const std::string& model_name,
                     const models::ModelOptions& options, const std::map<std::string, std::string>& extra) {
  auto metadata = models::to_metadata(model_name, options);
  for (const auto& [k, v] : extra) metadata[k] = v;
  nabla::save(path, model.state_dict(), metadata);
}

LoadedModel load_checkpoint(const std::string& path) {
  NABLA_CHECK(std::filesystem::exists(path), "nabla: checkpoint '", path, "' does not exist");
  io::SafetensorsFile file = io::load_safetensors(path);
  LoadedModel out;
  auto [name, options] = models::from_metadata(file.metadata, path);
  out.name = name;
  out.options = options;
  out.metadata = file.metadata;
  out.model = models::create(name, options);
  try {
    out.model->load_state_dict(file.tensors);
  } catch (const Error& e) {
    throw Error(path + ": weights do not fit the model '" + name + "': " + e.what());
  }
  out.model->eval();
  return out;
}

}  // namespace nabla::cli
