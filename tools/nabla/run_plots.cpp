#include "run_plots.h"

#include "nabla/viz.h"

namespace nabla::cli {

void write_curves(const std::string& dir, const std::vector<double>& epochs, const std::vector<double>& train_loss,
                  const std::vector<double>& val_loss, const std::vector<double>& train_acc,
                  const std::vector<double>& val_acc) {
  if (epochs.empty()) return;
  auto two = [&](const std::vector<double>& train, const std::vector<double>& val) {
    std::vector<viz::Series> s = {{"train", epochs, train}};
    if (val.size() == epochs.size()) s.push_back({"validation", epochs, val});
    return s;
  };
  viz::write_text_atomic(dir + "/curves_loss.svg",
                         viz::line_plot_svg(two(train_loss, val_loss), {"Loss per epoch", "epoch", "cross-entropy loss"}));
  viz::write_text_atomic(dir + "/curves_accuracy.svg",
                         viz::line_plot_svg(two(train_acc, val_acc), {"Accuracy per epoch", "epoch", "accuracy"}));
}

void write_confusion(const std::string& dir, const EvalResult& result, const std::vector<std::string>& class_names) {
  std::vector<double> values(result.confusion.begin(), result.confusion.end());
  std::vector<std::string> names = class_names;
  names.resize(result.num_classes);
  for (int64_t i = 0; i < result.num_classes; ++i)
    if (names[i].empty()) names[i] = std::to_string(i);
  viz::write_text_atomic(dir + "/confusion_matrix.svg",
                         viz::heatmap_svg(values, result.num_classes, result.num_classes, names, names,
                                          {"Confusion matrix (test)", "predicted class", "true class"}));
}

}  // namespace nabla::cli
