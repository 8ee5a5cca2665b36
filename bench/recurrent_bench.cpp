// LSTM and GRU layers, float32, sequence-first input (T, N, I) with I = H, forward and
// forward+backward; bench/pytorch_recurrent.py times the same cases in PyTorch and
// bench/recurrent_compare.sh puts them side by side. Reported: wall time per call.
//
// forward:  y, state = layer(x) with no graph recorded
// fwd_bwd:  y, state = layer(x); y.backward(g) → grads of x and of every parameter
#include <benchmark/benchmark.h>

#include "nabla/nabla.h"
#include "nabla/nn/recurrent.h"

namespace {

using nabla::Tensor;

struct Case {
  const char* name;
  const char* kind;  // "lstm" or "gru"
  int64_t layers, hidden, seq, batch;
};
// Same list as bench/pytorch_recurrent.py.
const Case kCases[] = {
    {"lstm_l1_h256_t64_n32", "lstm", 1, 256, 64, 32}, {"lstm_l2_h256_t64_n32", "lstm", 2, 256, 64, 32},
    {"lstm_l1_h512_t64_n32", "lstm", 1, 512, 64, 32}, {"gru_l1_h256_t64_n32", "gru", 1, 256, 64, 32},
    {"gru_l2_h256_t64_n32", "gru", 2, 256, 64, 32},   {"gru_l1_h512_t64_n32", "gru", 1, 512, 64, 32},
};

Tensor run(nabla::nn::Module& m, bool lstm, const Tensor& x) {
  if (lstm) return static_cast<nabla::nn::LSTM&>(m).forward(x).first;
  return static_cast<nabla::nn::GRU&>(m).forward(x).first;
}

void bench_case(benchmark::State& state, const Case& c, bool backward) {
  nabla::manual_seed(0);
  const bool lstm = std::string(c.kind) == "lstm";
  std::shared_ptr<nabla::nn::Module> m;
  if (lstm)
    m = std::make_shared<nabla::nn::LSTM>(c.hidden, c.hidden, c.layers);
  else
    m = std::make_shared<nabla::nn::GRU>(c.hidden, c.hidden, c.layers);
  Tensor x = nabla::randn({c.seq, c.batch, c.hidden});
  if (backward) x.requires_grad_();
  const Tensor g = nabla::randn({c.seq, c.batch, c.hidden});
  for (auto _ : state) {
    if (backward) {
      run(*m, lstm, x).backward(g);
      x.zero_grad();
      m->zero_grad();
    } else {
      nabla::NoGradGuard guard;
      benchmark::DoNotOptimize(run(*m, lstm, x));
    }
  }
}

const bool registered = [] {
  for (const Case& c : kCases)
    for (bool backward : {false, true}) {
      const std::string kind = std::string(c.kind) == "lstm" ? "LSTM" : "GRU";
      benchmark::RegisterBenchmark((kind + (backward ? "/fwd_bwd/" : "/forward/") + c.name).c_str(),
                                   [&c, backward](benchmark::State& s) { bench_case(s, c, backward); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
