#include "image_data.h"

#include <cmath>
#include <filesystem>

#include "nabla/data/class_subset.h"
#include "nabla/data/dataset.h"
#include "nabla/data/transforms.h"
#include "nabla/error.h"
#include "nabla/ops/shape.h"
#include "nabla/parse.h"

namespace nabla::cli {

const std::vector<std::string>& fashion_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"fashion-mnist", "idx", "cifar10", "cifar100", "image-folder", "npz", "csv"};
  return names;
}

namespace {

namespace fs = std::filesystem;

void check_dir(const std::string& name, const std::string& dir) {
  if (name == "csv") return;  // the CSV files are checked by name
  NABLA_CHECK(fs::is_directory(dir), "nabla: ", name, " directory '", dir, "' does not exist",
              name == "fashion-mnist" ? " (install the Debian package dataset-fashion-mnist, or set data.dir)"
                                      : " (set data.dir)");
}

// In place: raw 0–255 pixels → (pixel/255 − mean)/std, in float as the reference pipeline does;
// per channel for images (N, C, H, W) when the normalisation has channel values.
void normalize_in_place(Tensor& images, const Normalization& norm) {
  float* x = images.data_ptr<float>();
  const int64_t channels = norm.channel_mean.empty() ? 1 : static_cast<int64_t>(norm.channel_mean.size());
  NABLA_CHECK(channels == 1 || (images.dim() == 4 && images.size(1) == channels), "nabla: per-channel normalisation of ",
              channels, " channels, but the inputs have shape ", images.shape());
  const int64_t plane = channels == 1 ? images.numel() : images.size(2) * images.size(3);
  const int64_t n = channels == 1 ? 1 : images.size(0);
  for (int64_t s = 0; s < n; ++s)
    for (int64_t c = 0; c < channels; ++c) {
      const float scale = static_cast<float>(1.0 / (255.0 * norm.std_of(c))),
                  shift = static_cast<float>(norm.mean_of(c) / norm.std_of(c));
      float* p = x + (s * channels + c) * plane;
      for (int64_t i = 0; i < plane; ++i) p[i] = p[i] * scale - shift;
    }
}

// data.classes: keeps those classes of `file`, relabelled 0..k−1, and their names.
std::shared_ptr<const data::Dataset> select_classes(const TrainConfig::Data& c, std::shared_ptr<const data::Dataset> file,
                                                    std::vector<std::string>& classes) {
  if (c.classes.empty() || !file) return file;
  std::vector<std::string> names;
  for (int64_t k : c.classes) {
    NABLA_CHECK(k < static_cast<int64_t>(classes.size()), "nabla: data.classes holds ", k, ", but ", c.name, " has ",
                classes.size(), " classes");
    names.push_back(classes[static_cast<size_t>(k)]);
  }
  classes = names;
  return std::make_shared<const data::ClassSubset>(file, c.classes);
}

std::vector<std::string> numbered(int64_t n) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(std::to_string(i));
  return out;
}

int64_t max_label(const data::Dataset& d) {
  const Tensor t = static_cast<const data::TensorDataset&>(d).targets();
  return d.size() ? static_cast<int64_t>(t.max().item()) : -1;
}

// The CSV parts: train and test files, or one file split into both with `seed`. The classes are
// data.num_classes or the largest label + 1; every label must be in [0, K).
std::pair<std::shared_ptr<const data::Dataset>, std::shared_ptr<const data::Dataset>> open_csv(
    const TrainConfig::Data& c, uint64_t seed, std::vector<std::string>& classes) {
  data::CsvOptions o;
  o.header = c.header;
  o.delimiter = c.delimiter.empty() ? ',' : c.delimiter[0];
  if (auto index = parse_int64(c.label)) o.label_index = *index;
  else o.label_column = c.label;
  const std::string train_path = c.train_file.empty() ? c.dir + "/train.csv" : c.train_file;
  std::string test_path = c.test_file.empty() ? c.dir + "/test.csv" : c.test_file;
  NABLA_CHECK(fs::exists(train_path), "nabla: csv training file '", train_path, "' does not exist (set data.train_file or data.dir)");
  NABLA_CHECK(c.test_file.empty() || fs::exists(test_path), "nabla: csv test file '", test_path, "' does not exist");
  NABLA_CHECK(c.test_fraction == 0 || c.test_file.empty(), "nabla: csv takes data.test_file or data.test_fraction, not both");
  if (c.test_fraction > 0 || !fs::exists(test_path)) test_path.clear();
  auto train = std::make_shared<const data::CsvDataset>(train_path, o);
  auto test = test_path.empty() ? nullptr : std::make_shared<const data::CsvDataset>(test_path, o);
  const int64_t labels = std::max(max_label(*train), test ? max_label(*test) : -1) + 1;
  const int64_t k = c.num_classes > 0 ? c.num_classes : labels;
  NABLA_CHECK(labels <= k, "nabla: csv labels go up to ", labels - 1, ", but data.num_classes is ", k);
  for (const auto* d : {train.get(), test.get()})
    if (d) NABLA_CHECK(static_cast<const data::TensorDataset*>(d)->targets().min().item() >= 0, "nabla: csv labels must be >= 0");
  classes = numbered(k);
  if (c.test_fraction == 0) return {train, test};
  const int64_t n_test = static_cast<int64_t>(std::llround(c.test_fraction * double(train->size())));
  NABLA_CHECK(n_test > 0 && n_test < train->size(), "nabla: csv data.test_fraction ", c.test_fraction, " of ",
              train->size(), " rows leaves no training or no test row");
  const auto parts = data::random_split(train, std::vector<int64_t>{train->size() - n_test, n_test}, seed);
  return {parts[0], parts[1]};
}

// One part (train or test) of dataset `name` in `dir`; null when that part does not exist
// (image-folder and npz without a test part).
std::shared_ptr<const data::Dataset> open_part(const TrainConfig::Data& c, bool train, uint64_t seed,
                                               std::vector<std::string>& classes) {
  const std::string& name = c.name;
  const std::string& dir = c.dir;
  if (name == "csv") {
    auto parts = open_csv(c, seed, classes);
    return train ? parts.first : parts.second;
  }
  if (name == "fashion-mnist") {
    classes = fashion_class_names();
    return std::make_shared<const data::FashionMNIST>(dir, train);
  }
  if (name == "idx") {
    auto d = std::make_shared<const data::MNIST>(dir, train);
    classes = d->classes();
    return d;
  }
  if (name == "cifar10") {
    classes = data::CIFAR10::classes();
    return std::make_shared<const data::CIFAR10>(dir, train);
  }
  if (name == "cifar100") {
    classes = numbered(100);
    return std::make_shared<const data::CIFAR100>(dir, train);
  }
  if (name == "image-folder") {
    const std::string root = dir + (train ? "/train" : "/test");
    if (!train && !fs::is_directory(root)) return nullptr;
    NABLA_CHECK(fs::is_directory(root), "nabla: image-folder expects the training images in '", root, "/<class>/'");
    auto d = std::make_shared<const data::ImageFolder>(root, 3);
    classes = d->classes();
    return d;
  }
  if (name == "npz") {
    const std::string path = dir + (train ? "/train.npz" : "/test.npz");
    if (!train && !fs::exists(path)) return nullptr;
    auto d = data::npz_dataset(path, "x", "y");
    NABLA_CHECK(d->targets().defined() && d->targets().dim() == 1, "nabla: ", path, ": expected labels y of shape (N,)");
    classes = numbered(d->size() ? static_cast<int64_t>(d->targets().to(DType::Int64).max().item()) + 1 : 0);
    return d;
  }
  std::string known;
  for (const auto& n : dataset_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("nabla: data.name must be one of " + known + ", got '" + name + "'");
}

// The input shape from the first sample: square images (C, S, S) or feature vectors (F).
void describe(ImageData& d, const data::Dataset& file, const std::string& dir) {
  NABLA_CHECK(file.size() > 0, "nabla: ", d.name, " in '", dir, "' holds no samples");
  const Tensor x = file.get(0).input;
  NABLA_CHECK(x.dim() == 1 || (x.dim() == 3 && x.size(1) == x.size(2)), "nabla: ", d.name, " in '", dir,
              "': expected square images (C, S, S) or feature vectors (F), got ", x.shape());
  d.input_shape = x.shape();
}

}  // namespace

ImageData load_image_data(const TrainConfig::Data& c, uint64_t seed) {
  check_dir(c.name, c.dir);
  ImageData d;
  d.name = c.name;
  std::vector<std::string> test_classes;
  std::shared_ptr<const data::Dataset> train = open_part(c, true, seed, d.class_names);
  d.test_file = open_part(c, false, seed, test_classes);
  if (d.test_file) d.test_file = select_classes(c, d.test_file, test_classes);
  train = select_classes(c, train, d.class_names);
  d.train_file = train;
  describe(d, *train, c.dir);
  const int64_t val_size = c.val_size;
  NABLA_CHECK(val_size >= 0 && val_size < train->size(), "nabla: validation size ", val_size, " must be in [0, ",
              train->size(), ")");
  const auto parts = data::random_split(train, std::vector<int64_t>{train->size() - val_size, val_size}, seed);
  d.train_indices = parts[0]->indices();
  d.val_indices = parts[1]->indices();
  return d;
}

ImageData load_test_data(const TrainConfig::Data& c, uint64_t seed) {
  check_dir(c.name, c.dir);
  ImageData d;
  d.name = c.name;
  d.test_file = open_part(c, false, seed, d.class_names);
  NABLA_CHECK(d.test_file, "nabla: ", c.name, " in '", c.dir, "' has no test part");
  d.test_file = select_classes(c, d.test_file, d.class_names);
  describe(d, *d.test_file, c.dir);
  return d;
}

Normalization compute_normalization(const std::shared_ptr<const data::Dataset>& file, const std::vector<int64_t>& indices,
                                    bool per_channel) {
  if (file->get(indices.at(0)).input.dim() == 1) {  // feature vectors: every value of the rows
    const Tensor x = materialize(*file, indices, {0.0, 1.0 / 255.0}).images;  // raw values
    const float* v = x.data_ptr<float>();
    double sum = 0, sum_sq = 0;
    for (int64_t i = 0, n = x.numel(); i < n; ++i) sum += v[i], sum_sq += double(v[i]) * v[i];
    const double m = sum / double(x.numel()), var = std::max(sum_sq / double(x.numel()) - m * m, 0.0);
    return {m / 255.0, var > 0 ? std::sqrt(var) / 255.0 : 1.0 / 255.0};
  }
  const data::Subset subset(file, indices);
  const auto [mean, std_dev] = data::transforms::compute_mean_std(subset);  // per channel, raw 0–255 values
  Normalization out;
  if (per_channel) {
    for (size_t c = 0; c < mean.size(); ++c) {
      out.channel_mean.push_back(mean[c] / 255.0);
      out.channel_std.push_back(std_dev[c] / 255.0);
    }
  }
  // Every channel has as many pixels, so the overall mean is the channel means' mean and the
  // overall variance the mean of (var_c + mean_c²) minus the mean squared.
  double m = 0, second = 0;
  for (size_t c = 0; c < mean.size(); ++c) {
    m += mean[c];
    second += std_dev[c] * std_dev[c] + mean[c] * mean[c];
  }
  m /= double(mean.size());
  second /= double(mean.size());
  out.mean = m / 255.0;
  out.std = std::sqrt(std::max(second - m * m, 0.0)) / 255.0;
  return out;
}

ImageSet materialize(const data::Dataset& file, const std::vector<int64_t>& indices, const Normalization& norm) {
  if (indices.empty()) return {};
  data::Batch b;
  if (!file.get_batch(indices, b)) {  // no fast path: collate the samples as the DataLoader does
    std::vector<data::Example> examples;
    for (int64_t i : indices) examples.push_back(file.get(i));
    b = data::default_collate(examples);
  }
  b.input = b.input.contiguous();
  b.target = b.target.to(DType::Int64).contiguous();
  if (b.input.dtype() != DType::Float32) b.input = b.input.to(DType::Float32);
  normalize_in_place(b.input, norm);
  return {b.input, b.target};
}

ImageSet materialize_all(const data::Dataset& file, const Normalization& norm) {
  std::vector<int64_t> all(static_cast<size_t>(file.size()));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  return materialize(file, all, norm);
}

std::unique_ptr<data::DataLoader> make_train_loader(const std::shared_ptr<const data::Dataset>& file,
                                                    const std::vector<int64_t>& indices, const LoaderSettings& s) {
  namespace T = data::transforms;
  std::shared_ptr<const data::Dataset> ds = std::make_shared<const data::Subset>(file, indices);
  std::vector<data::Transform> per_image;
  if (s.augment == "flip") {
    per_image.push_back(T::RandomHorizontalFlip(0.5));
  } else if (s.augment == "crop") {
    per_image.push_back(T::RandomCrop(s.image_size, s.crop_padding));
    per_image.push_back(T::RandomHorizontalFlip(0.5));
  } else {
    NABLA_CHECK(s.augment == "none", "nabla: data.augment must be none, flip or crop, got '", s.augment, "'");
  }
  if (s.erasing > 0) per_image.push_back(T::RandomErasing(s.erasing, {s.erasing_scale_min, s.erasing_scale_max}));
  if (s.cutout > 0) per_image.push_back(T::Cutout(s.cutout));
  if (!per_image.empty()) ds = std::make_shared<const data::TransformDataset>(ds, T::Compose(per_image));
  data::DataLoaderOptions o = s.loader;
  const Normalization norm = s.norm;
  std::vector<data::BatchTransform> mixes;
  if (s.mixup_alpha > 0) mixes.push_back(T::MixUp(s.num_classes, s.mixup_alpha));
  if (s.cutmix_alpha > 0) mixes.push_back(T::CutMix(s.num_classes, s.cutmix_alpha));
  const double mix_prob = s.mix_prob;
  o.batch_transform = [norm, mixes, mix_prob](const data::Batch& b, Generator& gen) {
    data::Batch out = b;
    normalize_in_place(out.input, norm);  // the collated batch is a fresh tensor owned by this batch
    if (mixes.empty()) return out;
    // Every batch draws the same numbers whether or not it is mixed, so the stream does not
    // depend on the outcome: the mixing decision, then the choice between MixUp and CutMix.
    const bool mix = gen.next_double() < mix_prob;
    const size_t which = gen.next_double() < 0.5 ? 0 : mixes.size() - 1;
    if (!mix) return out;
    out.target = out.target.to(DType::Int64);
    return mixes[which](out, gen);
  };
  return std::make_unique<data::DataLoader>(ds, o);
}

}  // namespace nabla::cli
