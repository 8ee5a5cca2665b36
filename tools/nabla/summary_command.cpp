// `nabla summary MODEL --input C×H×W`: one row per leaf layer with its output shape and
// parameter count, from a forward pass of one zero image.
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/models/registry.h"

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
  model->eval();
  std::printf("%-28s %-20s %10s\n", "layer", "output shape", "params");
  for (auto& [name, m] : model->named_modules()) {
    if (!m->named_children().empty()) continue;
    m->register_forward_hook([name = name](nn::Module& mod, const Tensor&, const Tensor& out) {
      std::ostringstream shape;
      shape << "[";
      for (size_t i = 0; i < out.shape().size(); ++i) shape << (i ? ", " : "") << out.shape()[i];
      shape << "]";
      std::printf("%-28s %-20s %10lld\n", (name + " (" + mod.name() + ")").c_str(), shape.str().c_str(),
                  static_cast<long long>(mod.num_parameters()));
    });
  }
  NoGradGuard no_grad;
  (*model)(zeros({1, dims[0], dims[1], dims[2]}));
  std::printf("total parameters: %lld\n", static_cast<long long>(model->num_parameters()));
  return 0;
}

}  // namespace nabla::cli
