// `nabla eval CHECKPOINT`: accuracy, top-k accuracy, per-class precision/recall and the
// confusion matrix on the test set of the data the checkpoint was trained on.
#include <cstdio>

#include "checkpoint.h"
#include "commands.h"
#include "image_data.h"
#include "nabla/error.h"
#include "nabla/train/evaluate.h"

namespace nabla::cli {

int run_eval(const std::string& checkpoint, const std::string& data_dir, int64_t top_k, int64_t batch_size) {
  NABLA_CHECK(top_k > 0, "nabla eval: --top-k must be positive, got ", top_k);
  NABLA_CHECK(batch_size > 0, "nabla eval: --batch-size must be positive, got ", batch_size);
  const LoadedModel m = load_model_checkpoint(checkpoint);
  const TrainConfig& trained = m.info.config;
  TrainConfig::Data source = trained.data;
  if (!data_dir.empty()) source.dir = data_dir;
  const ImageData data = load_test_data(source, static_cast<uint64_t>(trained.train.seed));
  const ImageSet test = materialize_all(*data.test_file, m.norm);  // normalised as in training
  const train::EvalResult r = train::evaluate(*m.model, test.images, test.labels, m.spec.data.num_classes, batch_size, top_k);
  const auto& names = m.info.class_names;
  std::printf("checkpoint %s (model %s)\n", checkpoint.c_str(), m.spec.name.c_str());
  std::printf("test images %lld  loss %.4f  accuracy %.2f%%  top-%lld accuracy %.2f%%\n\n",
              static_cast<long long>(r.count), r.loss, 100 * r.acc, static_cast<long long>(r.k), 100 * r.topk_acc);
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
  return 0;
}

}  // namespace nabla::cli
