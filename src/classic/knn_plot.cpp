// The accuracy-vs-k plot of k-NN cross-validation.
#include "nabla/classic/knn.h"
#include "nabla/error.h"
#include "nabla/viz.h"

namespace nabla::classic {

std::string cross_validation_svg(const CrossValidationResult& cv, const std::string& title) {
  NABLA_CHECK(!cv.ks.empty() && cv.accuracy.size() == cv.ks.size(), "cross_validation_svg: expected one accuracy row per k, got ",
              cv.accuracy.size(), " rows for ", cv.ks.size(), " values of k");
  const std::vector<double> mu = cv.mean(), sd = cv.std();
  viz::Series mean{"mean", {}, {}}, upper{"mean + std", {}, {}}, lower{"mean - std", {}, {}};
  for (size_t i = 0; i < cv.ks.size(); ++i) {
    const double k = static_cast<double>(cv.ks[i]);
    mean.x.push_back(k);
    mean.y.push_back(mu[i]);
    upper.x.push_back(k);
    upper.y.push_back(mu[i] + sd[i]);
    lower.x.push_back(k);
    lower.y.push_back(mu[i] - sd[i]);
  }
  viz::PlotOptions opt;
  opt.title = title.empty() ? str_cat("k-NN cross-validation (", cv.accuracy.front().size(), " folds)") : title;
  opt.x_label = "k (neighbours)";
  opt.y_label = "validation accuracy";
  return viz::line_plot_svg({mean, upper, lower}, opt);
}

}  // namespace nabla::classic
