// k-nearest neighbours on Fashion-MNIST: exact search on the raw pixel bytes with L1 or L2
// distances, optional k-fold cross-validation of k on the training set (accuracy-vs-k SVG), then
// the test accuracy with the chosen k.
//
// Usage: knn [--data DIR] [--metric l1|l2|both] [--k K] [--cv-folds F] [--cv-ks 1,3,5,...]
//            [--cv-subset N] [--train-subset N] [--test-subset N] [--svg PATH] [--min-accuracy A]
// --cv-folds 0 (default) skips cross-validation and uses --k (default 5); with folds ≥ 2 the k
// with the best mean validation accuracy is used. Prints the accuracy and the CPU and wall time
// of the search. Exits with status 1 when an accuracy is below --min-accuracy.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>

#include "nabla/classic.h"
#include "nabla/nabla.h"
#include "nabla/viz.h"

using namespace nabla;
using namespace nabla::classic;

namespace {

struct Options {
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string metric = "both";
  int64_t k = 5;
  int64_t cv_folds = 0;
  std::vector<int64_t> cv_ks = {1, 3, 5, 7, 10, 15, 20};
  int64_t cv_subset = 10000;
  int64_t train_subset = 0;  // 0 = all
  int64_t test_subset = 0;   // 0 = all
  std::string svg = "knn_cv.svg";
  double min_accuracy = 0.0;
};

std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoll(item));
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      NABLA_CHECK(i + 1 < argc, "knn: option ", a, " needs a value");
      return argv[++i];
    };
    if (a == "--data") o.data = next();
    else if (a == "--metric") o.metric = next();
    else if (a == "--k") o.k = std::stoll(next());
    else if (a == "--cv-folds") o.cv_folds = std::stoll(next());
    else if (a == "--cv-ks") o.cv_ks = parse_list(next());
    else if (a == "--cv-subset") o.cv_subset = std::stoll(next());
    else if (a == "--train-subset") o.train_subset = std::stoll(next());
    else if (a == "--test-subset") o.test_subset = std::stoll(next());
    else if (a == "--svg") o.svg = next();
    else if (a == "--min-accuracy") o.min_accuracy = std::stod(next());
    else throw Error(str_cat("knn: unknown option ", a));
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options opt = parse(argc, argv);
  const Tensor xtr = read_idx_images(opt.data + "/train-images-idx3-ubyte.gz", opt.train_subset);
  const Tensor ytr = read_idx_labels(opt.data + "/train-labels-idx1-ubyte.gz", opt.train_subset);
  const Tensor xte = read_idx_images(opt.data + "/t10k-images-idx3-ubyte.gz", opt.test_subset);
  const Tensor yte = read_idx_labels(opt.data + "/t10k-labels-idx1-ubyte.gz", opt.test_subset);
  std::printf("train %lld × %lld bytes, test %lld rows\n", static_cast<long long>(xtr.size(0)),
              static_cast<long long>(xtr.size(1)), static_cast<long long>(xte.size(0)));

  std::vector<Metric> metrics;
  if (opt.metric == "both") metrics = {Metric::L1, Metric::L2};
  else metrics = {parse_metric(opt.metric)};

  bool ok = true;
  for (Metric metric : metrics) {
    int64_t k = opt.k;
    if (opt.cv_folds >= 2) {
      const int64_t n = opt.cv_subset > 0 ? std::min(opt.cv_subset, xtr.size(0)) : xtr.size(0);
      const CrossValidationResult cv =
          cross_validate_k(xtr.narrow(0, 0, n), ytr.narrow(0, 0, n), opt.cv_ks, opt.cv_folds, metric);
      const auto mu = cv.mean(), sd = cv.std();
      for (size_t i = 0; i < cv.ks.size(); ++i)
        std::printf("  %s cv k=%-3lld accuracy %.4f ± %.4f\n", metric_name(metric).c_str(),
                    static_cast<long long>(cv.ks[i]), mu[i], sd[i]);
      k = cv.best_k();
      std::string path = opt.svg;
      if (metrics.size() > 1) {
        const size_t dot = path.rfind('.');
        path = dot == std::string::npos ? path + "_" + metric_name(metric)
                                        : path.substr(0, dot) + "_" + metric_name(metric) + path.substr(dot);
      }
      viz::write_text_atomic(path, cross_validation_svg(cv, str_cat("k-NN (", metric_name(metric), ") on ", n,
                                                                   " training images, ", opt.cv_folds, " folds")));
      std::printf("  %s best k = %lld (plot: %s)\n", metric_name(metric).c_str(), static_cast<long long>(k),
                  path.c_str());
    }
    KNearestNeighbors model(k, metric);
    model.fit(xtr, ytr);
    const std::clock_t c0 = std::clock();
    const auto w0 = std::chrono::steady_clock::now();
    const Tensor pred = model.predict(xte);
    const double cpu_s = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    const double acc = data::accuracy(pred, yte);
    std::printf("%s k=%lld: test accuracy %.4f  (search: %.2f s CPU, %.2f s wall)\n", metric_name(metric).c_str(),
                static_cast<long long>(k), acc, cpu_s, wall_s);
    ok = ok && acc >= opt.min_accuracy;
  }
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
