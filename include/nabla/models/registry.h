#pragma once
// Models by name, with options that can be stored next to the weights (checkpoint metadata) so
// a saved model can be rebuilt.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::models {

/// What create() needs to build a model. Fields a model does not use are ignored.
struct ModelOptions {
  int64_t num_classes = 10;
  int64_t in_channels = 1;
  int64_t image_size = 28;             ///< input height = width
  std::vector<int64_t> hidden = {256}; ///< MLP hidden layer sizes
  bool batch_norm = false;             ///< LeNet-5: BatchNorm2d after each convolution
  double dropout = 0.0;                ///< MLP: dropout after hidden layers
};

/// Names create() knows, sorted ("lenet5", "mlp").
std::vector<std::string> model_names();

/// Builds the model `name` ("lenet5", "mlp") with `options`. An unknown name raises Error listing
/// the known names.
std::shared_ptr<nn::UnaryModule> create(const std::string& name, const ModelOptions& options = {});

/// The model name and options as string metadata ("model", "num_classes", "in_channels",
/// "image_size", "hidden" as "256,128", "batch_norm" as "true"/"false", "dropout").
std::map<std::string, std::string> to_metadata(const std::string& name, const ModelOptions& options);

/// Reads what to_metadata wrote; `source` names the file in errors. A missing "model" key or a
/// malformed value raises Error naming the key.
std::pair<std::string, ModelOptions> from_metadata(const std::map<std::string, std::string>& metadata,
                                                   const std::string& source);

}  // namespace nabla::models
