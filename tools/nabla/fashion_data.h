#pragma once
// Fashion-MNIST for the `nabla` command: IDX files into tensors, a seeded train/validation split,
// and shuffled minibatches. for_each_batch is the single place that iterates data, so it can be
// replaced by the data-loader module without touching the training loop.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::cli {

/// Images (N, 1, 28, 28) float32, normalised as (pixel/255 − mean)/std, and labels (N,) int64.
struct ImageSet {
  Tensor images;
  Tensor labels;
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

/// Fashion-MNIST's training-set pixel mean and standard deviation (of pixel/255).
constexpr double kFashionMean = 0.2860, kFashionStd = 0.3530;
/// Class names in label order.
const std::vector<std::string>& fashion_class_names();

/// Loads "train" or "t10k" from `dir` (plain or .gz IDX). A missing directory raises Error naming
/// the Debian package dataset-fashion-mnist.
ImageSet load_fashion_mnist(const std::string& dir, const std::string& split);

/// The rows `index` (int64) of `set`.
ImageSet subset(const ImageSet& set, const Tensor& index);

/// Splits `set` into (train, validation) with `val_size` images chosen by a permutation seeded
/// with `seed`.
std::pair<ImageSet, ImageSet> split_train_val(const ImageSet& set, int64_t val_size, uint64_t seed);

/// Calls fn(images, labels) for consecutive batches of `batch_size` (the last one may be
/// smaller), in an order shuffled with `gen` when `shuffle`; stops early when fn returns false.
void for_each_batch(const ImageSet& set, int64_t batch_size, bool shuffle, Generator& gen,
                    const std::function<bool(const Tensor& images, const Tensor& labels)>& fn);

}  // namespace nabla::cli
