// Loads a torchvision state_dict (a .pth written by torch.save, or safetensors) into the nabla zoo
// model of the same name at its published size (3×224×224, 1000 classes) and compares the logits
// with torchvision's.
// tools/parity/zoo_full_check.py writes both files from torchvision models built with a fixed seed
// and runs this program for each model of the zoo's table.
// With an .onnx file (written by torch.onnx.export) instead of weights, the model is the imported
// graph (onnx::load) and MODEL only names it.
// Usage: torchvision_weights MODEL WEIGHTS CHECK.safetensors [TOLERANCE]
//   WEIGHTS: the state_dict with torchvision's keys, .pth/.pt (io::load_pytorch) or .safetensors,
//   or the whole model as .onnx; CHECK: "input" (N, 3, 224, 224) and torchvision's
//   eval-mode "logits" (N, 1000). TOLERANCE (default 1e-4): the largest logit difference allowed,
//   relative to the largest logit magnitude. Prints the measured difference; exit status 1 when
//   it is above the tolerance.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nabla/io/pytorch.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/registry.h"
#include "nabla/onnx/import.h"
#include "nabla/nabla.h"

using namespace nabla;

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: %s MODEL WEIGHTS(.pth|.safetensors) CHECK.safetensors [TOLERANCE]\n", argv[0]);
    return 2;
  }
  try {
    const std::string name = argv[1];
    const double tol = argc == 5 ? std::stod(argv[4]) : 1e-4;
    const std::string weights = argv[2];
    std::shared_ptr<nn::UnaryModule> model;
    if (onnx::is_onnx_file(weights)) {
      model = onnx::load(weights);
    } else {
      model = models::create(name, models::DataShape{1000, {3, 224, 224}});
      const StateDict state =
          io::is_pytorch_file(weights) ? io::load_pytorch(weights) : io::load_safetensors(weights).tensors;
      model->load_state_dict(state);  // strict: the same keys and shapes
    }
    model->eval();
    const StateDict check = io::load_safetensors(argv[3]).tensors;
    NABLA_CHECK(check.count("input") && check.count("logits"), "torchvision_weights: '", argv[3],
                "' must hold the tensors 'input' and 'logits'");
    NoGradGuard no_grad;
    const Tensor ours = (*model)(check.at("input")).contiguous();
    const Tensor& theirs = check.at("logits");
    NABLA_CHECK(ours.shape() == theirs.shape(), "torchvision_weights: ", name, " gives logits of shape ", ours.shape(),
                ", torchvision's are ", theirs.shape());
    const double diff = (ours - theirs).abs().max().item<double>();
    const double scale = theirs.abs().max().item<double>();
    const double rel = diff / std::max(scale, 1e-30);
    std::printf("%s: %lld parameters, max |logit difference| %.3g, largest |logit| %.3g, relative %.3g (tolerance %g)\n",
                name.c_str(), static_cast<long long>(model->num_parameters()), diff, scale, rel, tol);
    return rel <= tol ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "torchvision_weights: %s\n", e.what());
    return 1;
  }
}
