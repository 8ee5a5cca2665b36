// `nabla summary MODEL --input C×H×W`: nn::summary's table (output shape, parameters,
// multiply-adds and receptive field per layer, then the totals) for a model of the registry.
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "nabla/error.h"
#include "nabla/models/registry.h"
#include "nabla/nn/summary.h"

namespace nabla::cli {

int run_summary(const std::string& model_name, const std::string& input) {
  std::vector<int64_t> dims;
  std::string part;
  std::stringstream ss(input);
  while (std::getline(ss, part, 'x')) {
    try {
      dims.push_back(std::stoll(part));
    } catch (const std::exception&) {
      throw Error("nabla summary: --input must look like 1x28x28, got '" + input + "'");
    }
  }
  NABLA_CHECK(dims.size() == 3 && dims[0] > 0 && dims[1] > 0 && dims[1] == dims[2],
              "nabla summary: --input must be C×H×W with H = W, e.g. 1x28x28, got '", input, "'");
  models::ModelOptions o;
  o.in_channels = dims[0];
  o.image_size = dims[1];
  auto model = models::create(model_name, o);
  std::printf("%s", nn::summary(*model, {dims[0], dims[1], dims[2]}).to_string().c_str());
  return 0;
}

}  // namespace nabla::cli
