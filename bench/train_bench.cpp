// Training throughput of LeNet-5 and an MLP 784-256-10 on Fashion-MNIST: the nabla side of
// bench/train_compare.sh (the PyTorch side is bench/pytorch_train.py, the same loop).
// Batch 64, SGD momentum 0.9, lr 0.01, cross-entropy; data normalised once and held in memory;
// each step gathers a batch with index_select, runs forward, backward and the optimizer step.
//
//   build/bench/train_bench [--steps N] [--data DIR]     (threads: OMP_NUM_THREADS)
// Prints one JSON object: {"mlp": {"images_per_s": …, "cpu_s": …, "wall_s": …}, "lenet5": {…}}.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "nabla/io/idx.h"
#include "nabla/nabla.h"
#include "nabla/nn.h"
#include "nabla/optim.h"

using namespace nabla;

namespace {

std::shared_ptr<nn::Module> make_model(const std::string& name) {
  auto seq = std::make_shared<nn::Sequential>();
  if (name == "mlp") {
    seq->push_back(std::make_shared<nn::Flatten>());
    seq->push_back(std::make_shared<nn::Linear>(784, 256));
    seq->push_back(std::make_shared<nn::ReLU>());
    seq->push_back(std::make_shared<nn::Linear>(256, 10));
    return seq;
  }
  seq->push_back(std::make_shared<nn::Conv2d>(1, 6, 5, 1, 2));
  seq->push_back(std::make_shared<nn::ReLU>());
  seq->push_back(std::make_shared<nn::MaxPool2d>(2));
  seq->push_back(std::make_shared<nn::Conv2d>(6, 16, 5));
  seq->push_back(std::make_shared<nn::ReLU>());
  seq->push_back(std::make_shared<nn::MaxPool2d>(2));
  seq->push_back(std::make_shared<nn::Flatten>());
  seq->push_back(std::make_shared<nn::Linear>(400, 120));
  seq->push_back(std::make_shared<nn::ReLU>());
  seq->push_back(std::make_shared<nn::Linear>(120, 84));
  seq->push_back(std::make_shared<nn::ReLU>());
  seq->push_back(std::make_shared<nn::Linear>(84, 10));
  return seq;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 400;
  std::string dir = "/usr/share/datasets/fashion-mnist";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--steps")) steps = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--data")) dir = argv[i + 1];
  }
  manual_seed(0);
  Tensor images = io::read_idx(dir + "/train-images-idx3-ubyte.gz").data.to(DType::Float32);
  images = ((images / 255.0 - 0.2860) / 0.3530).unsqueeze(1).contiguous();
  Tensor labels = io::read_idx(dir + "/train-labels-idx1-ubyte.gz").data;
  const int64_t n = images.size(0), batch = 64;

  std::printf("{");
  const char* names[] = {"mlp", "lenet5"};
  for (int m = 0; m < 2; ++m) {
    auto model = make_model(names[m]);
    optim::SGD opt(model->parameters(), {.lr = 0.01, .momentum = 0.9});
    Tensor perm = randperm(n);
    auto step = [&](int i) {
      int64_t start = (static_cast<int64_t>(i) * batch) % (n - batch);
      Tensor idx = perm.narrow(0, start, batch);
      Tensor x = index_select(images, 0, idx), y = index_select(labels, 0, idx);
      opt.zero_grad();
      Tensor loss = nn::functional::cross_entropy((*model)(x), y);
      loss.backward();
      opt.step();
    };
    for (int i = 0; i < 20; ++i) step(i);
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_seconds();
    for (int i = 0; i < steps; ++i) step(i);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = cpu_seconds() - c0;
    std::printf("%s\"%s\": {\"images_per_s\": %.1f, \"cpu_s\": %.3f, \"wall_s\": %.3f}", m ? ", " : "", names[m],
                steps * batch / wall, cpu, wall);
  }
  std::printf("}\n");
  return 0;
}
