#pragma once
// Fashion-MNIST as tensors for the examples: images (N, 784) float32 in [0, 1], labels int64.
#include <string>
#include <vector>

#include "nabla/data/readers.h"
#include "nabla/nabla.h"

namespace examples {

/// One split: x (N, 784) float32 pixels/255, y (N,) int64.
struct Split {
  nabla::Tensor x, y;
};

/// The training or test split found in `dir` (the layout of Debian's dataset-fashion-mnist),
/// read through nabla::data::FashionMNIST (a missing directory names the Debian package).
inline Split load_split(const std::string& dir, bool train) {
  const nabla::data::FashionMNIST file(dir, train);
  std::vector<int64_t> all(static_cast<size_t>(file.size()));
  for (int64_t i = 0; i < file.size(); ++i) all[static_cast<size_t>(i)] = i;
  nabla::data::Batch batch;
  file.get_batch(all, batch);
  return {(batch.input / 255.0).reshape({file.size(), -1}).contiguous(), batch.target};
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
