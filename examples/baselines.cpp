// Classic baselines on Fashion-MNIST with nabla::classic: linear SVM and softmax on pixels,
// PCA + linear SVM, HOG + linear SVM, k-means on PCA features, and a t-SNE map of test images.
//
// Usage: baselines [--data DIR] [--train-subset N] [--epochs N] [--pca N] [--tsne-n N]
//                  [--tsne-iter N] [--out DIR] [--only NAME[,NAME...]]
//   NAME is one of svm, softmax, pca, hog, kmeans, tsne (default: all).
// Writes DIR/templates_svm.png, DIR/templates_softmax.png and DIR/tsne.svg (DIR defaults to ".").
// Times are process CPU seconds (std::clock), so with OMP_NUM_THREADS=1 they are one core's time.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "fashion_mnist.h"
#include "nabla/classic.h"
#include "nabla/nabla.h"
#include "nabla/viz.h"

using namespace nabla;

namespace {

struct Options {
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string out = ".";
  int64_t train_subset = 0;
  int64_t epochs = 10;
  int64_t pca = 50;
  int64_t tsne_n = 2000;
  int64_t tsne_iter = 1000;
  std::set<std::string> only;
};

struct Row {
  std::string method;
  double accuracy;
  double cpu_seconds;
};

double cpu_now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// Standardises columns by the training set's mean and std (std 0 → 1).
void standardize(Tensor& train, Tensor& test) {
  const Tensor mu = train.mean({0}, true);
  Tensor sd = nabla::std(train, {0}, 1, true);
  sd = where(gt(sd, 1e-8), sd, ones_like(sd));
  train = (train - mu) / sd;
  test = (test - mu) / sd;
}

Row run_linear(const std::string& name, classic::LinearLoss loss, const Tensor& xtr, const Tensor& ytr,
               const Tensor& xte, const Tensor& yte, const Options& opt, const std::string& templates_png) {
  const double t0 = cpu_now();
  classic::LinearClassifier clf({.loss = loss, .epochs = opt.epochs, .schedule = classic::LRSchedule::Cosine});
  clf.fit(xtr, ytr, 10);
  const double secs = cpu_now() - t0;
  const double acc = clf.score(xte, yte);
  std::printf("%-30s test accuracy %.4f  (train acc %.4f, %.1f CPU s)\n", name.c_str(), acc, clf.score(xtr, ytr), secs);
  std::fflush(stdout);
  if (!templates_png.empty()) clf.write_templates_png(templates_png, {1, 28, 28}, 10);
  return {name, acc, secs};
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      NABLA_CHECK(i + 1 < argc, "baselines: option ", a, " needs a value");
      return argv[++i];
    };
    if (a == "--data") o.data = value();
    else if (a == "--out") o.out = value();
    else if (a == "--train-subset") o.train_subset = std::stoll(value());
    else if (a == "--epochs") o.epochs = std::stoll(value());
    else if (a == "--pca") o.pca = std::stoll(value());
    else if (a == "--tsne-n") o.tsne_n = std::stoll(value());
    else if (a == "--tsne-iter") o.tsne_iter = std::stoll(value());
    else if (a == "--only") {
      std::stringstream ss(value());
      for (std::string part; std::getline(ss, part, ',');) {
        NABLA_CHECK(part == "svm" || part == "softmax" || part == "pca" || part == "hog" || part == "kmeans" ||
                        part == "tsne",
                    "baselines: --only takes svm, softmax, pca, hog, kmeans or tsne, got ", part);
        o.only.insert(part);
      }
    } else
      throw Error("baselines: unknown option " + a +
                  " (valid: --data --out --train-subset --epochs --pca --tsne-n --tsne-iter --only)");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options opt = parse(argc, argv);
    auto want = [&](const char* name) { return opt.only.empty() || opt.only.count(name) > 0; };
    const examples::Split train_raw = examples::head(examples::load_split(opt.data, true), opt.train_subset);
    const examples::Split test_raw = examples::load_split(opt.data, false);
    std::printf("Fashion-MNIST: %lld train, %lld test images\n", (long long)train_raw.x.size(0),
                (long long)test_raw.x.size(0));
    std::vector<Row> rows;

    // Pixels: mean image subtracted, scaled by the overall std (as examples/linear_classifier).
    const Tensor mean_image = train_raw.x.mean({0}, true);
    const double scale = 1.0 / nabla::std(train_raw.x - mean_image).item();
    const Tensor xtr = (train_raw.x - mean_image) * scale, xte = (test_raw.x - mean_image) * scale;
    if (want("svm"))
      rows.push_back(run_linear("linear SVM (pixels)", classic::LinearLoss::Hinge, xtr, train_raw.y, xte, test_raw.y,
                                opt, opt.out + "/templates_svm.png"));
    if (want("softmax"))
      rows.push_back(run_linear("softmax (pixels)", classic::LinearLoss::Softmax, xtr, train_raw.y, xte, test_raw.y,
                                opt, opt.out + "/templates_softmax.png"));

    // PCA features (fitted on the training images), shared by PCA + SVM, k-means and t-SNE.
    Tensor ptr, pte;
    if (want("pca") || want("kmeans") || want("tsne")) {
      const double t0 = cpu_now();
      classic::PCA pca({.n_components = opt.pca});
      ptr = pca.fit_transform(train_raw.x);
      pte = pca.transform(test_raw.x);
      const double secs = cpu_now() - t0;
      std::printf("PCA-%lld: %.1f%% of the variance  (fit + transform %.1f CPU s)\n", (long long)opt.pca,
                  100.0 * pca.explained_variance_ratio().sum().item(), secs);
      rows.push_back({"PCA-" + std::to_string(opt.pca) + " fit (" +
                          std::to_string(int(std::round(100 * pca.explained_variance_ratio().sum().item()))) +
                          "% variance)",
                      NAN, secs});
    }
    if (want("pca")) {
      Tensor a = ptr, b = pte;
      standardize(a, b);
      rows.push_back(run_linear("PCA-" + std::to_string(opt.pca) + " + linear SVM", classic::LinearLoss::Hinge, a,
                                train_raw.y, b, test_raw.y, opt, ""));
    }
    if (want("hog")) {
      const double t0 = cpu_now();
      const classic::HOGOptions hog_opt;  // 9 bins, 4×4 cells, 2×2 blocks, L2-Hys
      Tensor htr = classic::hog_batch(train_raw.x.reshape({-1, 28, 28}), hog_opt);
      Tensor hte = classic::hog_batch(test_raw.x.reshape({-1, 28, 28}), hog_opt);
      const double secs = cpu_now() - t0;
      std::printf("HOG: %lld features per image  (%.1f CPU s for %lld images)\n", (long long)htr.size(1), secs,
                  (long long)(htr.size(0) + hte.size(0)));
      rows.push_back({"HOG extraction (" + std::to_string(htr.size(1)) + " features)", NAN, secs});
      standardize(htr, hte);
      rows.push_back(run_linear("HOG + linear SVM", classic::LinearLoss::Hinge, htr, train_raw.y, hte, test_raw.y, opt, ""));
      rows.push_back(run_linear("HOG + softmax", classic::LinearLoss::Softmax, htr, train_raw.y, hte, test_raw.y, opt, ""));
      // A richer descriptor: HOG at two cell sizes (4 and 7 pixels) plus the pixels themselves.
      const double t1 = cpu_now();
      const classic::HOGOptions coarse{.cell_size = 7};
      Tensor ctr = classic::hog_batch(train_raw.x.reshape({-1, 28, 28}), coarse);
      Tensor cte = classic::hog_batch(test_raw.x.reshape({-1, 28, 28}), coarse);
      const double secs_coarse = cpu_now() - t1;
      standardize(ctr, cte);
      Tensor ptr_std = train_raw.x.clone(), pte_std = test_raw.x.clone();
      standardize(ptr_std, pte_std);
      const Tensor rtr = cat({htr, ctr, ptr_std}, 1), rte = cat({hte, cte, pte_std}, 1);
      Row rich = run_linear("HOG 4+7 + pixels + linear SVM", classic::LinearLoss::Hinge, rtr, train_raw.y, rte,
                            test_raw.y, opt, "");
      rich.cpu_seconds += secs_coarse;
      rows.push_back(rich);
    }
    if (want("kmeans")) {
      // k-means with k = 10 on the PCA features: cluster purity (each cluster votes its majority label).
      const double t0 = cpu_now();
      classic::KMeans km({.n_clusters = 10, .n_init = 3, .seed = 0});
      km.fit(ptr);
      const double secs = cpu_now() - t0;
      const std::vector<int64_t> cl = km.labels().to_vector<int64_t>(), y = train_raw.y.to_vector<int64_t>();
      std::vector<std::map<int64_t, int64_t>> votes(10);
      for (size_t i = 0; i < cl.size(); ++i) ++votes[cl[i]][y[i]];
      int64_t majority = 0;
      for (const auto& v : votes) {
        int64_t best = 0;
        for (const auto& [label, count] : v) best = std::max(best, count);
        majority += best;
      }
      const double purity = static_cast<double>(majority) / static_cast<double>(cl.size());
      std::printf("k-means (k=10, PCA-%lld)         purity %.4f  inertia %.4g  (%lld iterations, %.1f CPU s)\n",
                  (long long)opt.pca, purity, km.inertia(), (long long)km.n_iter(), secs);
      rows.push_back({"k-means k=10 purity (train)", purity, secs});
    }
    if (want("tsne")) {
      const int64_t n = std::min(opt.tsne_n, pte.size(0));
      const double t0 = cpu_now();
      classic::TSNE tsne({.max_iter = opt.tsne_iter, .verbose = true});
      const Tensor emb = tsne.fit_transform(pte.narrow(0, 0, n));
      const double secs = cpu_now() - t0;
      const std::string path = opt.out + "/tsne.svg";
      viz::write_text_atomic(path, classic::embedding_scatter_svg(emb, test_raw.y.narrow(0, 0, n).contiguous(),
                                                                  examples::class_names(),
                                                                  "t-SNE of " + std::to_string(n) +
                                                                      " Fashion-MNIST test images (PCA-" +
                                                                      std::to_string(opt.pca) + ")"));
      std::printf("t-SNE of %lld test images: KL %.4f  (%.1f CPU s) -> %s\n", (long long)n, tsne.kl_divergence(), secs,
                  path.c_str());
      rows.push_back({"t-SNE " + std::to_string(n) + " points", NAN, secs});
    }

    std::printf("\n| method | test accuracy | CPU s |\n|---|---|---|\n");
    for (const Row& r : rows) {
      if (std::isnan(r.accuracy)) std::printf("| %s | – | %.1f |\n", r.method.c_str(), r.cpu_seconds);
      else std::printf("| %s | %.4f | %.1f |\n", r.method.c_str(), r.accuracy, r.cpu_seconds);
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    if (std::strstr(e.what(), "No such file")) std::fprintf(stderr, "hint: apt-get install dataset-fashion-mnist\n");
    return 2;
  }
}
