// `nabla knn`: k-nearest neighbours on the Fashion-MNIST pixel bytes (exact L1/L2 search of
// nabla::classic), optionally choosing k by k-fold cross-validation on the training set, then the
// test accuracy overall and per class.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>

#include "classic_commands.h"
#include "image_data.h"
#include "nabla/classic/knn.h"
#include "nabla/data/metrics.h"
#include "nabla/error.h"
#include "nabla/viz.h"

namespace nabla::cli {
namespace {

struct KnnOptions {
  std::string data = data::FashionMNIST::kDefaultRoot;
  std::string metric = "l2";
  int64_t k = 5;
  std::string weights = "uniform";
  int64_t cv_folds = 0;
  std::vector<int64_t> cv_ks = {1, 3, 5, 7, 10, 15, 20};
  int64_t train_subset = 0;
  int64_t test_subset = 0;
  int64_t threads = 0;
  std::string out = "runs/knn";
};

constexpr const char* kWho = "nabla knn";

classic::Weights parse_weights(const std::string& name) {
  if (name == "uniform") return classic::Weights::Uniform;
  if (name == "distance") return classic::Weights::Distance;
  throw Error(str_cat(kWho, ": --weights must be uniform or distance, got '", name, "'"));
}

void validate(const KnnOptions& o) {
  NABLA_CHECK(o.metric == "l1" || o.metric == "l2", kWho, ": --metric must be l1 or l2, got '", o.metric, "'");
  parse_weights(o.weights);
  NABLA_CHECK(o.k >= 1, kWho, ": --k must be >= 1, got ", o.k);
  NABLA_CHECK(o.cv_folds == 0 || o.cv_folds >= 2, kWho, ": --cv-folds must be 0 (no cross-validation) or >= 2, got ",
              o.cv_folds);
  NABLA_CHECK(!o.cv_ks.empty(), kWho, ": --cv-k needs at least one k");
  for (int64_t k : o.cv_ks) NABLA_CHECK(k >= 1, kWho, ": every --cv-k value must be >= 1, got ", o.cv_ks);
  NABLA_CHECK(o.train_subset >= 0, kWho, ": --train-subset must be >= 0 (0 = all), got ", o.train_subset);
  NABLA_CHECK(o.test_subset >= 0, kWho, ": --test-subset must be >= 0 (0 = all), got ", o.test_subset);
  NABLA_CHECK(o.threads >= 0, kWho, ": --threads must be >= 0 (0 = OpenMP default), got ", o.threads);
}

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// Runs the cross-validation, prints its table and writes the SVG; returns the best k.
int64_t choose_k(const Tensor& x, const Tensor& y, classic::Metric metric, classic::Weights weights,
                 const KnnOptions& o) {
  const classic::CrossValidationResult cv = classic::cross_validate_k(x, y, o.cv_ks, o.cv_folds, metric, 0, weights);
  const std::vector<double> mean = cv.mean(), sd = cv.std();
  std::printf("%lld-fold cross-validation on %lld training images (%s, %s):\n", static_cast<long long>(o.cv_folds),
              static_cast<long long>(x.size(0)), classic::metric_name(metric).c_str(), o.weights.c_str());
  std::printf("  %4s  %s\n", "k", "accuracy (mean ± std over folds)");
  const int64_t best = cv.best_k();
  for (size_t i = 0; i < cv.ks.size(); ++i)
    std::printf("  %4lld  %.4f ± %.4f%s\n", static_cast<long long>(cv.ks[i]), mean[i], sd[i],
                cv.ks[i] == best ? "  <- best" : "");
  std::printf("best k = %lld\n", static_cast<long long>(best));
  make_output_dir(o.out, kWho);
  const std::string path = o.out + "/knn_cv_" + classic::metric_name(metric) + ".svg";
  viz::write_text_atomic(path, classic::cross_validation_svg(
                                   cv, str_cat("k-NN (", classic::metric_name(metric), ") on ", x.size(0),
                                               " Fashion-MNIST training images, ", o.cv_folds, " folds")));
  std::printf("accuracy-vs-k plot: %s\n", path.c_str());
  return best;
}

int run_knn(const KnnOptions& o) {
  validate(o);
  if (o.threads > 0) omp_set_num_threads(static_cast<int>(o.threads));
  const classic::Metric metric = classic::parse_metric(o.metric);
  const classic::Weights weights = parse_weights(o.weights);
  const Tensor xtr =
      classic::read_idx_images(fashion_mnist_path(o.data, "train", "images", kWho), o.train_subset);
  const Tensor ytr = classic::read_idx_labels(fashion_mnist_path(o.data, "train", "labels", kWho), o.train_subset);
  const Tensor xte =
      classic::read_idx_images(fashion_mnist_path(o.data, "t10k", "images", kWho), o.test_subset);
  const Tensor yte = classic::read_idx_labels(fashion_mnist_path(o.data, "t10k", "labels", kWho), o.test_subset);
  std::printf("Fashion-MNIST: %lld training, %lld test images of %lld pixel bytes\n", static_cast<long long>(xtr.size(0)),
              static_cast<long long>(xte.size(0)), static_cast<long long>(xtr.size(1)));
  std::fflush(stdout);

  const int64_t k = o.cv_folds >= 2 ? choose_k(xtr, ytr, metric, weights, o) : o.k;
  NABLA_CHECK(k <= xtr.size(0), kWho, ": --k ", k, " is larger than the ", xtr.size(0), " training images");
  classic::KNearestNeighbors model(k, metric, weights);
  model.fit(xtr, ytr);
  const double cpu0 = cpu_seconds();
  const auto wall0 = std::chrono::steady_clock::now();
  const Tensor pred = model.predict(xte);
  const double cpu_s = cpu_seconds() - cpu0;
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double acc = data::accuracy(pred, yte);
  std::printf("k-NN (%s, k=%lld, %s): test accuracy %.2f%% on %lld images (search %.2f s CPU, %.2f s wall)\n",
              classic::metric_name(metric).c_str(), static_cast<long long>(k), o.weights.c_str(), 100.0 * acc,
              static_cast<long long>(xte.size(0)), cpu_s, wall_s);
  const std::vector<std::string>& names = fashion_class_names();
  const std::vector<double> per_class = data::per_class_accuracy(pred, yte, static_cast<int64_t>(names.size()));
  std::printf("per-class accuracy:\n");
  for (size_t c = 0; c < names.size(); ++c) {
    if (std::isnan(per_class[c])) std::printf("  %-12s  –  (no test images)\n", names[c].c_str());
    else std::printf("  %-12s %6.2f%%\n", names[c].c_str(), 100.0 * per_class[c]);
  }
  return 0;
}

}  // namespace

Subcommand add_knn_command(CLI::App& app) {
  auto o = std::make_shared<KnnOptions>();
  CLI::App* sub = app.add_subcommand("knn", "k-nearest neighbours on Fashion-MNIST pixels (L1/L2, k-fold CV of k)");
  sub->add_option("--data", o->data, "Fashion-MNIST directory (Debian package dataset-fashion-mnist)")
      ->capture_default_str();
  sub->add_option("--metric", o->metric, "distance: l1 or l2")->capture_default_str();
  sub->add_option("--k", o->k, "neighbours (ignored with --cv-folds: the best k is used)")->capture_default_str();
  sub->add_option("--weights", o->weights, "vote: uniform or distance (1/distance)")->capture_default_str();
  sub->add_option("--cv-folds", o->cv_folds, "k-fold cross-validation of k on the training images (0 = none)")
      ->capture_default_str();
  sub->add_option("--cv-k", o->cv_ks, "candidate k values, comma-separated")->delimiter(',')->capture_default_str();
  sub->add_option("--train-subset", o->train_subset, "use the first N training images (0 = all 60 000)")
      ->capture_default_str();
  sub->add_option("--test-subset", o->test_subset, "use the first N test images (0 = all 10 000)")
      ->capture_default_str();
  sub->add_option("--threads", o->threads, "OpenMP threads (0 = default)")->capture_default_str();
  sub->add_option("--out", o->out, "directory for the cross-validation plot")->capture_default_str();
  return {sub, [o] { return run_knn(*o); }};
}

}  // namespace nabla::cli
