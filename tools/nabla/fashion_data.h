#pragma once
// Fashion-MNIST for the `nabla` command, through nabla::data: the IDX files as data::FashionMNIST,
// the seeded train/validation split (data::random_split), the training DataLoader with the
// config-selected augmentation, and the normalisation applied to every batch.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/data/readers.h"
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

/// The input normalisation (pixel/255 − mean)/std.
struct Normalization {
  double mean = kFashionMean, std = kFashionStd;
};

/// The two Fashion-MNIST files and the split of the 60 000 training images.
struct FashionData {
  std::shared_ptr<const data::FashionMNIST> train_file, test_file;
  std::vector<int64_t> train_indices;  ///< into train_file, in the split's (random) order
  std::vector<int64_t> val_indices;    ///< into train_file
};

/// Loads `dir` (plain or .gz IDX; a missing directory names the Debian package) and splits the
/// training file with data::random_split(file, {n − val_size, val_size}, seed).
FashionData load_fashion_data(const std::string& dir, int64_t val_size, uint64_t seed);

/// Loads only the test file of `dir`.
std::shared_ptr<const data::FashionMNIST> load_fashion_test(const std::string& dir);

/// Mean and standard deviation of pixel/255 over the images `indices` of `file`
/// (data::transforms::compute_mean_std on their Subset).
Normalization compute_normalization(const std::shared_ptr<const data::FashionMNIST>& file,
                                    const std::vector<int64_t>& indices);

/// The images `indices` of `file` (all of them when `indices` is empty and `all` is true) as
/// normalised tensors, for evaluation.
ImageSet materialize(const data::MNIST& file, const std::vector<int64_t>& indices, const Normalization& norm);
/// Every image of `file`, normalised.
ImageSet materialize_all(const data::MNIST& file, const Normalization& norm);

/// How the training DataLoader is built.
struct LoaderSettings {
  int64_t batch_size = 64;
  bool shuffle = true;
  bool drop_last = false;
  uint64_t seed = 0;
  int workers = 0;
  std::string augment = "none";  ///< none | flip | crop (random crop 28 with padding 2, then flip)
  Normalization norm;
};

/// The training loader over `indices` of `file`: without augmentation the batches come from the
/// dataset's get_batch fast path; with it, per-sample transforms on the raw 0–255 pixels. Every
/// batch is then scaled and normalised (a batch transform).
std::unique_ptr<data::DataLoader> make_train_loader(const std::shared_ptr<const data::FashionMNIST>& file,
                                                    const std::vector<int64_t>& indices, const LoaderSettings& settings);

}  // namespace nabla::cli
