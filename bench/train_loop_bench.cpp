// Training-loop throughput of LeNet-5 and a 784-256-10 MLP on Fashion-MNIST: SGD with momentum,
// batch 64, cross-entropy; images per second of forward + backward + step. The PyTorch twin is
// bench/pytorch_train.py; bench/train_compare.sh runs both side by side.
//
// Usage: train_loop_bench [--data DIR] [--threads N] [--batches N] [--model lenet5|mlp|both]
// Prints one line per model: "<model> threads=<n> images_per_s=<rate> cpu_s=<seconds>".
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "nabla/data/readers.h"
#include "nabla/models/lenet.h"
#include "nabla/models/mlp.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/optim.h"

using namespace nabla;

namespace {

double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

void run(const std::string& name, std::shared_ptr<nn::UnaryModule> model, const Tensor& x, const Tensor& y, int64_t batches,
         int threads) {
  optim::SGD opt(model->parameters(), {.lr = 0.01, .momentum = 0.9});
  const int64_t batch = 64, n = x.size(0);
  auto step = [&](int64_t i) {
    const int64_t start = (i * batch) % (n - batch + 1);
    Tensor loss = nn::functional::cross_entropy((*model)(x.narrow(0, start, batch)), y.narrow(0, start, batch));
    opt.zero_grad();
    loss.backward();
    opt.step();
  };
  for (int64_t i = 0; i < 20; ++i) step(i);  // warm-up: allocator caches, BLAS buffers
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < batches; ++i) step(i);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s threads=%d images_per_s=%.0f cpu_s=%.3f\n", name.c_str(), threads, double(batches * batch) / wall,
              cpu_seconds() - cpu0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "/usr/share/datasets/fashion-mnist", which = "both";
  int threads = 1;
  int64_t batches = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--data") data = v;
    else if (a == "--threads") threads = std::stoi(v);
    else if (a == "--batches") batches = std::stoll(v);
    else if (a == "--model") which = v;
    else {
      std::fprintf(stderr, "train_loop_bench: unknown option %s (valid: --data --threads --batches --model)\n", a.c_str());
      return 2;
    }
  }
  omp_set_num_threads(threads);
  const nabla::data::FashionMNIST file(data, /*train=*/true);
  const int64_t n = 12800;
  std::vector<int64_t> first(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) first[static_cast<size_t>(i)] = i;
  nabla::data::Batch batch;
  file.get_batch(first, batch);
  Tensor x = batch.input, y = batch.target;  // x: raw 0–255 pixels, normalised in place below
  for (int64_t i = 0; i < n * 784; ++i) x.data_ptr<float>()[i] = (x.data_ptr<float>()[i] / 255.0f - 0.286f) / 0.353f;
  manual_seed(0);
  if (which == "both" || which == "lenet5") run("lenet5", models::lenet5(), x, y, batches, threads);
  if (which == "both" || which == "mlp") run("mlp", models::mlp({784, 256, 10}), x, y, batches, threads);
  return 0;
}
