// A linear classifier on Fashion-MNIST, trained with minibatch SGD using only tensors and
// autograd. Two losses, both written from tensor ops:
//   softmax cross-entropy  L_i = −log softmax(s)_{y_i}
//   multiclass SVM hinge   L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ), Δ = 1
// With near-zero weights every score is ≈0, so the initial losses are ≈ ln 10 (softmax) and
// ≈ C − 1 = 9 (SVM): the sanity check the notes recommend before training.
//
// Usage: linear_classifier [--data DIR] [--loss softmax|svm|both] [--epochs N] [--train-subset N]
//                          [--batch N] [--seed N] [--lr LR] [--min-accuracy A]
// Exits with status 1 when a test accuracy is below --min-accuracy (used by the tests).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "nabla/io/idx.h"
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
};

struct Split {
  Tensor x;  // (N, 784) float32, pixels/255 minus the training mean image
  Tensor y;  // (N,) int64
};

Tensor load_images(const std::string& path) {
  io::IdxBytes raw = io::read_idx_u8(path);
  NABLA_CHECK(raw.shape.size() == 3, path, ": expected an (N, 28, 28) image file, got shape ", raw.shape);
  const int64_t n = raw.shape[0], d = raw.shape[1] * raw.shape[2];
  Tensor x = empty({n, d});
  float* p = x.data_ptr<float>();
  for (int64_t i = 0; i < n * d; ++i) p[i] = raw.data[i] / 255.0f;
  return x;
}

Tensor load_labels(const std::string& path) {
  io::IdxBytes raw = io::read_idx_u8(path);
  NABLA_CHECK(raw.shape.size() == 1, path, ": expected a label file of shape (N), got shape ", raw.shape);
  Tensor y = empty({raw.shape[0]}, DType::Int64);
  int64_t* p = y.data_ptr<int64_t>();
  for (size_t i = 0; i < raw.data.size(); ++i) p[i] = raw.data[i];
  return y;
}

// Softmax cross-entropy from logits, averaged over the batch.
Tensor softmax_loss(const Tensor& scores, const Tensor& y) {
  return neg(gather(log_softmax(scores, 1), 1, y.unsqueeze(1)).mean());
}

// Multiclass SVM hinge loss with margin Δ, averaged over the batch. The correct class's own term
// is max(0, Δ) = Δ for every example and its gradient cancels, so it is subtracted once.
Tensor svm_loss(const Tensor& scores, const Tensor& y, double margin = 1.0) {
  Tensor correct = gather(scores, 1, y.unsqueeze(1));
  Tensor margins = relu(scores - correct + margin);
  return margins.sum() / static_cast<double>(scores.size(0)) - margin;
}

double accuracy(const Tensor& W, const Tensor& b, const Split& s) {
  NoGradGuard no_grad;
  Tensor pred = argmax(matmul(s.x, W) + b, 1);
  return eq(pred, s.y).to(DType::Float64).mean().item();
}

double train(const std::string& loss_name, const Split& train_set, const Split& test_set, const Options& opt) {
  const bool svm = loss_name == "svm";
  auto loss_fn = [&](const Tensor& s, const Tensor& y) { return svm ? svm_loss(s, y) : softmax_loss(s, y); };
  Generator gen(opt.seed);
  const int64_t n = train_set.x.size(0), d = train_set.x.size(1), classes = 10;
  Tensor W = (randn({d, classes}, DType::Float32, &gen) * 1e-3).requires_grad_();
  Tensor b = zeros({classes}).requires_grad_();
  const double reg = 1e-4;
  double lr = opt.lr > 0 ? opt.lr : (svm ? 0.03 : 0.1);

  {
    NoGradGuard no_grad;
    const double initial = loss_fn(matmul(train_set.x, W) + b, train_set.y).item();
    std::printf("[%s] initial loss %.4f (expected %.4f: %s)\n", loss_name.c_str(), initial,
                svm ? classes - 1.0 : std::log(double(classes)), svm ? "C - 1" : "ln C");
  }
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    const Tensor perm = randperm(n, &gen);
    double total = 0;
    int64_t batches = 0;
    for (int64_t i = 0; i + opt.batch <= n; i += opt.batch) {
      const Tensor idx = perm.narrow(0, i, opt.batch);
      const Tensor xb = index_select(train_set.x, 0, idx), yb = index_select(train_set.y, 0, idx);
      Tensor loss = loss_fn(matmul(xb, W) + b, yb) + (W * W).sum() * reg;
      W.zero_grad();
      b.zero_grad();
      loss.backward();
      {
        NoGradGuard no_grad;
        W.sub_(W.grad() * lr);
        b.sub_(b.grad() * lr);
      }
      total += loss.item();
      ++batches;
    }
    if (epoch == opt.epochs * 3 / 4) lr *= 0.1;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[%s] epoch %d  loss %.4f  train acc %.4f  (%.1f s)\n", loss_name.c_str(), epoch + 1,
                total / std::max<int64_t>(batches, 1), accuracy(W, b, train_set), secs);
  }
  const double acc = accuracy(W, b, test_set);
  std::printf("[%s] test accuracy %.4f\n", loss_name.c_str(), acc);
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
    else throw Error("linear_classifier: unknown option " + a +
                     " (valid: --data --loss --epochs --train-subset --batch --seed --lr --min-accuracy)");
  }
  NABLA_CHECK(o.loss == "softmax" || o.loss == "svm" || o.loss == "both", "linear_classifier: --loss must be softmax, svm or both, got ", o.loss);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options opt = parse(argc, argv);
    const std::string dir = opt.data;
    Split train_set{load_images(dir + "/train-images-idx3-ubyte.gz"), load_labels(dir + "/train-labels-idx1-ubyte.gz")};
    Split test_set{load_images(dir + "/t10k-images-idx3-ubyte.gz"), load_labels(dir + "/t10k-labels-idx1-ubyte.gz")};
    if (opt.train_subset > 0 && opt.train_subset < train_set.x.size(0)) {
      train_set.x = train_set.x.narrow(0, 0, opt.train_subset);
      train_set.y = train_set.y.narrow(0, 0, opt.train_subset);
    }
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
