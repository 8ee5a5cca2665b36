#include "nabla/models/mlp.h"

#include "nabla/error.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/shape_layers.h"

namespace nabla::models {

std::shared_ptr<nn::Sequential> mlp(const std::vector<int64_t>& sizes, double dropout) {
  NABLA_CHECK(sizes.size() >= 2, "models::mlp: needs at least an input and an output size, got ", sizes.size(), " sizes");
  for (int64_t s : sizes) NABLA_CHECK(s > 0, "models::mlp: layer sizes must be positive, got ", s);
  NABLA_CHECK(dropout >= 0 && dropout < 1, "models::mlp: dropout must be in [0, 1), got ", dropout);
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(std::make_shared<nn::Flatten>());
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    model->push_back(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.size()) {
      model->push_back(std::make_shared<nn::ReLU>());
      if (dropout > 0) model->push_back(std::make_shared<nn::Dropout>(dropout));
    }
  }
  return model;
}

}  // namespace nabla::models
