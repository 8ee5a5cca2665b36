// Whole-model speed of a zoo model, built from the registry: training images/s at batch 64 (SGD
// with momentum, cross-entropy, forward + backward + step on a fixed random batch) and inference
// latency at batch 1 (eval mode, no gradients), plus the process's peak resident memory after
// the training steps. The PyTorch twin is bench/pytorch_zoo.py; bench/zoo_compare.sh runs both
// side by side, one process per model and measurement so that peak memory is per model.
//
// Usage: zoo_bench --model NAME [--input 1x28x28] [--classes 10] [--threads N]
//                  [--mode train|latency|bandwidth|peak] [--steps N] [--runs N]
// Prints "train model=<m> threads=<n> images_per_s=<rate> cpu_images_per_s=<rate> peak_rss_mb=<MB>"
// or "latency model=<m> threads=<n> ms=<median of runs> config=<plain|weight-cache>", or for
// `bandwidth` "bandwidth model=<m> threads=<n> weights_mb=<MB> read_gb_s=<GB/s> floor_ms=<ms>": the
// model's parameter bytes, the memory read bandwidth of a sum over a buffer far larger than the
// caches (best of 5), and their quotient, the time a batch-1 forward needs just to read every
// weight once from memory. `peak` "peak model=<m> threads=<n> gmac_s=<G/s> mult_adds=<M> floor_ms=<ms>":
// the multiply-adds per second of a register-only FMA loop on every thread (best of 5), the
// model's multiply-adds per image as nn::summary counts them, and their quotient, the time a
// batch-1 forward needs just for its arithmetic with direct (non-Winograd) kernels.
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "nabla/autograd.h"
#include "nabla/models/registry.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/summary.h"
#include "nabla/ops.h"
#include "nabla/optim.h"
#include "nabla/random.h"

using namespace nabla;

namespace {

struct Args {
  std::string model = "resnet20", mode = "train";
  std::vector<int64_t> input = {1, 28, 28};
  int64_t classes = 10, steps = 20, runs = 50;
  int threads = 1;
};

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void train(const Args& a) {
  manual_seed(0);
  auto model = models::create(a.model, {a.classes, a.input});
  model->train();
  optim::SGD opt(model->parameters(), {.lr = 0.01, .momentum = 0.9, .weight_decay = 5e-4});
  const int64_t B = 64;
  std::vector<int64_t> shape = {B};
  shape.insert(shape.end(), a.input.begin(), a.input.end());
  const Tensor x = randn(shape), y = randint(0, a.classes, {B});
  auto step = [&] {
    Tensor loss = nn::functional::cross_entropy((*model)(x), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
  };
  for (int i = 0; i < 3; ++i) step();  // warm-up: allocator caches, GEMM/conv primitives
  const auto wall0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  for (int64_t i = 0; i < a.steps; ++i) step();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const double images = double(a.steps * B);
  std::printf("train model=%s threads=%d images_per_s=%.1f cpu_images_per_s=%.1f peak_rss_mb=%.0f\n", a.model.c_str(),
              a.threads, images / wall, images / cpu, peak_rss_mb());
}

// Median milliseconds of `runs` forwards of x (after 5 warm-up forwards).
double median_ms(nn::UnaryModule& model, const Tensor& x, int64_t runs) {
  for (int i = 0; i < 5; ++i) model(x);
  std::vector<double> ms;
  for (int64_t i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    model(x);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

// Batch-1 latency converting the weights on every call and with the inference weight cache
// (ops::set_conv_weight_cache, as `nabla predict` runs); the faster is reported, both printed.
void latency(const Args& a) {
  manual_seed(0);
  auto model = models::create(a.model, {a.classes, a.input});
  model->eval();
  NoGradGuard no_grad;
  std::vector<int64_t> shape = {1};
  shape.insert(shape.end(), a.input.begin(), a.input.end());
  const Tensor x = randn(shape);
  ops::set_conv_weight_cache(false);
  const double plain = median_ms(*model, x, a.runs);
  ops::set_conv_weight_cache(true);
  const double cached = median_ms(*model, x, a.runs);
  std::printf("# latency model=%s threads=%d plain_ms=%.3f cached_ms=%.3f\n", a.model.c_str(), a.threads, plain, cached);
  std::printf("latency model=%s threads=%d ms=%.3f config=%s\n", a.model.c_str(), a.threads, std::min(plain, cached),
              cached < plain ? "weight-cache" : "plain");
}

// The parameter bytes of the model and the memory read bandwidth on a.threads threads.
void bandwidth(const Args& a) {
  manual_seed(0);
  auto model = models::create(a.model, {a.classes, a.input});
  double bytes = 0;
  for (const Tensor& p : model->parameters()) bytes += double(p.numel()) * double(dtype_size(p.dtype()));
  const int64_t n = int64_t(1) << 27;  // 512 MB of floats
  std::vector<float> buffer(static_cast<size_t>(n), 1.0f);
  const float* data = buffer.data();
  double best = 1e30, total = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    double sum = 0;
#pragma omp parallel for simd reduction(+ : sum)
    for (int64_t i = 0; i < n; ++i) sum += data[i];
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    total += sum;
  }
  const double gb_s = double(n) * sizeof(float) / best / 1e9;
  std::printf("bandwidth model=%s threads=%d weights_mb=%.1f read_gb_s=%.1f floor_ms=%.3f (checksum %.0f)\n",
              a.model.c_str(), a.threads, bytes / 1e6, gb_s, bytes / 1e6 / gb_s, total);
}

// The multiply-add rate of the cores: every thread runs kChains independent vector FMA chains
// (more than the FMA latency times the FMA ports, so the units never wait), one vector register
// each (16 lanes with AVX-512, 8 with AVX2; fewer chains than registers, so none spills).
void peak(const Args& a) {
#ifdef __AVX512F__
  constexpr int kLanes = 16;
#else
  constexpr int kLanes = 8;
#endif
  constexpr int kChains = 10;
  constexpr int64_t kIters = int64_t{1} << 24;
  double best = 1e30, total = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    double sum = 0;
#pragma omp parallel reduction(+ : sum)
    {
      float acc[kChains][kLanes];
      for (int c = 0; c < kChains; ++c)
        for (int l = 0; l < kLanes; ++l) acc[c][l] = float(c + l + omp_get_thread_num());
      const float m = 0.999999f, b = 1e-7f;
      for (int64_t i = 0; i < kIters; ++i)
        for (int c = 0; c < kChains; ++c)
#pragma omp simd
          for (int l = 0; l < kLanes; ++l) acc[c][l] = acc[c][l] * m + b;
      for (int c = 0; c < kChains; ++c)
        for (int l = 0; l < kLanes; ++l) sum += acc[c][l];
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    total += sum;
  }
  const double gmac_s = double(kIters) * kChains * kLanes * a.threads / best / 1e9;
  manual_seed(0);
  auto model = models::create(a.model, {a.classes, a.input});
  std::vector<int64_t> sample = a.input;
  const double mult_adds = double(nn::summary(*model, Shape(sample.begin(), sample.end())).total_multiply_adds);
  std::printf("peak model=%s threads=%d gmac_s=%.1f mult_adds=%.1fM floor_ms=%.3f (checksum %.0f)\n", a.model.c_str(),
              a.threads, gmac_s, mult_adds / 1e6, mult_adds / gmac_s / 1e6, total);
}

std::vector<int64_t> parse_shape(const std::string& s) {
  std::vector<int64_t> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t x = s.find('x', start);
    out.push_back(std::stoll(s.substr(start, x == std::string::npos ? std::string::npos : x - start)));
    if (x == std::string::npos) break;
    start = x + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--model") a.model = v;
    else if (k == "--input") a.input = parse_shape(v);
    else if (k == "--classes") a.classes = std::stoll(v);
    else if (k == "--threads") a.threads = std::stoi(v);
    else if (k == "--mode") a.mode = v;
    else if (k == "--steps") a.steps = std::stoll(v);
    else if (k == "--runs") a.runs = std::stoll(v);
    else {
      std::fprintf(stderr, "zoo_bench: unknown option %s (valid: --model --input --classes --threads --mode --steps --runs)\n",
                   k.c_str());
      return 2;
    }
  }
  omp_set_num_threads(a.threads);
  try {
    if (a.mode == "train") train(a);
    else if (a.mode == "latency") latency(a);
    else if (a.mode == "bandwidth") bandwidth(a);
    else if (a.mode == "peak") peak(a);
    else {
      std::fprintf(stderr, "zoo_bench: --mode must be train, latency, bandwidth or peak, got %s\n", a.mode.c_str());
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zoo_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
