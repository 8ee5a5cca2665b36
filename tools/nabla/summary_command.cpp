// `nabla summary MODEL --input C×H×W` (or F for feature vectors): nn::summary's table (output shape, parameters,
// multiply-adds and receptive field per layer, then the totals) for a model of the registry.
#include <algorithm>
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
  const bool valid = (dims.size() == 3 || dims.size() == 1) && std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d > 0; });
  NABLA_CHECK(valid, "nabla summary: --input must be C×H×W (e.g. 1x28x28) or a feature count F, got '", input, "'");
  auto model = models::create(model_name, {10, dims});
  std::printf("%s", nn::summary(*model, dims).to_string().c_str());
  return 0;
}

}  // namespace nabla::cli
