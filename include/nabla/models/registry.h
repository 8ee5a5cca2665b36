#pragma once
// Models by name: one table (model_registry) whose entries pair a name with a factory. A model's
// settings live in ModelOptions, whose visit() names every field once: the checkpoint metadata
// (to_metadata / from_metadata) is written and read from that list, so adding a model is one
// table entry (plus fields here if it needs new settings). Shapes (classes, channels, image
// size) come from the dataset, the rest from the config's [model] section.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::models {

/// What a model factory needs. Fields a model does not use are ignored.
struct ModelOptions {
  int64_t num_classes = 10;
  int64_t in_channels = 1;
  int64_t image_size = 28;             ///< input height = width
  std::vector<int64_t> hidden = {256}; ///< MLP hidden layer sizes
  bool batch_norm = false;             ///< LeNet-5: BatchNorm2d after each convolution
  double dropout = 0.0;                ///< MLP: dropout after hidden layers

  /// Calls v(name, field) for every field, in declaration order (the metadata keys).
  template <class V>
  void visit(V&& v) {
    v("num_classes", num_classes), v("in_channels", in_channels), v("image_size", image_size);
    v("hidden", hidden), v("batch_norm", batch_norm), v("dropout", dropout);
  }
};

/// One model of the registry.
struct ModelEntry {
  std::string name;
  std::string help;  ///< one line: what it is and which ModelOptions fields it reads
  std::function<std::shared_ptr<nn::UnaryModule>(const ModelOptions&)> create;
};

/// The table of models, sorted by name.
const std::vector<ModelEntry>& model_registry();

/// Names in the registry, sorted ("lenet5", "mlp").
std::vector<std::string> model_names();

/// Builds the model `name` with `options`. An unknown name raises Error listing the known names.
std::shared_ptr<nn::UnaryModule> create(const std::string& name, const ModelOptions& options = {});

/// The model name and options as string metadata: "model" and one key per ModelOptions field
/// (lists as "256,128", booleans as "true"/"false", doubles with 17 significant digits).
std::map<std::string, std::string> to_metadata(const std::string& name, const ModelOptions& options);

/// Reads what to_metadata wrote (absent fields keep their defaults); `source` names the file in
/// errors. A missing "model" key or a malformed value raises Error naming the key.
std::pair<std::string, ModelOptions> from_metadata(const std::map<std::string, std::string>& metadata,
                                                   const std::string& source);

}  // namespace nabla::models
