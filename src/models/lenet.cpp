#include "nabla/models/lenet.h"

#include "nabla/error.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/pool.h"
#include "nabla/nn/shape_layers.h"

namespace nabla::models {

std::shared_ptr<nn::Sequential> lenet5(int64_t num_classes, int64_t in_channels, bool batch_norm) {
  NABLA_CHECK(num_classes > 0, "models::lenet5: num_classes must be positive, got ", num_classes);
  NABLA_CHECK(in_channels > 0, "models::lenet5: in_channels must be positive, got ", in_channels);
  auto features = std::make_shared<nn::Sequential>();
  features->push_back(std::make_shared<nn::Conv2d>(in_channels, 6, 5, 1, 2));
  if (batch_norm) features->push_back(std::make_shared<nn::BatchNorm2d>(6));
  features->push_back(std::make_shared<nn::ReLU>());
  features->push_back(std::make_shared<nn::MaxPool2d>(2));
  features->push_back(std::make_shared<nn::Conv2d>(6, 16, 5));
  if (batch_norm) features->push_back(std::make_shared<nn::BatchNorm2d>(16));
  features->push_back(std::make_shared<nn::ReLU>());
  features->push_back(std::make_shared<nn::MaxPool2d>(2));

  auto classifier = std::make_shared<nn::Sequential>();
  classifier->push_back(std::make_shared<nn::Flatten>());
  classifier->push_back(std::make_shared<nn::Linear>(16 * 5 * 5, 120));
  classifier->push_back(std::make_shared<nn::ReLU>());
  classifier->push_back(std::make_shared<nn::Linear>(120, 84));
  classifier->push_back(std::make_shared<nn::ReLU>());
  classifier->push_back(std::make_shared<nn::Linear>(84, num_classes));

  auto model = std::make_shared<nn::Sequential>();
  model->push_back("features", features);
  model->push_back("classifier", classifier);
  return model;
}

}  // namespace nabla::models
