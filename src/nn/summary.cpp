// nn::summary: one forward pass with a hook on every leaf module, then a torchinfo-style table.
#include "nabla/nn/summary.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "nabla/autograd.h"
#include "nabla/error.h"

namespace nabla::nn {
namespace {

/// Removes the hooks and restores every module's training flag, also when forward throws.
class SummaryScope {
 public:
  explicit SummaryScope(Module& model) {
    for (auto& [name, module] : model.named_modules()) modes_.emplace_back(module, module->is_training());
  }
  ~SummaryScope() {
    for (auto& [module, id] : hooks_) module->remove_forward_hook(id);
    // named_modules lists parents before children, so each child's own flag is set last.
    for (auto& [module, training] : modes_) module->train(training);
  }
  SummaryScope(const SummaryScope&) = delete;
  SummaryScope& operator=(const SummaryScope&) = delete;
  void add_hook(const std::shared_ptr<Module>& module, int64_t id) { hooks_.emplace_back(module, id); }

 private:
  std::vector<std::pair<std::shared_ptr<Module>, bool>> modes_;
  std::vector<std::pair<std::shared_ptr<Module>, int64_t>> hooks_;
};

/// Receptive field and jump per spatial dim along the call order.
class ReceptiveFieldTracker {
 public:
  explicit ReceptiveFieldTracker(int64_t spatial_dims)
      : spatial_(spatial_dims), field_(std::max<int64_t>(spatial_dims, 0), 1), jump_(field_), tracking_(spatial_dims > 0) {}

  /// Accounts for one layer call and fills the row's receptive_field and jump when tracked.
  void visit(const Module& module, const Shape& in, const Shape& out, SummaryRow& row) {
    if (!tracking_) return;
    const auto* layer = dynamic_cast<const SummaryGeometry*>(&module);
    if (auto geo = layer ? layer->spatial_geometry() : std::nullopt) {
      if (static_cast<int64_t>(geo->kernel.size()) != spatial_) {
        tracking_ = false;
        return;
      }
      for (int64_t d = 0; d < spatial_; ++d) {
        field_[d] += (geo->kernel[d] - 1) * geo->dilation[d] * jump_[d];
        jump_[d] *= geo->stride[d];
      }
    } else if (in.size() == out.size() && changes_spatial_size(in, out)) {
      tracking_ = false;
      return;
    }
    if (static_cast<int64_t>(out.size()) == spatial_ + 2) {
      row.receptive_field = field_;
      row.jump = jump_;
    }
  }

 private:
  bool changes_spatial_size(const Shape& in, const Shape& out) const {
    if (static_cast<int64_t>(in.size()) < spatial_ + 1) return false;
    return !std::equal(in.end() - spatial_, in.end(), out.end() - spatial_);
  }
  int64_t spatial_;
  IntList field_, jump_;
  bool tracking_;
};

std::string with_commas(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string joined(const IntList& values, const char* sep) {
  if (values.empty()) return "-";
  std::string s;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += sep;
    s += std::to_string(values[i]);
  }
  return s;
}

std::string megabytes(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(bytes) / 1e6);
  return buf;
}

}  // namespace

ModelSummary summary(UnaryModule& model, const Shape& input_shape, DType dtype) {
  for (int64_t s : input_shape)
    NABLA_CHECK(s > 0, "nn::summary: input_shape must have positive sizes (one sample, no batch dim), got ",
                shape_str(input_shape));
  ModelSummary result;
  result.input_shape = input_shape;
  result.input_shape.insert(result.input_shape.begin(), 1);

  SummaryScope scope(model);
  std::map<const Module*, std::string> names;
  ReceptiveFieldTracker tracker(static_cast<int64_t>(input_shape.size()) - 1);
  for (auto& [name, module] : model.named_modules()) {
    if (!module->named_children().empty()) continue;
    names[module.get()] = name;
    int64_t id = module->register_forward_hook([&](Module& m, const std::vector<Tensor>& inputs,
                                                   const std::vector<Tensor>& outputs) {
      // A row describes the first input and output (the only ones of a unary layer).
      if (inputs.empty() || outputs.empty()) return;
      const Tensor& in = inputs[0];
      const Tensor& out = outputs[0];
      SummaryRow row;
      row.name = names[&m];
      row.type = m.name();
      row.output_shape = out.shape();
      row.params = m.num_parameters();
      row.trainable_params = m.num_parameters(/*only_trainable=*/true);
      if (const auto* layer = dynamic_cast<const SummaryGeometry*>(&m))
        row.multiply_adds = layer->multiply_adds(in.shape(), out.shape());
      tracker.visit(m, in.shape(), out.shape(), row);
      result.output_bytes += out.numel() * static_cast<int64_t>(out.element_size());
      result.rows.push_back(std::move(row));
    });
    scope.add_hook(module, id);
  }

  model.eval();
  {
    NoGradGuard no_grad;
    Tensor input = zeros(result.input_shape, dtype);
    result.input_bytes = input.numel() * static_cast<int64_t>(input.element_size());
    model(input);
  }

  result.total_params = model.num_parameters();
  result.trainable_params = model.num_parameters(/*only_trainable=*/true);
  for (const Tensor& p : model.parameters()) result.param_bytes += p.numel() * static_cast<int64_t>(p.element_size());
  for (const SummaryRow& row : result.rows) result.total_multiply_adds += row.multiply_adds;
  return result;
}

std::string ModelSummary::to_string() const {
  const std::vector<std::string> header = {"Layer (type)", "Output shape", "Param #", "Trainable", "Mult-adds",
                                           "Receptive field", "Jump"};
  std::vector<std::vector<std::string>> cells;
  for (const SummaryRow& r : rows)
    cells.push_back({r.name.empty() ? r.type : r.name + " (" + r.type + ")", shape_str(r.output_shape), with_commas(r.params),
                     with_commas(r.trainable_params), with_commas(r.multiply_adds), joined(r.receptive_field, "x"),
                     joined(r.jump, "x")});
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& line : cells) width[c] = std::max(width[c], line[c].size());
  }
  auto format_line = [&](const std::vector<std::string>& line) {
    std::string s;
    for (size_t c = 0; c < line.size(); ++c) {
      const std::string pad(width[c] - line[c].size(), ' ');
      // The first two columns are text (left-aligned), the others numbers (right-aligned).
      s += c < 2 ? line[c] + pad : pad + line[c];
      if (c + 1 < line.size()) s += "  ";
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  size_t total_width = 2 * (header.size() - 1);
  for (size_t w : width) total_width += w;
  const std::string rule(total_width, '='), thin(total_width, '-');

  std::ostringstream os;
  os << rule << "\n" << format_line(header) << rule << "\n";
  for (const auto& line : cells) os << format_line(line);
  os << rule << "\n";
  os << "Input shape: " << shape_str(input_shape) << "\n";
  os << "Total params: " << with_commas(total_params) << "\n";
  os << "Trainable params: " << with_commas(trainable_params) << "\n";
  os << "Non-trainable params: " << with_commas(total_params - trainable_params) << "\n";
  os << "Total mult-adds: " << with_commas(total_multiply_adds) << "\n";
  os << thin << "\n";
  os << "Input size (MB): " << megabytes(input_bytes) << "\n";
  os << "Forward pass size (MB): " << megabytes(output_bytes) << "\n";
  os << "Params size (MB): " << megabytes(param_bytes) << "\n";
  os << "Estimated total size (MB): " << megabytes(input_bytes + output_bytes + param_bytes) << "\n";
  os << rule << "\n";
  return os.str();
}

}  // namespace nabla::nn
