#include "fashion_data.h"

#include <filesystem>

#include "nabla/error.h"
#include "nabla/io/idx.h"
#include "nabla/ops.h"

namespace nabla::cli {

const std::vector<std::string>& fashion_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

namespace {

std::string find_file(const std::string& dir, const std::string& stem) {
  for (const std::string& name : {stem, stem + ".gz"}) {
    const std::string path = dir + "/" + name;
    if (std::filesystem::exists(path)) return path;
  }
  throw Error("nabla: Fashion-MNIST file " + stem + "(.gz) not found in '" + dir + "'");
}

}  // namespace

ImageSet load_fashion_mnist(const std::string& dir, const std::string& split) {
  NABLA_CHECK(std::filesystem::is_directory(dir), "nabla: Fashion-MNIST directory '", dir,
              "' does not exist (install the Debian package dataset-fashion-mnist, or set data.dir)");
  const std::string img_path = find_file(dir, split + "-images-idx3-ubyte");
  const std::string lbl_path = find_file(dir, split + "-labels-idx1-ubyte");
  const io::IdxBytes img = io::read_idx_u8(img_path), lbl = io::read_idx_u8(lbl_path);
  NABLA_CHECK(img.shape.size() == 3, img_path, ": expected images of shape (N, 28, 28), got ", img.shape);
  NABLA_CHECK(lbl.shape.size() == 1 && lbl.shape[0] == img.shape[0], lbl_path, ": expected ", img.shape[0],
              " labels, got shape ", lbl.shape);
  const int64_t n = img.shape[0], h = img.shape[1], w = img.shape[2];
  ImageSet set{empty({n, 1, h, w}), empty({n}, DType::Int64)};
  float* x = set.images.data_ptr<float>();
  const float scale = static_cast<float>(1.0 / (255.0 * kFashionStd)), shift = static_cast<float>(kFashionMean / kFashionStd);
  for (int64_t i = 0; i < n * h * w; ++i) x[i] = img.data[i] * scale - shift;
  int64_t* y = set.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    NABLA_CHECK(lbl.data[i] < 10, lbl_path, ": label ", int(lbl.data[i]), " at index ", i, " is not a class 0..9");
    y[i] = lbl.data[i];
  }
  return set;
}

ImageSet subset(const ImageSet& set, const Tensor& index) {
  return {index_select(set.images, 0, index).contiguous(), index_select(set.labels, 0, index).contiguous()};
}

std::pair<ImageSet, ImageSet> split_train_val(const ImageSet& set, int64_t val_size, uint64_t seed) {
  NABLA_CHECK(val_size >= 0 && val_size < set.size(), "nabla: validation size ", val_size, " must be in [0, ",
              set.size(), ")");
  Generator gen(seed);
  const Tensor perm = randperm(set.size(), &gen);
  ImageSet val = val_size > 0 ? subset(set, perm.narrow(0, 0, val_size)) : ImageSet{};
  return {subset(set, perm.narrow(0, val_size, set.size() - val_size)), val};
}

void for_each_batch(const ImageSet& set, int64_t batch_size, bool shuffle, Generator& gen,
                    const std::function<bool(const Tensor&, const Tensor&)>& fn) {
  const int64_t n = set.size();
  const Tensor order = shuffle ? randperm(n, &gen) : arange(0, static_cast<double>(n), 1.0, DType::Int64);
  for (int64_t i = 0; i < n; i += batch_size) {
    const Tensor idx = order.narrow(0, i, std::min(batch_size, n - i));
    if (!fn(index_select(set.images, 0, idx), index_select(set.labels, 0, idx))) return;
  }
}

}  // namespace nabla::cli
