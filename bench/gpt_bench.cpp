// GPT throughput in nanoGPT's CPU "baby GPT" configuration (n_layer 4, n_head 4, n_embd 128,
// block 64, vocab 65, dropout 0): a whole training step (forward, cross-entropy, backward, AdamW
// step) on batch 12 as tokens/s, and greedy generation of 63 tokens after a 1-token prompt with
// and without the KV cache as generated tokens/s. The PyTorch twin is bench/pytorch_gpt.py;
// bench/gpt_compare.sh runs both side by side.
//
// Usage: gpt_bench [--threads N] [--steps N] [--rounds N]
// Prints "train threads=<n> tokens_per_s=<rate> cpu_tokens_per_s=<rate>", then "generate_cache …"
// and "generate_nocache …" (cpu_tokens_per_s: per second of process CPU time, the steadier
// number on a loaded machine with one thread).
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "nabla/autograd.h"
#include "nabla/models/gpt.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/optim.h"
#include "nabla/random.h"

using namespace nabla;

namespace {

// Wall and process CPU seconds since construction.
struct Timer {
  std::chrono::steady_clock::time_point wall0 = std::chrono::steady_clock::now();
  std::clock_t cpu0 = std::clock();
  double wall() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(); }
  double cpu() const { return double(std::clock() - cpu0) / CLOCKS_PER_SEC; }
};

// "<name> threads=<n> tokens_per_s=<wall rate> cpu_tokens_per_s=<rate per CPU second>".
void report(const char* name, int threads, double tokens, const Timer& t) {
  const double wall = t.wall(), cpu = t.cpu();
  std::printf("%s threads=%d tokens_per_s=%.0f cpu_tokens_per_s=%.0f\n", name, threads, tokens / wall, tokens / cpu);
}

const models::GPTOptions kBaby{.vocab_size = 65, .block_size = 64, .n_layer = 4, .n_head = 4, .n_embd = 128,
                               .dropout = 0.0};

void train(int threads, int64_t steps) {
  manual_seed(0);
  models::GPT gpt(kBaby);
  optim::AdamW opt(gpt.parameters(), {.lr = 1e-3, .betas = {0.9, 0.99}, .weight_decay = 0.1});
  const int64_t B = 12, T = 64;
  const Tensor data = randint(0, 65, {64, T + 1});  // 64 fixed sequences, batches cycle through them
  auto step = [&](int64_t i) {
    const Tensor seq = data.narrow(0, (i * B) % (64 - B + 1), B);
    const Tensor x = seq.narrow(1, 0, T), y = seq.narrow(1, 1, T);
    Tensor logits = gpt(x);
    Tensor loss = nn::functional::cross_entropy(logits.reshape({B * T, 65}), y.reshape({B * T}));
    opt.zero_grad();
    loss.backward();
    opt.step();
  };
  for (int64_t i = 0; i < 5; ++i) step(i);  // warm-up: allocator caches, GEMM primitives
  const Timer t;
  for (int64_t i = 0; i < steps; ++i) step(i);
  report("train", threads, double(steps * B * T), t);
}

void generation(int threads, int64_t rounds, bool use_cache) {
  manual_seed(0);
  models::GPT gpt(kBaby);
  gpt.eval();
  const Tensor prompt = zeros({1, 1}, DType::Int64);
  const models::GenerateOptions o{.max_new_tokens = 63, .sampling = {.temperature = 0.0}, .use_cache = use_cache};
  models::generate(gpt, prompt, o);  // warm-up
  const Timer t;
  for (int64_t r = 0; r < rounds; ++r) models::generate(gpt, prompt, o);
  report(use_cache ? "generate_cache" : "generate_nocache", threads, double(rounds * o.max_new_tokens), t);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  int64_t steps = 30, rounds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--threads") threads = std::stoi(v);
    else if (a == "--steps") steps = std::stoll(v);
    else if (a == "--rounds") rounds = std::stoll(v);
    else {
      std::fprintf(stderr, "gpt_bench: unknown option %s (valid: --threads --steps --rounds)\n", a.c_str());
      return 2;
    }
  }
  omp_set_num_threads(threads);
  train(threads, steps);
  generation(threads, rounds, true);
  generation(threads, rounds, false);
  return 0;
}
