#include "fashion_data.h"

#include <filesystem>

#include "nabla/data/dataset.h"
#include "nabla/data/transforms.h"
#include "nabla/error.h"

namespace nabla::cli {

const std::vector<std::string>& fashion_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

namespace {

void check_dir(const std::string& dir) {
  NABLA_CHECK(std::filesystem::is_directory(dir), "nabla: Fashion-MNIST directory '", dir,
              "' does not exist (install the Debian package dataset-fashion-mnist, or set data.dir)");
}

// In place: raw 0–255 pixels → (pixel/255 − mean)/std, in float as the reference pipeline does.
void normalize_in_place(Tensor& images, const Normalization& norm) {
  float* x = images.data_ptr<float>();
  const float scale = static_cast<float>(1.0 / (255.0 * norm.std)), shift = static_cast<float>(norm.mean / norm.std);
  for (int64_t i = 0, n = images.numel(); i < n; ++i) x[i] = x[i] * scale - shift;
}

}  // namespace

FashionData load_fashion_data(const std::string& dir, int64_t val_size, uint64_t seed) {
  check_dir(dir);
  FashionData d;
  auto train = std::make_shared<const data::FashionMNIST>(dir, true);
  d.train_file = train;
  d.test_file = std::make_shared<const data::FashionMNIST>(dir, false);
  NABLA_CHECK(val_size >= 0 && val_size < train->size(), "nabla: validation size ", val_size, " must be in [0, ",
              train->size(), ")");
  const auto parts = data::random_split(train, std::vector<int64_t>{train->size() - val_size, val_size}, seed);
  d.train_indices = parts[0]->indices();
  d.val_indices = parts[1]->indices();
  return d;
}

std::shared_ptr<const data::FashionMNIST> load_fashion_test(const std::string& dir) {
  check_dir(dir);
  return std::make_shared<const data::FashionMNIST>(dir, false);
}

Normalization compute_normalization(const std::shared_ptr<const data::FashionMNIST>& file,
                                    const std::vector<int64_t>& indices) {
  const data::Subset subset(file, indices);
  const auto [mean, std_dev] = data::transforms::compute_mean_std(subset);  // of the raw 0–255 values
  return {mean.at(0) / 255.0, std_dev.at(0) / 255.0};
}

ImageSet materialize(const data::MNIST& file, const std::vector<int64_t>& indices, const Normalization& norm) {
  if (indices.empty()) return {};
  data::Batch b;
  file.get_batch(indices, b);
  normalize_in_place(b.input, norm);
  return {b.input, b.target};
}

ImageSet materialize_all(const data::MNIST& file, const Normalization& norm) {
  std::vector<int64_t> all(static_cast<size_t>(file.size()));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  return materialize(file, all, norm);
}

std::unique_ptr<data::DataLoader> make_train_loader(const std::shared_ptr<const data::FashionMNIST>& file,
                                                    const std::vector<int64_t>& indices, const LoaderSettings& s) {
  namespace T = data::transforms;
  std::shared_ptr<const data::Dataset> ds = std::make_shared<const data::Subset>(file, indices);
  if (s.augment == "flip") {
    ds = std::make_shared<const data::TransformDataset>(ds, T::RandomHorizontalFlip(0.5));
  } else if (s.augment == "crop") {
    ds = std::make_shared<const data::TransformDataset>(ds, T::Compose({T::RandomCrop(28, 2), T::RandomHorizontalFlip(0.5)}));
  } else {
    NABLA_CHECK(s.augment == "none", "nabla: data.augment must be none, flip or crop, got '", s.augment, "'");
  }
  data::DataLoaderOptions o;
  o.batch_size = s.batch_size;
  o.shuffle = s.shuffle;
  o.drop_last = s.drop_last;
  o.seed = s.seed;
  o.num_workers = s.workers;
  const Normalization norm = s.norm;
  o.batch_transform = [norm](const data::Batch& b, Generator&) {
    data::Batch out = b;
    normalize_in_place(out.input, norm);  // the collated batch is a fresh tensor owned by this batch
    return out;
  };
  return std::make_unique<data::DataLoader>(ds, o);
}

}  // namespace nabla::cli
