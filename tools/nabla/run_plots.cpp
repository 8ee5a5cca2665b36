#include "run_plots.h"

#include <cstdio>

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

void write_confusion(const std::string& dir, const train::EvalResult& result, const std::vector<std::string>& class_names) {
  std::vector<double> values(result.confusion.begin(), result.confusion.end());
  std::vector<std::string> names = class_names;
  names.resize(result.num_classes);
  for (int64_t i = 0; i < result.num_classes; ++i)
    if (names[i].empty()) names[i] = std::to_string(i);
  viz::write_text_atomic(dir + "/confusion_matrix.svg",
                         viz::heatmap_svg(values, result.num_classes, result.num_classes, names, names,
                                          {"Confusion matrix (test)", "predicted class", "true class"}));
}

void write_lr_find(const std::string& dir, const train::LrFindResult& result) {
  std::string csv = "lr,loss\n";
  char line[64];
  for (size_t i = 0; i < result.lrs.size(); ++i) {
    std::snprintf(line, sizeof line, "%.6g,%.6g\n", result.lrs[i], result.losses[i]);
    csv += line;
  }
  viz::write_text_atomic(dir + "/lr_find.csv", csv);
  viz::PlotOptions opt;
  opt.title = "Learning-rate range test";
  opt.x_label = "learning rate";
  opt.y_label = "smoothed training loss";
  opt.log_x = true;
  viz::write_text_atomic(dir + "/lr_find.svg", viz::line_plot_svg({{"loss", result.lrs, result.losses}}, opt));
}

}  // namespace nabla::cli
