// Attention at the sizes of a small GPT/BERT block: scaled dot-product attention (causal),
// MultiheadAttention (self-attention, batch_first) and a TransformerEncoderLayer, forward and
// forward+backward. bench/pytorch_attention.py times the same cases in PyTorch.
//
// forward:  y = f(x) with no graph recorded (modules in eval mode)
// fwd_bwd:  y = f(x); y.backward(g) → gradients of the inputs and every parameter
#include <benchmark/benchmark.h>

#include "nabla/nabla.h"
#include "nabla/nn/attention.h"
#include "nabla/nn/functional/attention.h"
#include "nabla/nn/transformer.h"

namespace {

using nabla::Tensor;
namespace nn = nabla::nn;

struct Case {
  const char* name;
  int64_t batch, length, embed, heads;
};
// Keep in sync with bench/pytorch_attention.py.
const Case kCases[] = {
    {"tfm_n16_l64_e128_h4", 16, 64, 128, 4},
    {"tfm_n8_l256_e128_h4", 8, 256, 128, 4},
    {"tfm_n16_l64_e256_h8", 16, 64, 256, 8},
    {"tfm_n8_l256_e256_h8", 8, 256, 256, 8},
};

// kind 0: causal SDPA over (N, H, L, E/H); 1: MultiheadAttention; 2: TransformerEncoderLayer.
struct Runner {
  Case c;
  int kind;
  std::shared_ptr<nn::MultiheadAttention> mha;
  std::shared_ptr<nn::TransformerEncoderLayer> layer;
  Tensor q, k, v, x;

  Runner(Case c_, int kind_, bool grad) : c(c_), kind(kind_) {
    nabla::manual_seed(0);
    if (kind == 0) {
      const nabla::Shape s{c.batch, c.heads, c.length, c.embed / c.heads};
      q = nabla::randn(s), k = nabla::randn(s), v = nabla::randn(s);
      if (grad) q.requires_grad_(), k.requires_grad_(), v.requires_grad_();
    } else {
      x = nabla::randn({c.batch, c.length, c.embed});
      if (grad) x.requires_grad_();
      if (kind == 1) mha = std::make_shared<nn::MultiheadAttention>(nn::MultiheadAttentionOptions{
                         .embed_dim = c.embed, .num_heads = c.heads, .batch_first = true});
      else
        layer = std::make_shared<nn::TransformerEncoderLayer>(nn::TransformerLayerOptions{
            .d_model = c.embed, .nhead = c.heads, .dim_feedforward = 4 * c.embed, .dropout = 0.0, .batch_first = true});
    }
  }
  Tensor run() {
    if (kind == 0) return nn::functional::scaled_dot_product_attention(q, k, v, {.is_causal = true});
    if (kind == 1) return (*mha)(x, x, x, {.need_weights = false}).first;
    return (*layer)(x);
  }
  void zero_grad() {
    for (Tensor* t : {&q, &k, &v, &x})
      if (t->defined()) t->zero_grad();
    if (mha) mha->zero_grad();
    if (layer) layer->zero_grad();
  }
};

void BM_forward(benchmark::State& state, Case c, int kind) {
  Runner r(c, kind, false);
  if (r.mha) r.mha->eval();
  if (r.layer) r.layer->eval();
  nabla::NoGradGuard no_grad;
  r.run();  // warm-up
  for (auto _ : state) {
    Tensor y = r.run();
    benchmark::DoNotOptimize(y.raw_data());
  }
}

void BM_fwd_bwd(benchmark::State& state, Case c, int kind) {
  Runner r(c, kind, true);
  Tensor g = nabla::randn(r.run().shape());
  auto step = [&] {
    r.run().backward(g);
    r.zero_grad();
  };
  step();  // warm-up: fills the allocator's cache
  for (auto _ : state) {
    step();
    benchmark::ClobberMemory();
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* names[] = {"sdpa_causal", "mha", "encoder_layer"};
  for (int kind = 0; kind < 3; ++kind)
    for (const Case& c : kCases) {
      const std::string base = names[kind];
      benchmark::RegisterBenchmark((base + "/forward/" + c.name).c_str(), BM_forward, c, kind)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark((base + "/fwd_bwd/" + c.name).c_str(), BM_fwd_bwd, c, kind)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
}
