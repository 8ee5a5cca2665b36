// Batch loading from Fashion-MNIST: MNIST::get_batch (the byte-gather fast path of `nabla train`
// without augmentation) and get() per sample, for random indices. Needs the Debian package
// dataset-fashion-mnist; without it the benchmarks report an error and do not run.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <numeric>
#include <random>

#include "nabla/data/readers.h"

namespace {

const nabla::data::FashionMNIST* dataset() {
  static std::unique_ptr<nabla::data::FashionMNIST> d =
      std::filesystem::exists(nabla::data::FashionMNIST::kDefaultRoot)
          ? std::make_unique<nabla::data::FashionMNIST>(nabla::data::FashionMNIST::kDefaultRoot, true)
          : nullptr;
  return d.get();
}

std::vector<int64_t> random_indices(int64_t n, int64_t size) {
  std::mt19937_64 rng(0);
  std::uniform_int_distribution<int64_t> pick(0, size - 1);
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (auto& i : out) i = pick(rng);
  return out;
}

void BM_MnistGetBatch(benchmark::State& state) {
  const auto* d = dataset();
  if (!d) return state.SkipWithError("dataset-fashion-mnist is not installed");
  const auto idx = random_indices(state.range(0), d->size());
  nabla::data::Batch b;
  for (auto _ : state) {
    d->get_batch(idx, b);
    benchmark::DoNotOptimize(b.input.data_ptr<float>());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MnistGetBatch)->Arg(64)->Arg(256);

void BM_MnistGet(benchmark::State& state) {
  const auto* d = dataset();
  if (!d) return state.SkipWithError("dataset-fashion-mnist is not installed");
  const auto idx = random_indices(64, d->size());
  for (auto _ : state)
    for (int64_t i : idx) benchmark::DoNotOptimize(d->get(i).input.data_ptr<float>());
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_MnistGet);

}  // namespace

BENCHMARK_MAIN();
