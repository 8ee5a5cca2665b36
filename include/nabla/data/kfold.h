#pragma once
// k-fold cross-validation splits, as sklearn.model_selection.KFold: the samples are cut into
// `folds` consecutive parts (sizes differ by at most one, the first n mod folds parts one larger),
// optionally after a seeded shuffle, and each part is the validation set of one fold.
// Used by classic::cross_validate_k, `nabla search` and anything that cross-validates a Trainer.
#include <cstdint>
#include <vector>

namespace nabla::data {

/// One split: the indices to train on and those to validate on, both ascending in position.
struct Fold {
  std::vector<int64_t> train, val;
};

/// Splits 0..n−1 into `folds` folds (KFold(n_splits=folds, shuffle)). With `shuffle` the order is
/// first permuted by nabla's Generator(seed) (Fisher–Yates), so a seed gives the same folds on
/// every platform. Raises Error unless 2 ≤ folds ≤ n.
std::vector<Fold> kfold(int64_t n, int64_t folds, bool shuffle = false, uint64_t seed = 0);

/// The same over `indices`: fold f holds indices[p] for the positions p that kfold(indices.size())
/// gives, so the entries keep the order they have in `indices`.
std::vector<Fold> kfold(const std::vector<int64_t>& indices, int64_t folds, bool shuffle = false, uint64_t seed = 0);

}  // namespace nabla::data
