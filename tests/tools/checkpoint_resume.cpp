// Exact resume across processes: the CTest test checkpoint_resume_across_processes runs
//   checkpoint_resume straight <steps> <out>            train <steps> steps, write the model state
//   checkpoint_resume first <steps> <checkpoint>        train <steps> steps, save a checkpoint
//   checkpoint_resume resume <checkpoint> <steps> <out> fresh objects (another seed), load, train
//                                                       up to <steps>, write the model state
// and compares the two model-state files byte for byte.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "nabla/checkpoint.h"
#include "nabla/io/safetensors.h"
#include "nabla/nabla.h"
#include "nabla/nn.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/optim.h"

using namespace nabla;

namespace {

struct TrainingRun {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<optim::SGD> opt;
  std::unique_ptr<optim::StepLR> sched;
  Generator loader_rng;
  int64_t step_count = 0;

  explicit TrainingRun(uint64_t seed) : loader_rng(seed + 1) {
    manual_seed(seed);
    model = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::UnaryModule>>{
        std::make_shared<nn::Conv2d>(1, 4, 3), std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(),
        std::make_shared<nn::Dropout>(0.3), std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(4 * 6 * 6, 3)});
    opt = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
    sched = std::make_unique<optim::StepLR>(*opt, 3, 0.5);
  }
  Checkpoint checkpoint() {
    Checkpoint c{.model = model.get(), .optimizer = opt.get(), .scheduler = sched.get(),
                 .generators = {{"loader", &loader_rng}}};
    c.global_step = step_count;
    return c;
  }
  void train_until(int64_t steps) {
    for (; step_count < steps; ++step_count) {
      Tensor x = randn({4, 1, 8, 8}, DType::Float32, &loader_rng);
      Tensor y = randint(0, 3, {4}, &loader_rng);
      opt->zero_grad();
      nn::functional::cross_entropy((*model)(x), y).backward();
      opt->step();
      sched->step();
    }
  }
};

int usage() {
  std::cerr << "usage: checkpoint_resume straight <steps> <out> | first <steps> <checkpoint> | "
               "resume <checkpoint> <steps> <out>\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) return usage();
  const std::string mode = argv[1];
  try {
    if (mode == "straight" && argc == 4) {
      TrainingRun run(7);
      run.train_until(std::atoll(argv[2]));
      io::save_safetensors(argv[3], run.model->state_dict());
    } else if (mode == "first" && argc == 4) {
      TrainingRun run(7);
      run.train_until(std::atoll(argv[2]));
      save_checkpoint(argv[3], run.checkpoint());
    } else if (mode == "resume" && argc == 5) {
      TrainingRun run(999);
      Checkpoint c = run.checkpoint();
      load_checkpoint(argv[2], c);
      run.step_count = c.global_step;
      run.train_until(std::atoll(argv[3]));
      io::save_safetensors(argv[4], run.model->state_dict());
    } else {
      return usage();
    }
  } catch (const std::exception& e) {
    std::cerr << "checkpoint_resume: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
