#pragma once
// Fashion-MNIST loading shared by the examples: images as (N, 784) float32 in [0, 1], labels int64.
#include <string>

#include "nabla/io/idx.h"
#include "nabla/nabla.h"

namespace examples {

/// One split: x (N, 784) float32 pixels/255, y (N,) int64.
struct Split {
  nabla::Tensor x, y;
};

/// Reads an IDX image file of shape (N, 28, 28) into (N, 784) float32 in [0, 1].
inline nabla::Tensor load_images(const std::string& path) {
  nabla::io::IdxBytes raw = nabla::io::read_idx_u8(path);
  NABLA_CHECK(raw.shape.size() == 3, path, ": expected an (N, 28, 28) image file, got shape ", raw.shape);
  const int64_t n = raw.shape[0], d = raw.shape[1] * raw.shape[2];
  nabla::Tensor x = nabla::empty({n, d});
  float* p = x.data_ptr<float>();
  for (int64_t i = 0; i < n * d; ++i) p[i] = raw.data[i] / 255.0f;
  return x;
}

/// Reads an IDX label file of shape (N) into int64.
inline nabla::Tensor load_labels(const std::string& path) {
  nabla::io::IdxBytes raw = nabla::io::read_idx_u8(path);
  NABLA_CHECK(raw.shape.size() == 1, path, ": expected a label file of shape (N), got shape ", raw.shape);
  nabla::Tensor y = nabla::empty({raw.shape[0]}, nabla::DType::Int64);
  int64_t* p = y.data_ptr<int64_t>();
  for (size_t i = 0; i < raw.data.size(); ++i) p[i] = raw.data[i];
  return y;
}

/// The training or test split found in `dir` (the layout of Debian's dataset-fashion-mnist).
inline Split load_split(const std::string& dir, bool train) {
  const std::string prefix = dir + (train ? "/train" : "/t10k");
  return {load_images(prefix + "-images-idx3-ubyte.gz"), load_labels(prefix + "-labels-idx1-ubyte.gz")};
}

/// The first n examples of a split (all when n <= 0 or n >= N).
inline Split head(const Split& s, int64_t n) {
  if (n <= 0 || n >= s.x.size(0)) return s;
  return {s.x.narrow(0, 0, n).contiguous(), s.y.narrow(0, 0, n).contiguous()};
}

/// The ten class names, in label order.
inline std::vector<std::string> class_names() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

}  // namespace examples
