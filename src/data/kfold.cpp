#include "nabla/data/kfold.h"

#include <algorithm>
#include <utility>

#include "nabla/error.h"
#include "nabla/random.h"

namespace nabla::data {

std::vector<Fold> kfold(int64_t n, int64_t folds, bool shuffle, uint64_t seed) {
  NABLA_CHECK(folds >= 2 && folds <= n, "kfold: expected 2 <= folds <= n = ", n, ", got folds = ", folds);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  if (shuffle) {
    Generator gen(seed);
    for (int64_t i = n - 1; i > 0; --i) {
      const int64_t j = static_cast<int64_t>(gen.next_u64() % static_cast<uint64_t>(i + 1));
      std::swap(perm[i], perm[j]);
    }
  }
  std::vector<Fold> out(static_cast<size_t>(folds));
  std::vector<int64_t> fold_of(static_cast<size_t>(n));
  const int64_t base = n / folds, extra = n % folds;
  for (int64_t f = 0, pos = 0; f < folds; ++f) {
    const int64_t size = base + (f < extra ? 1 : 0);
    for (int64_t i = pos; i < pos + size; ++i) fold_of[perm[i]] = f;
    pos += size;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t f = 0; f < folds; ++f) (fold_of[i] == f ? out[f].val : out[f].train).push_back(i);
  return out;
}

std::vector<Fold> kfold(const std::vector<int64_t>& indices, int64_t folds, bool shuffle, uint64_t seed) {
  std::vector<Fold> out = kfold(static_cast<int64_t>(indices.size()), folds, shuffle, seed);
  for (Fold& f : out) {
    for (int64_t& p : f.train) p = indices[p];
    for (int64_t& p : f.val) p = indices[p];
  }
  return out;
}

}  // namespace nabla::data
