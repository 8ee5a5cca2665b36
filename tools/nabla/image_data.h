#pragma once
// The image datasets of the `nabla` command, through nabla::data. `data.name` selects the reader:
//   fashion-mnist  IDX files of Fashion-MNIST in data.dir (default: the Debian package's directory)
//   idx            MNIST-format IDX files (train-images-idx3-ubyte, …, plain or .gz) in data.dir
//   cifar10        CIFAR-10 binary batches in data.dir;  cifar100: CIFAR-100 binary train.bin/test.bin
//   image-folder   data.dir/train/<class>/<image> (and data.dir/test/<class>/<image> when present)
//   npz            data.dir/train.npz (and test.npz) holding x (N, C, H, W, 0–255) and y (N,) labels
//   csv            numeric rows (data::CsvDataset): data.train_file (default data.dir/train.csv) and
//                  data.test_file (default data.dir/test.csv when present, else data.test_fraction
//                  of the rows, seeded); features (F) float32, integer labels in data.label
// The input shape (C, S, S) or (F) and the class names come from the dataset. The split into
// training and validation samples is seeded (data::random_split); every sample is normalised as
// (value/255 − mean)/std with one mean and std over all channels (CSV features always with the
// training rows' own mean and std: the fixed values are Fashion-MNIST's pixel statistics).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "nabla/data/dataloader.h"
#include "nabla/data/readers.h"
#include "nabla/tensor.h"

namespace nabla::cli {

/// Images (N, C, H, W) float32, normalised, and labels (N,) int64.
struct ImageSet {
  Tensor images;
  Tensor labels;
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

/// Fashion-MNIST's training-set pixel mean and standard deviation (of pixel/255): the fixed
/// normalisation (data.normalize = fixed).
constexpr double kFashionMean = 0.2860, kFashionStd = 0.3530;
/// Fashion-MNIST's class names in label order.
const std::vector<std::string>& fashion_class_names();

/// The input normalisation (pixel/255 − mean)/std, with one mean and std for every channel or,
/// when channel_mean/channel_std are set (data.normalize = channel), one per channel.
struct Normalization {
  double mean = kFashionMean, std = kFashionStd;
  std::vector<double> channel_mean = {}, channel_std = {};
  /// The mean and std of channel c.
  double mean_of(int64_t c) const { return channel_mean.empty() ? mean : channel_mean.at(static_cast<size_t>(c)); }
  double std_of(int64_t c) const { return channel_std.empty() ? std : channel_std.at(static_cast<size_t>(c)); }
};

/// The names data.name accepts.
const std::vector<std::string>& dataset_names();

/// A dataset's files, split and description.
struct ImageData {
  std::string name;  ///< data.name
  std::shared_ptr<const data::Dataset> train_file;
  std::shared_ptr<const data::Dataset> test_file;  ///< null when the dataset has no test part
  std::vector<int64_t> train_indices;  ///< into train_file, in the split's (random) order
  std::vector<int64_t> val_indices;    ///< into train_file
  std::vector<int64_t> input_shape = {1, 28, 28};  ///< of one sample: (C, S, S) images or (F) features
  std::vector<std::string> class_names;
  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
};

/// Loads the dataset `data.name` (from data.dir, or the CSV keys) and splits its training part
/// with data::random_split(file, {n − data.val_size, data.val_size}, seed); `seed` also splits a
/// single CSV file into training and test rows. With data.classes, both parts hold only those
/// classes, relabelled 0..k−1 (data::ClassSubset), and the class names follow. Errors name the
/// dataset and path.
ImageData load_image_data(const TrainConfig::Data& data, uint64_t seed);

/// Loads only the test part of `data.name` (train_file null; `seed` as in load_image_data);
/// raises Error when there is none.
ImageData load_test_data(const TrainConfig::Data& data, uint64_t seed);

/// Mean and standard deviation of pixel/255 over the images `indices` of `file`, all channels
/// together, or (per_channel) one pair per channel.
Normalization compute_normalization(const std::shared_ptr<const data::Dataset>& file, const std::vector<int64_t>& indices,
                                    bool per_channel = false);

/// The images `indices` of `file` as normalised tensors, for evaluation.
ImageSet materialize(const data::Dataset& file, const std::vector<int64_t>& indices, const Normalization& norm);
/// Every image of `file`, normalised.
ImageSet materialize_all(const data::Dataset& file, const Normalization& norm);

/// How the training DataLoader is built: the loader's own options (batch size, shuffle,
/// drop_last, seed, workers) plus the augmentation and normalisation of `nabla train`.
struct LoaderSettings {
  data::DataLoaderOptions loader;  ///< its batch_transform is set by make_train_loader
  std::string augment = "none";  ///< none | flip | crop (random crop image_size with padding crop_padding, then flip)
  int64_t crop_padding = 2;
  double erasing = 0, erasing_scale_min = 0.02, erasing_scale_max = 0.33;  ///< random erasing (p 0: off)
  int64_t cutout = 0;            ///< side of the cutout square (0: off)
  double mixup_alpha = 0, cutmix_alpha = 0, mix_prob = 1;  ///< batch mixing (α 0: off)
  int64_t num_classes = 10;      ///< of the soft targets of mixed batches
  int64_t image_size = 28;
  Normalization norm;
};

/// The training loader over `indices` of `file`: without augmentation the batches come from the
/// dataset's get_batch fast path where it has one; with it, per-sample transforms on the raw 0–255
/// pixels (crop, flip, then random erasing and cutout, whose erased pixels are 0: black, the
/// background of Fashion-MNIST). Every batch is then scaled and normalised, and with mixup_alpha
/// or cutmix_alpha mixed with probability mix_prob (one of the two, evenly, when both are on),
/// its targets becoming class probabilities (N, num_classes).
std::unique_ptr<data::DataLoader> make_train_loader(const std::shared_ptr<const data::Dataset>& file,
                                                    const std::vector<int64_t>& indices, const LoaderSettings& settings);

}  // namespace nabla::cli
