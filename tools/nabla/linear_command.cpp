// `nabla linear`: a linear classifier (multiclass SVM, squared hinge or softmax) on Fashion-MNIST
// pixels, HOG features, or both; prints the initial-loss sanity check, the test accuracy overall
// and per class, and writes the weight templates (pixel features).
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>

#include "classic_commands.h"
#include "image_data.h"
#include "nabla/autograd.h"
#include "nabla/classic/features.h"
#include "nabla/classic/knn.h"
#include "nabla/classic/linear_classifier.h"
#include "nabla/data/metrics.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::cli {
namespace {

struct LinearOptions {
  std::string data = data::FashionMNIST::kDefaultRoot;
  std::string loss = "softmax";
  std::string features = "pixels";
  double reg = 1e-4;
  int64_t epochs = 6;
  double lr = 0.0;
  int64_t batch_size = 256;
  std::string schedule = "step";
  int64_t train_subset = 0;
  int64_t test_subset = 0;
  int64_t seed = 0;
  int64_t threads = 0;
  std::string out = "runs/linear";
};

constexpr const char* kWho = "nabla linear";

void validate(const LinearOptions& o) {
  NABLA_CHECK(o.loss == "svm" || o.loss == "hinge" || o.loss == "squared_hinge" || o.loss == "softmax", kWho,
              ": --loss must be svm, squared_hinge or softmax, got '", o.loss, "'");
  NABLA_CHECK(o.features == "pixels" || o.features == "hog" || o.features == "hog+pixels", kWho,
              ": --features must be pixels, hog or hog+pixels, got '", o.features, "'");
  NABLA_CHECK(o.schedule == "step" || o.schedule == "cosine", kWho, ": --schedule must be step or cosine, got '",
              o.schedule, "'");
  NABLA_CHECK(o.reg >= 0 && std::isfinite(o.reg), kWho, ": --reg must be a finite value >= 0, got ", o.reg);
  NABLA_CHECK(o.lr >= 0 && std::isfinite(o.lr), kWho, ": --lr must be a finite value >= 0 (0 = the loss's default), got ",
              o.lr);
  NABLA_CHECK(o.epochs >= 1, kWho, ": --epochs must be >= 1, got ", o.epochs);
  NABLA_CHECK(o.batch_size >= 1, kWho, ": --batch-size must be >= 1, got ", o.batch_size);
  NABLA_CHECK(o.train_subset >= 0, kWho, ": --train-subset must be >= 0 (0 = all), got ", o.train_subset);
  NABLA_CHECK(o.test_subset >= 0, kWho, ": --test-subset must be >= 0 (0 = all), got ", o.test_subset);
  NABLA_CHECK(o.seed >= 0, kWho, ": --seed must be >= 0, got ", o.seed);
  NABLA_CHECK(o.threads >= 0, kWho, ": --threads must be >= 0 (0 = OpenMP default), got ", o.threads);
}

// The first `n` images (0 = all) of a split as rows (N, 784) and labels (N,).
ImageSet load_rows(const std::string& dir, const std::string& split, int64_t n) {
  // Resolves the paths first so that a missing data set gives the message of this command.
  fashion_mnist_path(dir, split, "images", kWho);
  const data::FashionMNIST file(dir, split == "train");
  ImageSet set = materialize_all(file, Normalization{});
  if (n > 0 && n < set.size()) set = {set.images.narrow(0, 0, n).contiguous(), set.labels.narrow(0, 0, n).contiguous()};
  return {set.images.reshape({set.size(), -1}), set.labels};
}

// Standardises the columns of both matrices by the training columns' mean and std (std 0 → 1).
void standardize_columns(Tensor& train, Tensor& test) {
  const Tensor mean = train.mean({0}, true);
  Tensor sd = nabla::std(train, {0}, 1, true);
  sd = where(gt(sd, 1e-8), sd, ones_like(sd));
  train = (train - mean) / sd;
  test = (test - mean) / sd;
}

// Features of the requested kind for the training and test rows (the notes' preprocessing for
// pixels: subtract the training mean image, divide by the overall standard deviation).
std::pair<Tensor, Tensor> make_features(const std::string& kind, const Tensor& train_px, const Tensor& test_px) {
  if (kind == "pixels") {
    const Tensor mean_image = train_px.mean({0}, true);
    const double scale = 1.0 / nabla::std(train_px - mean_image).item();
    return {(train_px - mean_image) * scale, (test_px - mean_image) * scale};
  }
  const classic::HOGOptions hog;  // 9 orientations, 4×4-pixel cells, 2×2-cell blocks, L2-Hys
  Tensor htr = classic::hog_batch(train_px.reshape({-1, 28, 28}), hog);
  Tensor hte = classic::hog_batch(test_px.reshape({-1, 28, 28}), hog);
  standardize_columns(htr, hte);
  if (kind == "hog") return {htr, hte};
  Tensor ptr = train_px.clone(), pte = test_px.clone();
  standardize_columns(ptr, pte);
  return {cat({htr, ptr}, 1), cat({hte, pte}, 1)};
}

int run_linear(const LinearOptions& o) {
  validate(o);
  if (o.threads > 0) omp_set_num_threads(static_cast<int>(o.threads));
  const classic::LinearLoss loss = classic::parse_linear_loss(o.loss);
  const ImageSet train = load_rows(o.data, "train", o.train_subset);
  const ImageSet test = load_rows(o.data, "t10k", o.test_subset);
  NoGradGuard no_grad;  // feature extraction builds no graph; fit enables gradients itself
  const auto [xtr, xte] = make_features(o.features, train.images, test.images);
  std::printf("Fashion-MNIST: %lld training, %lld test images; %s features (%lld per image)\n",
              static_cast<long long>(train.size()), static_cast<long long>(test.size()), o.features.c_str(),
              static_cast<long long>(xtr.size(1)));
  std::fflush(stdout);

  const int64_t classes = static_cast<int64_t>(fashion_class_names().size());
  classic::LinearClassifierOptions opt;
  opt.loss = loss;
  opt.reg = o.reg;
  opt.lr = o.lr;
  opt.epochs = o.epochs;
  opt.batch_size = o.batch_size;
  opt.schedule = o.schedule == "cosine" ? classic::LRSchedule::Cosine : classic::LRSchedule::Step;
  opt.seed = static_cast<uint64_t>(o.seed);
  classic::LinearClassifier clf(opt);
  const double cpu0 = static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
  {
    autograd::EnableGradGuard grad;
    clf.fit(xtr, train.labels, classes);
  }
  const double cpu_s = static_cast<double>(std::clock()) / CLOCKS_PER_SEC - cpu0;
  const bool softmax = loss == classic::LinearLoss::Softmax;
  std::printf("initial loss %.4f (expected %.4f = %s for %s with near-zero weights)\n", clf.initial_loss(),
              classic::expected_initial_loss(loss, classes), softmax ? "ln C" : "C - 1",
              classic::to_string(loss).c_str());
  for (size_t e = 0; e < clf.loss_history().size(); ++e)
    std::printf("epoch %zu: mean training loss %.4f\n", e + 1, clf.loss_history()[e]);
  const Tensor pred = clf.predict(xte);
  const double acc = data::accuracy(pred, test.labels);
  std::printf("linear %s on %s: train accuracy %.2f%%, test accuracy %.2f%% on %lld images (training %.1f s CPU)\n",
              classic::to_string(loss).c_str(), o.features.c_str(), 100.0 * clf.score(xtr, train.labels), 100.0 * acc,
              static_cast<long long>(test.size()), cpu_s);
  const std::vector<std::string>& names = fashion_class_names();
  const std::vector<double> per_class = data::per_class_accuracy(pred, test.labels, classes);
  std::printf("per-class accuracy:\n");
  for (size_t c = 0; c < names.size(); ++c) {
    if (std::isnan(per_class[c])) std::printf("  %-12s  –  (no test images)\n", names[c].c_str());
    else std::printf("  %-12s %6.2f%%\n", names[c].c_str(), 100.0 * per_class[c]);
  }
  if (o.features == "pixels") {
    make_output_dir(o.out, kWho);
    const std::string path = o.out + "/templates_" + classic::to_string(loss) + ".png";
    clf.write_templates_png(path, {1, 28, 28}, 10);
    std::printf("weight templates: %s\n", path.c_str());
  }
  return 0;
}

}  // namespace

Subcommand add_linear_command(CLI::App& app) {
  auto o = std::make_shared<LinearOptions>();
  CLI::App* sub = app.add_subcommand("linear", "linear SVM / softmax classifier on Fashion-MNIST pixels or HOG");
  sub->add_option("--data", o->data, "Fashion-MNIST directory (Debian package dataset-fashion-mnist)")
      ->capture_default_str();
  sub->add_option("--loss", o->loss, "svm (hinge), squared_hinge or softmax")->capture_default_str();
  sub->add_option("--features", o->features, "pixels, hog or hog+pixels")->capture_default_str();
  sub->add_option("--reg", o->reg, "L2 strength: the loss gets reg·‖W‖²")->capture_default_str();
  sub->add_option("--epochs", o->epochs, "SGD epochs")->capture_default_str();
  sub->add_option("--lr", o->lr, "learning rate (0 = 0.1 softmax, 0.03 svm, 0.01 squared_hinge)")
      ->capture_default_str();
  sub->add_option("--batch-size", o->batch_size, "minibatch size")->capture_default_str();
  sub->add_option("--schedule", o->schedule, "step (×0.1 after 3/4 of the epochs) or cosine")->capture_default_str();
  sub->add_option("--train-subset", o->train_subset, "use the first N training images (0 = all 60 000)")
      ->capture_default_str();
  sub->add_option("--test-subset", o->test_subset, "use the first N test images (0 = all 10 000)")
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "initialisation and shuffling seed")->capture_default_str();
  sub->add_option("--threads", o->threads, "OpenMP threads (0 = default)")->capture_default_str();
  sub->add_option("--out", o->out, "directory for the weight templates PNG")->capture_default_str();
  return {sub, [o] { return run_linear(*o); }};
}

}  // namespace nabla::cli
