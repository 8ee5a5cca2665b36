// MNIST and Fashion-MNIST from IDX files.
#include <filesystem>

#include "nabla/data/readers.h"
#include "nabla/error.h"
#include "nabla/io/idx.h"
#include "nabla/ops.h"

namespace nabla::data {

std::string find_idx_file(const std::string& root, const std::string& name, const std::string& who,
                          const std::string& package) {
  const std::filesystem::path plain = std::filesystem::path(root) / name;
  std::filesystem::path gz = plain;
  gz += ".gz";
  if (std::filesystem::exists(gz)) return gz.string();
  if (std::filesystem::exists(plain)) return plain.string();
  throw Error(str_cat(who, ": ", gz.string(), " not found (nor ", plain.string(), ")",
                      package.empty() ? std::string() : str_cat("; install the Debian package ", package,
                                                                " (apt-get install ", package, ")")));
}

MNIST::MNIST(const std::string& root, bool train) { load(root, train, "MNIST", ""); }

MNIST::MNIST(const std::string& root, bool train, const std::string& who, const std::string& package) {
  load(root, train, who, package);
}

void MNIST::load(const std::string& root, bool train, const std::string& who, const std::string& package) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = find_idx_file(root, prefix + "-images-idx3-ubyte", who, package);
  const std::string labels_path = find_idx_file(root, prefix + "-labels-idx1-ubyte", who, package);
  const io::IdxArray images = io::read_idx(images_path);
  const io::IdxArray labels = io::read_idx(labels_path);
  NABLA_CHECK(images.data.dtype() == DType::UInt8 && labels.data.dtype() == DType::UInt8, who, ": ", images_path, " and ",
              labels_path, ": expected uint8 IDX files, got ", dtype_name(images.data.dtype()), " and ",
              dtype_name(labels.data.dtype()));
  NABLA_CHECK(images.shape.size() == 3, who, ": ", images_path, ": expected images (N, H, W), got ",
              shape_str(images.shape));
  NABLA_CHECK(labels.shape.size() == 1, who, ": ", labels_path, ": expected labels (N), got ", shape_str(labels.shape));
  NABLA_CHECK(images.shape[0] == labels.shape[0], who, ": ", images_path, " holds ", images.shape[0], " images but ",
              labels_path, " holds ", labels.shape[0], " labels");
  count_ = images.shape[0];
  height_ = images.shape[1];
  width_ = images.shape[2];
  images_ = images.data.reshape({count_, height_, width_}).contiguous();
  labels_ = labels.data.reshape({count_}).contiguous();
}

Example MNIST::get(int64_t index) const {
  check_index("MNIST::get", index, count_);
  return {images_.select(0, index).unsqueeze(0).to(DType::Float32), labels_.select(0, index).to(DType::Int64)};
}

bool MNIST::get_batch(const std::vector<int64_t>& indices, Batch& out) const {
  for (int64_t i : indices) check_index("MNIST::get_batch", i, count_);
  const Tensor rows = from_vector(indices);
  out.input = index_select(images_, 0, rows).to(DType::Float32).unsqueeze(1);  // (n, 1, H, W)
  out.target = index_select(labels_, 0, rows).to(DType::Int64);
  return true;
}

std::vector<std::string> MNIST::classes() const { return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; }

FashionMNIST::FashionMNIST(const std::string& root, bool train)
    : MNIST(root, train, "FashionMNIST", "dataset-fashion-mnist") {}

std::vector<std::string> FashionMNIST::classes() const {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

}  // namespace nabla::data
