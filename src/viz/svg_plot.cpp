// SVG line plots, scatter plots and heatmaps for nabla::viz.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "nabla/error.h"
#include "nabla/viz.h"

namespace nabla::viz {
namespace {

// Ten distinguishable colours (one per class of the MNIST-family datasets), then they repeat.
const char* const kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
const char* colour(size_t i) { return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))]; }

std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A number for an axis tick: short, without trailing zeros.
std::string tick_label(double v) {
  if (v == 0) return "0";
  char buf[32];
  double a = std::fabs(v);
  if (a >= 1e5 || a < 1e-3) std::snprintf(buf, sizeof buf, "%.0e", v);
  else std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// One axis: data range [lo, hi] mapped onto pixels [p0, p1], linear or log10.
struct Axis {
  double lo, hi;
  bool log;
  double p0, p1;
  double map(double v) const {
    double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi;
    double t = ((log ? std::log10(v) : v) - a) / (b - a);
    return p0 + t * (p1 - p0);
  }
  // Tick positions: 1/2/5 × 10^k steps for linear axes, powers of ten for log axes.
  std::vector<double> ticks() const {
    std::vector<double> out;
    if (log) {
      for (double e = std::floor(std::log10(lo)); e <= std::ceil(std::log10(hi)); ++e) {
        double v = std::pow(10.0, e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push_back(v);
      }
      if (out.size() < 2) out = {lo, hi};
      return out;
    }
    double raw = (hi - lo) / 6, mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag * (raw / mag < 1.5 ? 1 : raw / mag < 3.5 ? 2 : raw / mag < 7.5 ? 5 : 10);
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
      out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
    return out;
  }
};

// Range of finite values (positive only for log axes), padded by 5 % on linear axes.
Axis make_axis(const std::vector<const std::vector<double>*>& data, bool log, double p0, double p1,
               const char* what) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* values : data)
    for (double v : *values) {
      if (!std::isfinite(v)) continue;
      NABLA_CHECK(!log || v > 0, "viz: log ", what, " axis needs positive values, got ", v);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) lo = log ? 1 : 0, hi = log ? 10 : 1;
  if (log) {
    if (hi <= lo) lo /= 2, hi *= 2;
  } else {
    if (hi <= lo) lo -= 0.5, hi += 0.5;
    double pad = (hi - lo) * 0.05;
    lo -= pad, hi += pad;
  }
  return Axis{lo, hi, log, p0, p1};
}

// Layout of one plot: the frame, margins and the two axes.
struct Frame {
  double left = 70, right = 20, top = 40, bottom = 55;
};

// Header, title, grid, ticks and axis labels; the caller adds the marks and closes </svg>.
void begin_plot(std::ostringstream& os, const PlotOptions& opt, const Axis& x, const Axis& y) {
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << opt.width << "\" height=\"" << opt.height
     << "\" viewBox=\"0 0 " << opt.width << ' ' << opt.height
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!opt.title.empty())
    os << "<text x=\"" << opt.width / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">"
       << escape_xml(opt.title) << "</text>\n";
  for (double t : x.ticks()) {
    double px = x.map(t);
    os << "<line x1=\"" << px << "\" y1=\"" << y.p1 << "\" x2=\"" << px << "\" y2=\"" << y.p0
       << "\" stroke=\"#e5e5e5\"/>\n<text x=\"" << px << "\" y=\"" << y.p0 + 16
       << "\" text-anchor=\"middle\">" << tick_label(t) << "</text>\n";
  }
  for (double t : y.ticks()) {
    double py = y.map(t);
    os << "<line x1=\"" << x.p0 << "\" y1=\"" << py << "\" x2=\"" << x.p1 << "\" y2=\"" << py
       << "\" stroke=\"#e5e5e5\"/>\n<text x=\"" << x.p0 - 6 << "\" y=\"" << py + 4
       << "\" text-anchor=\"end\">" << tick_label(t) << "</text>\n";
  }
  os << "<rect x=\"" << x.p0 << "\" y=\"" << y.p1 << "\" width=\"" << x.p1 - x.p0 << "\" height=\""
     << y.p0 - y.p1 << "\" fill=\"none\" stroke=\"black\"/>\n";
  if (!opt.x_label.empty())
    os << "<text x=\"" << (x.p0 + x.p1) / 2 << "\" y=\"" << opt.height - 12
       << "\" text-anchor=\"middle\">" << escape_xml(opt.x_label) << "</text>\n";
  if (!opt.y_label.empty())
    os << "<text transform=\"translate(16," << (y.p0 + y.p1) / 2
       << ") rotate(-90)\" text-anchor=\"middle\">" << escape_xml(opt.y_label) << "</text>\n";
}

// A legend box in the top-right corner of the plot area.
void legend(std::ostringstream& os, const std::vector<std::string>& names, const Axis& x, const Axis& y) {
  size_t longest = 0;
  for (const auto& n : names) longest = std::max(longest, n.size());
  if (names.empty() || longest == 0) return;
  double w = 30 + 7.0 * static_cast<double>(longest), h = 18.0 * static_cast<double>(names.size()) + 6;
  double x0 = x.p1 - w - 8, y0 = y.p1 + 8;
  os << "<rect x=\"" << x0 << "\" y=\"" << y0 << "\" width=\"" << w << "\" height=\"" << h
     << "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>\n";
  for (size_t i = 0; i < names.size(); ++i) {
    double cy = y0 + 14 + 18.0 * static_cast<double>(i);
    os << "<rect x=\"" << x0 + 6 << "\" y=\"" << cy - 8 << "\" width=\"14\" height=\"8\" fill=\""
       << colour(i) << "\"/>\n<text x=\"" << x0 + 26 << "\" y=\"" << cy << "\">" << escape_xml(names[i])
       << "</text>\n";
  }
}

}  // namespace

std::string line_plot_svg(const std::vector<Series>& series, const PlotOptions& opt) {
  std::vector<const std::vector<double>*> xs, ys;
  for (const auto& s : series) {
    NABLA_CHECK(s.x.size() == s.y.size(), "line_plot_svg: series '", s.label, "' has ", s.x.size(),
                " x values but ", s.y.size(), " y values");
    xs.push_back(&s.x);
    ys.push_back(&s.y);
  }
  Frame f;
  Axis x = make_axis(xs, opt.log_x, f.left, opt.width - f.right, "x");
  Axis y = make_axis(ys, opt.log_y, opt.height - f.bottom, f.top, "y");
  std::ostringstream os;
  begin_plot(os, opt, x, y);
  std::vector<std::string> names;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    names.push_back(s.label);
    std::string points;
    auto flush = [&] {
      if (!points.empty())
        os << "<polyline fill=\"none\" stroke=\"" << colour(i) << "\" stroke-width=\"2\" points=\"" << points
           << "\"/>\n";
      points.clear();
    };
    for (size_t j = 0; j < s.x.size(); ++j) {
      if (!std::isfinite(s.x[j]) || !std::isfinite(s.y[j])) {
        flush();
        continue;
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f,%.2f ", x.map(s.x[j]), y.map(s.y[j]));
      points += buf;
    }
    flush();
    if (s.x.size() == 1 && std::isfinite(s.x[0]) && std::isfinite(s.y[0]))
      os << "<circle cx=\"" << x.map(s.x[0]) << "\" cy=\"" << y.map(s.y[0]) << "\" r=\"3\" fill=\"" << colour(i)
         << "\"/>\n";
  }
  legend(os, names, x, y);
  os << "</svg>\n";
  return os.str();
}

std::string scatter_plot_svg(const std::vector<double>& xv, const std::vector<double>& yv,
                             const std::vector<int64_t>& labels, const std::vector<std::string>& class_names,
                             const PlotOptions& opt) {
  NABLA_CHECK(xv.size() == yv.size(), "scatter_plot_svg: ", xv.size(), " x values but ", yv.size(), " y values");
  NABLA_CHECK(labels.empty() || labels.size() == xv.size(), "scatter_plot_svg: ", labels.size(),
              " labels for ", xv.size(), " points");
  int64_t n_classes = 0;
  for (int64_t l : labels) {
    NABLA_CHECK(l >= 0, "scatter_plot_svg: negative label ", l);
    NABLA_CHECK(class_names.empty() || l < static_cast<int64_t>(class_names.size()), "scatter_plot_svg: label ",
                l, " has no name (", class_names.size(), " class names)");
    n_classes = std::max(n_classes, l + 1);
  }
  Frame f;
  Axis x = make_axis({&xv}, opt.log_x, f.left, opt.width - f.right, "x");
  Axis y = make_axis({&yv}, opt.log_y, opt.height - f.bottom, f.top, "y");
  std::ostringstream os;
  begin_plot(os, opt, x, y);
  for (size_t i = 0; i < xv.size(); ++i) {
    if (!std::isfinite(xv[i]) || !std::isfinite(yv[i])) continue;
    char buf[128];
    std::snprintf(buf, sizeof buf, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%s\" fill-opacity=\"0.7\"/>\n",
                  x.map(xv[i]), y.map(yv[i]), colour(labels.empty() ? 0 : static_cast<size_t>(labels[i])));
    os << buf;
  }
  std::vector<std::string> names = class_names;
  if (names.empty() && n_classes > 1)
    for (int64_t c = 0; c < n_classes; ++c) names.push_back(std::to_string(c));
  legend(os, names, x, y);
  os << "</svg>\n";
  return os.str();
}

std::string heatmap_svg(const std::vector<double>& values, int64_t rows, int64_t cols,
                        const std::vector<std::string>& row_labels, const std::vector<std::string>& col_labels,
                        const PlotOptions& opt) {
  NABLA_CHECK(rows > 0 && cols > 0 && static_cast<int64_t>(values.size()) == rows * cols, "heatmap_svg: ",
              values.size(), " values for a ", rows, "x", cols, " matrix");
  NABLA_CHECK(row_labels.empty() || static_cast<int64_t>(row_labels.size()) == rows, "heatmap_svg: ",
              row_labels.size(), " row labels for ", rows, " rows");
  NABLA_CHECK(col_labels.empty() || static_cast<int64_t>(col_labels.size()) == cols, "heatmap_svg: ",
              col_labels.size(), " column labels for ", cols, " columns");
  double vmax = 0;
  for (double v : values)
    if (std::isfinite(v)) vmax = std::max(vmax, std::fabs(v));
  size_t label_len = 1;
  for (const auto& l : row_labels) label_len = std::max(label_len, l.size());
  double left = 20 + 7.0 * static_cast<double>(label_len), top = 40, bottom = 90, right = 20;
  double cell = std::min((opt.width - left - right) / static_cast<double>(cols),
                         (opt.height - top - bottom) / static_cast<double>(rows));
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << opt.width << "\" height=\"" << opt.height
     << "\" viewBox=\"0 0 " << opt.width << ' ' << opt.height << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!opt.title.empty())
    os << "<text x=\"" << opt.width / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">"
       << escape_xml(opt.title) << "</text>\n";
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      double v = values[static_cast<size_t>(r * cols + c)];
      double t = (vmax > 0 && std::isfinite(v)) ? std::fabs(v) / vmax : 0;
      int shade = static_cast<int>(std::lround(255 * (1 - 0.85 * t)));
      double px = left + static_cast<double>(c) * cell, py = top + static_cast<double>(r) * cell;
      os << "<rect x=\"" << px << "\" y=\"" << py << "\" width=\"" << cell << "\" height=\"" << cell
         << "\" fill=\"rgb(" << shade << ',' << shade << ",255)\" stroke=\"#ccc\"/>\n";
      if (cell >= 18)
        os << "<text x=\"" << px + cell / 2 << "\" y=\"" << py + cell / 2 + 4 << "\" text-anchor=\"middle\" fill=\""
           << (t > 0.6 ? "white" : "black") << "\">" << tick_label(v) << "</text>\n";
    }
  for (int64_t r = 0; r < rows; ++r)
    os << "<text x=\"" << left - 5 << "\" y=\"" << top + (static_cast<double>(r) + 0.5) * cell + 4
       << "\" text-anchor=\"end\">"
       << escape_xml(row_labels.empty() ? std::to_string(r) : row_labels[static_cast<size_t>(r)]) << "</text>\n";
  double base = top + static_cast<double>(rows) * cell + 8;
  for (int64_t c = 0; c < cols; ++c) {
    double px = left + (static_cast<double>(c) + 0.5) * cell;
    os << "<text transform=\"translate(" << px << ',' << base << ") rotate(45)\">"
       << escape_xml(col_labels.empty() ? std::to_string(c) : col_labels[static_cast<size_t>(c)]) << "</text>\n";
  }
  if (!opt.x_label.empty())
    os << "<text x=\"" << left + static_cast<double>(cols) * cell / 2 << "\" y=\"" << opt.height - 8
       << "\" text-anchor=\"middle\">" << escape_xml(opt.x_label) << "</text>\n";
  if (!opt.y_label.empty())
    os << "<text transform=\"translate(12," << top + static_cast<double>(rows) * cell / 2
       << ") rotate(-90)\" text-anchor=\"middle\">" << escape_xml(opt.y_label) << "</text>\n";
  os << "</svg>\n";
  return os.str();
}

}  // namespace nabla::viz
