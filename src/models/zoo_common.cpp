#include "nabla/models/zoo_common.h"

#include "nabla/error.h"

namespace nabla::models {

namespace {

void check_image_shape(const DataShape& shape, const std::string& model) {
  const auto& in = shape.input_shape;
  NABLA_CHECK(in.size() == 3 && in[0] > 0 && in[1] > 0 && in[2] > 0, "models::create: ", model,
              " needs (C, H, W) image inputs, got an input shape of rank ", in.size());
}

}  // namespace

bool use_small_stem(const std::string& stem, const DataShape& shape, const std::string& model) {
  check_image_shape(shape, model);
  if (stem == "small") return true;
  if (stem == "imagenet") return false;
  NABLA_CHECK(stem == "auto", "models::create: ", model, " option 'stem' must be auto, imagenet or small, got '", stem, "'");
  return shape.input_shape[1] < 64 || shape.input_shape[2] < 64;
}

int64_t image_channels(const DataShape& shape, const std::string& model) {
  check_image_shape(shape, model);
  return shape.input_shape[0];
}

}  // namespace nabla::models
