// oneDNN's RNN primitive (lstm_forward/lstm_backward with vanilla LSTM, lbr_gru_forward/
// lbr_gru_backward: the linear-before-reset GRU, PyTorch's form) against nabla's LSTM and GRU
// layers, same cases as bench/recurrent_bench.cpp (float32, sequence-first (T, N, I), I = H), in
// one process. Threads follow OMP_NUM_THREADS on both sides (oneDNN and nabla both use OpenMP).
//
// forward:  inference, no graph recorded (oneDNN: forward_inference)
// fwd_bwd:  forward + backward → grads of the input and of every weight and bias
//           (oneDNN: forward_training, then backward with its workspace)
//
// The oneDNN timings include what a layer built on it would pay on every call, since the
// weights change after every optimiser step: reordering the weights from the plain ldigo layout
// into the layout each primitive chose (format_tag::any), and for fwd_bwd zeroing the
// (accumulated) weight gradients and reordering them back to ldigo. Not included: permuting the
// GRU gates from PyTorch's (r, z, n) to oneDNN's (z, r, n) order, and transposing PyTorch's
// (G·H, I) weights to ldigo, both of which a layer would also need.
#include <benchmark/benchmark.h>

#include <dnnl.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <unordered_map>

#include "nabla/nabla.h"
#include "nabla/nn/recurrent.h"

namespace {

using nabla::Tensor;

struct Case {
  const char* name;
  const char* kind;  // "lstm" or "gru"
  int64_t layers, hidden, seq, batch;
};
// Same list as bench/recurrent_bench.cpp.
const Case kCases[] = {
    {"lstm_l1_h256_t64_n32", "lstm", 1, 256, 64, 32}, {"lstm_l2_h256_t64_n32", "lstm", 2, 256, 64, 32},
    {"lstm_l1_h512_t64_n32", "lstm", 1, 512, 64, 32}, {"gru_l1_h256_t64_n32", "gru", 1, 256, 64, 32},
    {"gru_l2_h256_t64_n32", "gru", 2, 256, 64, 32},   {"gru_l1_h512_t64_n32", "gru", 1, 512, 64, 32},
};

// ---- nabla ---------------------------------------------------------------------------------

Tensor run_nabla(nabla::nn::Module& m, bool lstm, const Tensor& x) {
  if (lstm) return static_cast<nabla::nn::LSTM&>(m).forward(x).first;
  return static_cast<nabla::nn::GRU&>(m).forward(x).first;
}

void bench_nabla(benchmark::State& state, const Case& c, bool backward) {
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
      run_nabla(*m, lstm, x).backward(g);
      x.zero_grad();
      m->zero_grad();
    } else {
      nabla::NoGradGuard guard;
      benchmark::DoNotOptimize(run_nabla(*m, lstm, x));
    }
  }
}

// ---- oneDNN --------------------------------------------------------------------------------

using dnnl::memory;
using Tag = memory::format_tag;
using Args = std::unordered_map<int, memory>;

void fill(memory& mem, float scale, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-scale, scale);
  float* p = static_cast<float*>(mem.get_data_handle());
  const size_t n = mem.get_desc().get_size() / sizeof(float);
  for (size_t i = 0; i < n; ++i) p[i] = u(rng);
}

void zero(memory& mem) { std::memset(mem.get_data_handle(), 0, mem.get_desc().get_size()); }

// Memory for every argument the primitive takes (query by argument), skipping empty ones.
Args make_args(const dnnl::primitive_desc& pd, const dnnl::engine& eng, std::initializer_list<int> ids) {
  Args args;
  for (int id : ids) {
    const memory::desc md = pd.query_md(dnnl::query::exec_arg_md, id);
    if (md.get_size() > 0) args.emplace(id, memory(md, eng));
  }
  return args;
}

// Reorders src into dst unless both have the same layout, in which case it copies.
void transfer(dnnl::stream& s, memory& src, memory& dst) {
  if (src.get_desc() == dst.get_desc())
    std::memcpy(dst.get_data_handle(), src.get_data_handle(), src.get_desc().get_size());
  else
    dnnl::reorder(src, dst).execute(s, src, dst);
}

struct OneDnnRnn {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::primitive fwd, bwd;
  Args fwd_args, bwd_args;
  memory user_wl, user_wi, user_dwl, user_dwi;  // plain ldigo weights and weight gradients
};

OneDnnRnn make_onednn(const Case& c, bool backward) {
  OneDnnRnn r;
  const bool lstm = std::string(c.kind) == "lstm";
  const memory::dim L = c.layers, T = c.seq, N = c.batch, H = c.hidden, G = lstm ? 4 : 3;
  const auto f32 = memory::data_type::f32;
  const memory::desc layer_md({T, N, H}, f32, Tag::tnc), iter_md({L, 1, N, H}, f32, Tag::ldnc);
  const memory::desc w_any({L, 1, H, G, H}, f32, Tag::any), w_plain({L, 1, H, G, H}, f32, Tag::ldigo);
  const memory::desc bias_md({L, 1, lstm ? G : G + 1, H}, f32, Tag::ldgo);
  const memory::desc none;
  const auto dir = dnnl::rnn_direction::unidirectional_left2right;
  const auto prop = backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  dnnl::primitive_desc fwd_pd, bwd_pd;
  if (lstm) {
    dnnl::lstm_forward::primitive_desc f(
        dnnl::lstm_forward::desc(prop, dir, layer_md, iter_md, iter_md, w_any, w_any, bias_md, layer_md, iter_md, iter_md),
        r.eng);
    r.fwd = dnnl::lstm_forward(f);
    fwd_pd = f;
    if (backward) {
      dnnl::lstm_backward::primitive_desc b(
          dnnl::lstm_backward::desc(dnnl::prop_kind::backward, dir, layer_md, iter_md, iter_md, w_any, w_any, bias_md,
                                    layer_md, iter_md, iter_md, layer_md, iter_md, iter_md, w_any, w_any, bias_md,
                                    layer_md, iter_md, iter_md),
          r.eng, f);
      r.bwd = dnnl::lstm_backward(b);
      bwd_pd = b;
    }
  } else {
    dnnl::lbr_gru_forward::primitive_desc f(
        dnnl::lbr_gru_forward::desc(prop, dir, layer_md, iter_md, w_any, w_any, bias_md, layer_md, iter_md), r.eng);
    r.fwd = dnnl::lbr_gru_forward(f);
    fwd_pd = f;
    if (backward) {
      dnnl::lbr_gru_backward::primitive_desc b(
          dnnl::lbr_gru_backward::desc(dnnl::prop_kind::backward, dir, layer_md, iter_md, w_any, w_any, bias_md,
                                       layer_md, iter_md, layer_md, iter_md, w_any, w_any, bias_md, layer_md, iter_md),
          r.eng, f);
      r.bwd = dnnl::lbr_gru_backward(b);
      bwd_pd = b;
    }
  }
  r.fwd_args = make_args(fwd_pd, r.eng,
                         {DNNL_ARG_SRC_LAYER, DNNL_ARG_SRC_ITER, DNNL_ARG_SRC_ITER_C, DNNL_ARG_WEIGHTS_LAYER,
                          DNNL_ARG_WEIGHTS_ITER, DNNL_ARG_BIAS, DNNL_ARG_DST_LAYER, DNNL_ARG_DST_ITER,
                          DNNL_ARG_DST_ITER_C, DNNL_ARG_WORKSPACE});
  std::mt19937 rng(0);
  const float scale = 1.0f / std::sqrt(static_cast<float>(H));
  r.user_wl = memory(w_plain, r.eng);
  r.user_wi = memory(w_plain, r.eng);
  fill(r.user_wl, scale, rng);
  fill(r.user_wi, scale, rng);
  fill(r.fwd_args.at(DNNL_ARG_BIAS), scale, rng);
  fill(r.fwd_args.at(DNNL_ARG_SRC_LAYER), 1.0f, rng);
  zero(r.fwd_args.at(DNNL_ARG_SRC_ITER));
  if (r.fwd_args.count(DNNL_ARG_SRC_ITER_C)) zero(r.fwd_args.at(DNNL_ARG_SRC_ITER_C));
  if (backward) {
    r.bwd_args = make_args(bwd_pd, r.eng,
                           {DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER, DNNL_ARG_DIFF_SRC_LAYER,
                            DNNL_ARG_DIFF_SRC_ITER, DNNL_ARG_DIFF_SRC_ITER_C, DNNL_ARG_DIFF_WEIGHTS_LAYER,
                            DNNL_ARG_DIFF_WEIGHTS_ITER, DNNL_ARG_DIFF_BIAS, DNNL_ARG_DIFF_DST_LAYER,
                            DNNL_ARG_DIFF_DST_ITER, DNNL_ARG_DIFF_DST_ITER_C});
    // Forward tensors and the workspace are shared with the forward primitive.
    for (int id : {DNNL_ARG_SRC_LAYER, DNNL_ARG_SRC_ITER, DNNL_ARG_SRC_ITER_C, DNNL_ARG_BIAS, DNNL_ARG_DST_LAYER,
                   DNNL_ARG_DST_ITER, DNNL_ARG_DST_ITER_C, DNNL_ARG_WORKSPACE})
      if (r.fwd_args.count(id)) r.bwd_args.emplace(id, r.fwd_args.at(id));
    fill(r.bwd_args.at(DNNL_ARG_DIFF_DST_LAYER), 1.0f, rng);
    zero(r.bwd_args.at(DNNL_ARG_DIFF_DST_ITER));
    if (r.bwd_args.count(DNNL_ARG_DIFF_DST_ITER_C)) zero(r.bwd_args.at(DNNL_ARG_DIFF_DST_ITER_C));
    r.user_dwl = memory(w_plain, r.eng);
    r.user_dwi = memory(w_plain, r.eng);
  }
  return r;
}

void bench_onednn(benchmark::State& state, const Case& c, bool backward) {
  OneDnnRnn r = make_onednn(c, backward);
  for (auto _ : state) {
    transfer(r.strm, r.user_wl, r.fwd_args.at(DNNL_ARG_WEIGHTS_LAYER));
    transfer(r.strm, r.user_wi, r.fwd_args.at(DNNL_ARG_WEIGHTS_ITER));
    r.fwd.execute(r.strm, r.fwd_args);
    if (backward) {
      transfer(r.strm, r.user_wl, r.bwd_args.at(DNNL_ARG_WEIGHTS_LAYER));
      transfer(r.strm, r.user_wi, r.bwd_args.at(DNNL_ARG_WEIGHTS_ITER));
      zero(r.bwd_args.at(DNNL_ARG_DIFF_WEIGHTS_LAYER));
      zero(r.bwd_args.at(DNNL_ARG_DIFF_WEIGHTS_ITER));
      zero(r.bwd_args.at(DNNL_ARG_DIFF_BIAS));
      r.bwd.execute(r.strm, r.bwd_args);
      transfer(r.strm, r.bwd_args.at(DNNL_ARG_DIFF_WEIGHTS_LAYER), r.user_dwl);
      transfer(r.strm, r.bwd_args.at(DNNL_ARG_DIFF_WEIGHTS_ITER), r.user_dwi);
    }
    r.strm.wait();
    benchmark::DoNotOptimize(r.fwd_args.at(DNNL_ARG_DST_LAYER).get_data_handle());
  }
}

const bool registered = [] {
  for (const Case& c : kCases)
    for (bool backward : {false, true})
      for (bool onednn : {false, true}) {
        const std::string kind = std::string(c.kind) == "lstm" ? "LSTM" : "GRU";
        const std::string name =
            kind + (backward ? "/fwd_bwd/" : "/forward/") + c.name + (onednn ? "/onednn" : "/nabla");
        benchmark::RegisterBenchmark(name.c_str(),
                                     [&c, backward, onednn](benchmark::State& s) {
                                       if (onednn)
                                         bench_onednn(s, c, backward);
                                       else
                                         bench_nabla(s, c, backward);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
