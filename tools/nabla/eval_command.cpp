// `nabla eval CHECKPOINT…` (checkpoints or .onnx models): accuracy, top-k accuracy, per-class
// precision/recall and the confusion matrix on the test set of the data the checkpoint was
// trained on. Several checkpoints are an ensemble: each one's accuracy, then the metrics of the
// mean of their softmax probabilities. --tta averages each model's probabilities over the image
// and its mirror.
#include <cstdio>

#include "checkpoint.h"
#include "commands.h"
#include "image_data.h"
#include "nabla/error.h"
#include "nabla/ops.h"
#include "nabla/train/evaluate.h"

namespace nabla::cli {

namespace {

void print_details(const train::EvalResult& r, const std::vector<std::string>& names) {
  const auto precision = r.precision(), recall = r.recall();
  std::printf("%-3s %-12s %9s %9s\n", "#", "class", "precision", "recall");
  for (int64_t c = 0; c < r.num_classes; ++c)
    std::printf("%-3lld %-12s %9.4f %9.4f\n", static_cast<long long>(c), c < int64_t(names.size()) ? names[c].c_str() : "",
                precision[c], recall[c]);
  std::printf("\nconfusion matrix (row = true class, column = predicted)\n     ");
  for (int64_t p = 0; p < r.num_classes; ++p) std::printf("%6lld", static_cast<long long>(p));
  std::printf("\n");
  for (int64_t t = 0; t < r.num_classes; ++t) {
    std::printf("%4lld ", static_cast<long long>(t));
    for (int64_t p = 0; p < r.num_classes; ++p)
      std::printf("%6lld", static_cast<long long>(r.confusion[t * r.num_classes + p]));
    std::printf("\n");
  }
}

void print_line(const train::EvalResult& r) {
  std::printf("test images %lld  loss %.4f  accuracy %.2f%%  top-%lld accuracy %.2f%%\n",
              static_cast<long long>(r.count), r.loss, 100 * r.acc, static_cast<long long>(r.k), 100 * r.topk_acc);
}

}  // namespace

int run_eval(const std::vector<std::string>& checkpoints, const std::string& data_dir, int64_t top_k, int64_t batch_size,
             bool tta) {
  NABLA_CHECK(!checkpoints.empty(), "nabla eval: expected at least one checkpoint");
  NABLA_CHECK(top_k > 0, "nabla eval: --top-k must be positive, got ", top_k);
  NABLA_CHECK(batch_size > 0, "nabla eval: --batch-size must be positive, got ", batch_size);
  // Weights change here only through load_state_dict: inference may keep them converted.
  ops::set_conv_weight_cache(true);
  const LoadedModel first = load_model_checkpoint(checkpoints[0]);
  const TrainConfig& trained = first.info.config;
  TrainConfig::Data source = trained.data;
  if (!data_dir.empty()) source.dir = data_dir;
  const ImageData data = load_test_data(source, static_cast<uint64_t>(trained.train.seed));
  NABLA_CHECK(!tta || data.input_shape.size() == 3, "nabla eval: --tta needs images, but ", source.name,
              " holds inputs of shape ", data.input_shape);
  const auto& names = first.info.class_names;
  Tensor labels, mean_probs;
  for (size_t i = 0; i < checkpoints.size(); ++i) {
    const LoadedModel m = i == 0 ? first : load_model_checkpoint(checkpoints[i]);
    const TrainConfig::Data& d = m.info.config.data;
    NABLA_CHECK(d.name == trained.data.name && d.classes == trained.data.classes && m.info.class_names == names,
                "nabla eval: an ensemble needs checkpoints of one task; '", checkpoints[i], "' was trained on ", d.name,
                " with ", m.info.class_names.size(), " classes, '", checkpoints[0], "' on ", trained.data.name, " with ",
                names.size());
    const ImageSet test = materialize_all(*data.test_file, m.norm);  // normalised as this model was trained
    labels = test.labels;
    const Tensor probs = train::predict_proba(*m.model, test.images, batch_size, tta);
    mean_probs = i == 0 ? probs : mean_probs + probs;
    if (checkpoints.size() == 1) {
      std::printf("checkpoint %s (model %s)%s\n", checkpoints[i].c_str(), m.spec.name.c_str(), tta ? ", flip TTA" : "");
      // Without TTA: train::evaluate's loss from the logits, as during training.
      const train::EvalResult r = tta ? train::evaluate_probabilities(probs, test.labels, top_k)
                                      : train::evaluate(*m.model, test.images, test.labels, m.spec.data.num_classes,
                                                        batch_size, top_k);
      print_line(r);
      std::printf("\n");
      print_details(r, names);
      return 0;
    }
    const train::EvalResult r = train::evaluate_probabilities(probs, test.labels, top_k);
    std::printf("model %zu: %s (model %s)%s\n  ", i + 1, checkpoints[i].c_str(), m.spec.name.c_str(), tta ? ", flip TTA" : "");
    print_line(r);
  }
  mean_probs = mean_probs * (1.0 / static_cast<double>(checkpoints.size()));
  const train::EvalResult r = train::evaluate_probabilities(mean_probs, labels, top_k);
  std::printf("ensemble of %zu (mean of the softmax probabilities)%s\n  ", checkpoints.size(), tta ? ", flip TTA" : "");
  print_line(r);
  std::printf("\n");
  print_details(r, names);
  return 0;
}

}  // namespace nabla::cli
