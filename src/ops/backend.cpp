// Kernel backend settings (nabla/ops/backend.h). The only file that reads the backends'
// environment variables; the kernels keep the active choice in their own atomics (set here).
#include "nabla/ops/backend.h"

#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "kernels/cpu/conv_dnnl.h"
#include "nabla/error.h"

namespace nabla::ops {
namespace {

cpu::ConvBackendChoice to_choice(ConvBackend backend) {
  switch (backend) {
    case ConvBackend::OneDnn: return cpu::ConvBackendChoice::OneDnn;
    case ConvBackend::Im2col: return cpu::ConvBackendChoice::Im2col;
    case ConvBackend::Auto: break;
  }
  return cpu::ConvBackendChoice::Auto;
}

cpu::ConvAlgorithmChoice to_choice(ConvAlgorithm algorithm) {
  switch (algorithm) {
    case ConvAlgorithm::Direct: return cpu::ConvAlgorithmChoice::Direct;
    case ConvAlgorithm::Winograd: return cpu::ConvAlgorithmChoice::Winograd;
    case ConvAlgorithm::Auto: break;
  }
  return cpu::ConvAlgorithmChoice::Auto;
}

std::atomic<bool> g_conv_weight_cache{false};
std::atomic<bool> g_conv_keep_input{true};
std::atomic<bool> g_conv_blocked_batch_norm{true};

// The value of `name`, or "" when unset.
std::string environment(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// Applies the on/off variable `name` to `setting` when it is set.
void apply_on_off(const char* name, std::atomic<bool>& setting) {
  const std::string v = environment(name);
  if (v.empty()) return;
  if (v != "on" && v != "off") throw Error(str_cat(name, ": expected 'on' or 'off', got '", v, "'"));
  setting.store(v == "on");
}

// Each setting's values with their names (for the environment variables and the CLI), in the
// order an error message lists them.
template <class E>
using Names = std::array<std::pair<E, const char*>, 3>;
constexpr Names<ConvBackend> kBackendNames{
    {{ConvBackend::Auto, "auto"}, {ConvBackend::OneDnn, "onednn"}, {ConvBackend::Im2col, "im2col"}}};
constexpr std::array<std::pair<DnnlLayout, const char*>, 2> kLayoutNames{
    {{DnnlLayout::Blocked, "blocked"}, {DnnlLayout::Plain, "plain"}}};
constexpr Names<ConvAlgorithm> kAlgorithmNames{
    {{ConvAlgorithm::Auto, "auto"}, {ConvAlgorithm::Direct, "direct"}, {ConvAlgorithm::Winograd, "winograd"}}};

// The name of `value` in `names`.
template <class Table, class E>
std::string name_in(const Table& names, E value) {
  for (const auto& [e, name] : names)
    if (e == value) return name;
  return names.front().second;
}

// The value named `value` in `names`; else an Error naming `what`, the names and the value.
template <class Table>
auto parse_in(const Table& names, const std::string& value, const std::string& what) {
  std::string expected;
  for (size_t i = 0; i < names.size(); ++i) {
    if (value == names[i].second) return names[i].first;
    expected += str_cat(i == 0 ? "" : i + 1 == names.size() ? " or " : ", ", "'", names[i].second, "'");
  }
  throw Error(str_cat(what, ": expected ", expected, ", got '", value, "'"));
}

}  // namespace

std::string conv_backend_name(ConvBackend backend) { return name_in(kBackendNames, backend); }

ConvBackend parse_conv_backend(const std::string& value, const std::string& what) {
  return parse_in(kBackendNames, value, what);
}

std::string dnnl_layout_name(DnnlLayout layout) { return name_in(kLayoutNames, layout); }

DnnlLayout parse_dnnl_layout(const std::string& value, const std::string& what) {
  return parse_in(kLayoutNames, value, what);
}

std::string conv_algorithm_name(ConvAlgorithm algorithm) { return name_in(kAlgorithmNames, algorithm); }

ConvAlgorithm parse_conv_algorithm(const std::string& value, const std::string& what) {
  return parse_in(kAlgorithmNames, value, what);
}

void load_backend_environment() {
  // call_once retries when the first attempt throws, so a bad value is reported on every use.
  static std::once_flag once;
  std::call_once(once, [] {
    if (const std::string v = environment("NABLA_CONV_BACKEND"); !v.empty())
      cpu::set_conv_backend_choice(to_choice(parse_conv_backend(v, "NABLA_CONV_BACKEND")));
    if (const std::string v = environment("NABLA_DNNL_LAYOUT"); !v.empty())
      cpu::set_dnnl_plain_layout(parse_dnnl_layout(v, "NABLA_DNNL_LAYOUT") == DnnlLayout::Plain);
    if (const std::string v = environment("NABLA_CONV_ALGORITHM"); !v.empty())
      cpu::set_conv_algorithm_choice(to_choice(parse_conv_algorithm(v, "NABLA_CONV_ALGORITHM")));
    apply_on_off("NABLA_CONV_WEIGHT_CACHE", g_conv_weight_cache);
    apply_on_off("NABLA_CONV_KEEP_INPUT", g_conv_keep_input);
    apply_on_off("NABLA_CONV_BLOCKED_BN", g_conv_blocked_batch_norm);
  });
}

void set_conv_backend(ConvBackend backend) {
  load_backend_environment();
  cpu::set_conv_backend_choice(to_choice(backend));
}

ConvBackend conv_backend() {
  load_backend_environment();
  switch (cpu::conv_backend_choice()) {
    case cpu::ConvBackendChoice::OneDnn: return ConvBackend::OneDnn;
    case cpu::ConvBackendChoice::Im2col: return ConvBackend::Im2col;
    case cpu::ConvBackendChoice::Auto: break;
  }
  return ConvBackend::Auto;
}

void set_dnnl_layout(DnnlLayout layout) {
  load_backend_environment();
  cpu::set_dnnl_plain_layout(layout == DnnlLayout::Plain);
}

DnnlLayout dnnl_layout() {
  load_backend_environment();
  return cpu::dnnl_plain_layout() ? DnnlLayout::Plain : DnnlLayout::Blocked;
}

void set_conv_algorithm(ConvAlgorithm algorithm) {
  load_backend_environment();
  cpu::set_conv_algorithm_choice(to_choice(algorithm));
}

ConvAlgorithm conv_algorithm() {
  load_backend_environment();
  switch (cpu::conv_algorithm_choice()) {
    case cpu::ConvAlgorithmChoice::Direct: return ConvAlgorithm::Direct;
    case cpu::ConvAlgorithmChoice::Winograd: return ConvAlgorithm::Winograd;
    case cpu::ConvAlgorithmChoice::Auto: break;
  }
  return ConvAlgorithm::Auto;
}

void set_conv_weight_cache(bool enabled) {
  load_backend_environment();
  g_conv_weight_cache.store(enabled);
  if (!enabled) clear_conv_weight_cache();
}

bool conv_weight_cache() {
  load_backend_environment();
  return g_conv_weight_cache.load();
}

void set_conv_keep_input(bool enabled) {
  load_backend_environment();
  g_conv_keep_input.store(enabled);
}

bool conv_keep_input() {
  load_backend_environment();
  return g_conv_keep_input.load();
}

void set_conv_blocked_batch_norm(bool enabled) {
  load_backend_environment();
  g_conv_blocked_batch_norm.store(enabled);
}

bool conv_blocked_batch_norm() {
  load_backend_environment();
  return g_conv_blocked_batch_norm.load();
}

}  // namespace nabla::ops
