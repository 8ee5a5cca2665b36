#pragma once
// File-format datasets: the IDX/MNIST family, CIFAR-10/100 binary, image folders, CSV and NumPy.
// Images are stored as uint8 tensors (read_image returns uint8 (C, H, W)); get() and get_batch()
// yield them as float32 (C, H, W) holding the raw 0–255 pixel values, because every transform
// (transforms.h; ToTensor scales to [0, 1]) and the collate work on float32. Class targets are
// 0-d int64 tensors.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla::data {

/// "<root>/<name>.gz" or "<root>/<name>", whichever exists (the .gz first). Otherwise raises
/// Error "<who>: … not found", naming the Debian `package` to install when it is not empty.
std::string find_idx_file(const std::string& root, const std::string& name, const std::string& who,
                          const std::string& package = "");

/// Images and labels of an IDX pair (MNIST layout: images (N, H, W) uint8, labels (N) uint8),
/// kept as uint8 tensors; get() converts one image to (1, H, W) float32 0–255 and get_batch()
/// gathers (B, 1, H, W) float32 straight from the bytes.
class MNIST : public Dataset {
 public:
  /// Reads "<root>/train-images-idx3-ubyte[.gz]" and "train-labels-idx1-ubyte[.gz]" (or "t10k-…"
  /// when train is false). A missing file raises Error naming the path.
  MNIST(const std::string& root, bool train = true);
  int64_t size() const override { return count_; }
  Example get(int64_t index) const override;
  bool get_batch(const std::vector<int64_t>& indices, Batch& out) const override;
  /// Image height and width.
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  /// Class names ("0" … "9" for MNIST).
  virtual std::vector<std::string> classes() const;
  /// The images, (N, H, W) uint8.
  const Tensor& images() const { return images_; }
  /// The labels, (N) uint8.
  const Tensor& labels() const { return labels_; }

 protected:
  /// `package` names the Debian package to suggest when the files are missing (may be empty).
  MNIST(const std::string& root, bool train, const std::string& who, const std::string& package);

 private:
  void load(const std::string& root, bool train, const std::string& who, const std::string& package);
  Tensor images_, labels_;
  int64_t count_ = 0, height_ = 0, width_ = 0;
};

/// Fashion-MNIST (same files as MNIST); by default from Debian's dataset-fashion-mnist package.
class FashionMNIST : public MNIST {
 public:
  static constexpr const char* kDefaultRoot = "/usr/share/datasets/fashion-mnist";
  explicit FashionMNIST(const std::string& root = kDefaultRoot, bool train = true);
  /// "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
  /// "Ankle boot".
  std::vector<std::string> classes() const override;
};

/// CIFAR-10 binary version: records of 1 label byte + 3072 pixel bytes (3×32×32, channel-planar),
/// from data_batch_1.bin … data_batch_5.bin (train) or test_batch.bin in `root`. inputs() holds
/// the images as uint8 (N, 3, 32, 32); get() and get_batch() yield them as float32 0–255.
class CIFAR10 : public TensorDataset {
 public:
  CIFAR10(const std::string& root, bool train = true);
  Example get(int64_t index) const override;
  bool get_batch(const std::vector<int64_t>& indices, Batch& out) const override;
  /// "airplane", "automobile", …, "truck".
  static std::vector<std::string> classes();

 protected:
  CIFAR10() = default;
  /// Appends the records of one file; `label_bytes` per record, the label at `label_offset`.
  static void read_records(const std::string& path, int64_t label_bytes, int64_t label_offset, int64_t num_classes,
                           std::vector<uint8_t>& pixels, std::vector<int64_t>& labels);
};

/// CIFAR-100 binary version: records of coarse label, fine label, 3072 pixel bytes, from train.bin
/// or test.bin in `root`. Targets are the fine labels (100 classes), or the coarse ones (20).
class CIFAR100 : public CIFAR10 {
 public:
  CIFAR100(const std::string& root, bool train = true, bool coarse_labels = false);
};

/// Images in "<root>/<class>/<file>" (torchvision ImageFolder): classes are the sorted
/// sub-directory names, files (.png, .jpg, .jpeg, .bmp, .gif, .tga, .ppm, .pgm; sorted) are
/// decoded with stb_image on get() (read_image, uint8) and yielded as float32 0–255. A file that
/// cannot be decoded raises Error naming it.
class ImageFolder : public Dataset {
 public:
  /// `channels`: 0 keeps the file's channel count; 1, 3 or 4 converts (torchvision loads RGB: 3).
  explicit ImageFolder(const std::string& root, int channels = 3);
  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  Example get(int64_t index) const override;
  const std::vector<std::string>& classes() const { return classes_; }
  /// (path, class index) of every sample.
  const std::vector<std::pair<std::string, int64_t>>& samples() const { return files_; }

 private:
  std::vector<std::string> classes_;
  std::vector<std::pair<std::string, int64_t>> files_;
  int channels_;
};

/// Decodes an image file with stb_image into a uint8 (C, H, W) tensor; `channels` as
/// ImageFolder. Raises Error naming the file when it is missing or cannot be decoded.
Tensor read_image(const std::string& path, int channels = 3);

/// Options of CsvDataset.
struct CsvOptions {
  /// Name of the label column (needs a header); when empty, label_index is used.
  std::string label_column;
  /// Index of the label column; negative counts from the end (−1: the last column).
  int64_t label_index = -1;
  /// Whether the first line names the columns.
  bool header = true;
  char delimiter = ',';
  /// Int64 for class labels (the cell must hold an integer), Float32/Float64 for regression.
  DType target_dtype = DType::Int64;
};

/// Numeric rows of a CSV file: the label column becomes the target, the other columns the
/// float32 features (F). Empty lines are skipped. A cell that is not a number raises Error
/// naming the file, line and column.
class CsvDataset : public TensorDataset {
 public:
  CsvDataset(const std::string& path, CsvOptions options = {});
  /// Names of the feature columns (from the header, or "0", "1", … without one).
  const std::vector<std::string>& feature_names() const { return feature_names_; }

 private:
  std::vector<std::string> feature_names_;
};

/// A TensorDataset from two .npy files (inputs, and targets unless targets_path is empty).
std::shared_ptr<TensorDataset> npy_dataset(const std::string& inputs_path, const std::string& targets_path = "");

/// A TensorDataset from the arrays `input_key` and `target_key` (empty: none) of a .npz file.
std::shared_ptr<TensorDataset> npz_dataset(const std::string& path, const std::string& input_key = "x",
                                           const std::string& target_key = "y");

}  // namespace nabla::data
