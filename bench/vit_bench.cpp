// One training step of the small ViT (models::vit_small: 1×28×28, 10 classes) at batch 64 — SGD
// with momentum, cross-entropy — and its parts: forward, backward, step. The PyTorch twin is
// bench/pytorch_vit.py (torchvision's VisionTransformer in the same configuration).
//
// Usage: vit_bench [--threads N] [--steps N] [--drop-path P]
// Prints "vit_small threads=<n> step_ms=<ms> forward_ms=<ms> backward_ms=<ms> images_per_s=<rate>".
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "nabla/models/vit.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/optim.h"

using namespace nabla;

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  int64_t steps = 20;
  double drop_path = 0.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--threads") threads = std::stoi(v);
    else if (a == "--steps") steps = std::stoll(v);
    else if (a == "--drop-path") drop_path = std::stod(v);
    else {
      std::fprintf(stderr, "vit_bench: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  omp_set_num_threads(threads);
  manual_seed(0);
  auto model = models::vit_small(10, 1, 28, 4, drop_path);
  optim::SGD opt(model->parameters(), {.lr = 0.01, .momentum = 0.9});
  const Tensor x = randn({64, 1, 28, 28});
  const Tensor y = randint(0, 10, {64});
  double fwd = 0, bwd = 0, total = 0;
  for (int64_t i = 0; i < steps + 3; ++i) {  // 3 warm-up steps: allocator caches, BLAS buffers
    const auto t0 = std::chrono::steady_clock::now();
    const Tensor loss = nn::functional::cross_entropy((*model)(x), y);
    const double f = since(t0);
    opt.zero_grad();
    const auto t1 = std::chrono::steady_clock::now();
    loss.backward();
    const double b = since(t1);
    opt.step();
    if (i >= 3) fwd += f, bwd += b, total += since(t0);
  }
  const double n = static_cast<double>(steps);
  std::printf("vit_small threads=%d step_ms=%.1f forward_ms=%.1f backward_ms=%.1f images_per_s=%.0f\n", threads,
              total / n, fwd / n, bwd / n, 64.0 * n / (total / 1000.0));
  return 0;
}
