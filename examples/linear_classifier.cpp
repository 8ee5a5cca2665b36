// A linear classifier on Fashion-MNIST with nabla::classic::LinearClassifier (minibatch SGD on
// tensors and autograd). Two losses:
//   softmax cross-entropy  L_i = −log softmax(s)_{y_i}
//   multiclass SVM hinge   L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ), Δ = 1
// With all-zero scores the losses are ln 10 (softmax) and C − 1 = 9 (SVM): the sanity check the
// notes recommend before training.
//
// Usage: linear_classifier [--data DIR] [--loss softmax|svm|both] [--epochs N] [--train-subset N]
//                          [--batch N] [--seed N] [--lr LR] [--min-accuracy A] [--templates PREFIX]
// --templates writes PREFIX_<loss>.png, the weights of each class as a 28×28 image.
// Exits with status 1 when a test accuracy is below --min-accuracy (used by the tests).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "fashion_mnist.h"
#include "nabla/classic/linear_classifier.h"
#include "nabla/nabla.h"

using namespace nabla;

namespace {

struct Options {
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string loss = "both";
  int epochs = 6;
  int64_t train_subset = 0;  // 0 = all 60 000
  int64_t batch = 256;
  uint64_t seed = 0;
  double min_accuracy = 0.0;
  double lr = 0.0;  // 0 = the loss's default
  std::string templates;
};

double train(const std::string& loss_name, const examples::Split& train_set, const examples::Split& test_set,
             const Options& opt) {
  const classic::LinearLoss loss = classic::parse_linear_loss(loss_name);
  const int64_t classes = 10;
  {
    NoGradGuard no_grad;
    const double initial =
        classic::linear_classifier_loss(zeros({train_set.x.size(0), classes}), train_set.y, loss).item();
    const bool svm = loss != classic::LinearLoss::Softmax;
    std::printf("[%s] initial loss %.4f (expected %.4f: %s)\n", loss_name.c_str(), initial,
                svm ? classes - 1.0 : std::log(double(classes)), svm ? "C - 1" : "ln C");
  }
  classic::LinearClassifier clf({.loss = loss, .lr = opt.lr, .epochs = opt.epochs, .batch_size = opt.batch,
                                 .seed = opt.seed, .verbose = true});
  const auto start = std::chrono::steady_clock::now();
  clf.fit(train_set.x, train_set.y, classes);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double acc = clf.score(test_set.x, test_set.y);
  std::printf("[%s] train accuracy %.4f  test accuracy %.4f  (%.1f s)\n", loss_name.c_str(),
              clf.score(train_set.x, train_set.y), acc, secs);
  if (!opt.templates.empty()) {
    const std::string path = opt.templates + "_" + loss_name + ".png";
    clf.write_templates_png(path, {1, 28, 28}, 10);
    std::printf("[%s] templates written to %s\n", loss_name.c_str(), path.c_str());
  }
  return acc;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      NABLA_CHECK(i + 1 < argc, "linear_classifier: option ", a, " needs a value");
      return argv[++i];
    };
    if (a == "--data") o.data = value();
    else if (a == "--loss") o.loss = value();
    else if (a == "--epochs") o.epochs = std::stoi(value());
    else if (a == "--train-subset") o.train_subset = std::stoll(value());
    else if (a == "--batch") o.batch = std::stoll(value());
    else if (a == "--seed") o.seed = std::stoull(value());
    else if (a == "--min-accuracy") o.min_accuracy = std::stod(value());
    else if (a == "--lr") o.lr = std::stod(value());
    else if (a == "--templates") o.templates = value();
    else throw Error("linear_classifier: unknown option " + a +
                     " (valid: --data --loss --epochs --train-subset --batch --seed --lr --min-accuracy --templates)");
  }
  NABLA_CHECK(o.loss == "softmax" || o.loss == "svm" || o.loss == "both", "linear_classifier: --loss must be softmax, svm or both, got ", o.loss);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options opt = parse(argc, argv);
    examples::Split train_set = examples::head(examples::load_split(opt.data, true), opt.train_subset);
    examples::Split test_set = examples::load_split(opt.data, false);
    // Preprocessing from the notes: subtract the mean image of the training set, then scale by
    // the training set's overall standard deviation (one number: border pixels have no spread).
    const Tensor mean_image = train_set.x.mean({0}, true);
    const double scale = 1.0 / nabla::std(train_set.x - mean_image).item();
    train_set.x = (train_set.x - mean_image) * scale;
    test_set.x = (test_set.x - mean_image) * scale;
    std::printf("Fashion-MNIST: %lld train, %lld test images\n", (long long)train_set.x.size(0),
                (long long)test_set.x.size(0));
    bool ok = true;
    for (const std::string loss : {"softmax", "svm"}) {
      if (opt.loss != "both" && opt.loss != loss) continue;
      ok = train(loss, train_set, test_set, opt) >= opt.min_accuracy && ok;
    }
    if (!ok) {
      std::fprintf(stderr, "linear_classifier: test accuracy below --min-accuracy %.3f\n", opt.min_accuracy);
      return 1;
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    if (std::strstr(e.what(), "No such file")) std::fprintf(stderr, "hint: apt-get install dataset-fashion-mnist\n");
    return 2;
  }
}
