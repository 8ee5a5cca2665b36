// MNIST and Fashion-MNIST from IDX files.
#include <filesystem>

#include "nabla/data/readers.h"
#include "nabla/error.h"
#include "nabla/io/idx.h"

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
  Tensor img = empty({1, height_, width_});
  float* d = img.data_ptr<float>();
  const uint8_t* s = images_.data_ptr<uint8_t>() + index * height_ * width_;
  for (int64_t k = 0; k < height_ * width_; ++k) d[k] = s[k];
  return {img, scalar_tensor(static_cast<double>(labels_.data_ptr<uint8_t>()[index]), DType::Int64)};
}

bool MNIST::get_batch(const std::vector<int64_t>& indices, Batch& out) const {
  const int64_t n = static_cast<int64_t>(indices.size()), hw = height_ * width_;
  out.input = empty({n, 1, height_, width_});
  out.target = empty({n}, DType::Int64);
  float* d = out.input.data_ptr<float>();
  int64_t* t = out.target.data_ptr<int64_t>();
  const uint8_t* images = images_.data_ptr<uint8_t>();
  const uint8_t* labels = labels_.data_ptr<uint8_t>();
  for (int64_t b = 0; b < n; ++b) {
    check_index("MNIST::get_batch", indices[b], count_);
    const uint8_t* s = images + indices[b] * hw;
    for (int64_t k = 0; k < hw; ++k) d[b * hw + k] = s[k];
    t[b] = labels[indices[b]];
  }
  return true;
}

std::vector<std::string> MNIST::classes() const { return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; }

FashionMNIST::FashionMNIST(const std::string& root, bool train)
    : MNIST(root, train, "FashionMNIST", "dataset-fashion-mnist") {}

std::vector<std::string> FashionMNIST::classes() const {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

}  // namespace nabla::data
