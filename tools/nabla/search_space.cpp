#include "search_space.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <toml++/toml.h>

#include "nabla/error.h"

namespace nabla::cli {

namespace {

const char* kSettingKeys = "name, out_dir, trials, stages, top_k, folds, seed, space";

std::string node_text(const toml::node& n, const std::string& where) {
  if (n.is_string()) return *n.value<std::string>();
  if (n.is_integer()) return std::to_string(*n.value<int64_t>());
  if (n.is_boolean()) return *n.value<bool>() ? "true" : "false";
  if (n.is_floating_point()) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.15g", *n.value<double>());
    return buf;
  }
  throw Error(where + ": values must be strings, numbers or booleans");
}

double node_number(const toml::node& n, const std::string& where) {
  if (n.is_integer()) return static_cast<double>(*n.value<int64_t>());
  if (n.is_floating_point()) return *n.value<double>();
  throw Error(where + ": expected a number");
}

std::string key_type(const std::string& key) {
  for (const auto& k : config_keys(TrainConfig{}))
    if (k.key == key) return k.type;
  return "";
}

SearchDim parse_dim(const std::string& key, const toml::node& node, const std::string& source) {
  const std::string where = source + ": [search.space] '" + key + "'";
  TrainConfig probe;
  const std::string type = key_type(key);
  if (type.empty()) set_key(probe, key, "");  // raises the unknown-key error listing the valid keys
  const auto* spec = node.as_table();
  NABLA_CHECK(spec && spec->size() == 1, where,
              " must be a table with one of log_uniform = [lo, hi], uniform = [lo, hi], choice = [...], grid = [...]");
  const auto entry = spec->begin();  // keep the iterator alive: it owns the (key, node) proxy
  const std::string kind(entry->first.str());
  const toml::node& value = entry->second;
  const auto* arr = value.as_array();
  NABLA_CHECK(arr && !arr->empty(), where, ": '", kind, "' needs a non-empty array");
  SearchDim d;
  d.key = key;
  d.integer = type == "integer";
  if (kind == "log_uniform" || kind == "uniform") {
    d.kind = kind == "log_uniform" ? DimKind::LogUniform : DimKind::Uniform;
    NABLA_CHECK(type == "float" || type == "integer", where, ": a ", kind, " range needs a numeric key, '", key,
                "' is ", type);
    NABLA_CHECK(arr->size() == 2, where, ": ", kind, " expects [lo, hi], got ", arr->size(), " values");
    d.lo = node_number(*arr->get(0), where);
    d.hi = node_number(*arr->get(1), where);
    NABLA_CHECK(d.lo < d.hi, where, ": ", kind, " expects lo < hi, got [", d.lo, ", ", d.hi, "]");
    NABLA_CHECK(d.kind == DimKind::Uniform || d.lo > 0, where, ": log_uniform needs lo > 0, got ", d.lo);
    return d;
  }
  NABLA_CHECK(kind == "choice" || kind == "grid", where, ": unknown kind '", kind,
              "' (valid: log_uniform, uniform, choice, grid)");
  d.kind = kind == "choice" ? DimKind::Choice : DimKind::Grid;
  for (const auto& item : *arr) {
    d.values.push_back(node_text(item, where));
    set_key(probe, key, d.values.back());  // wrong types name the key now, not in trial 7
  }
  return d;
}

int64_t setting_int(const toml::node& n, const std::string& where) {
  NABLA_CHECK(n.is_integer(), where, " expects an integer");
  return *n.value<int64_t>();
}

void check_settings(const SearchSettings& s) {
  NABLA_CHECK(s.trials > 0, "nabla search: search.trials must be positive, got ", s.trials);
  NABLA_CHECK(s.stages > 0, "nabla search: search.stages must be positive, got ", s.stages);
  NABLA_CHECK(s.top_k > 0, "nabla search: search.top_k must be positive, got ", s.top_k);
  NABLA_CHECK(s.folds >= 0 && s.folds != 1, "nabla search: search.folds must be 0 (validation split) or >= 2, got ", s.folds);
  NABLA_CHECK(!s.name.empty(), "nabla search: search.name must not be empty");
}

double position_in_range(const SearchDim& d, double v) {
  if (d.kind == DimKind::LogUniform) return (std::log(v) - std::log(d.lo)) / (std::log(d.hi) - std::log(d.lo));
  return (v - d.lo) / (d.hi - d.lo);
}

}  // namespace

void set_search_setting(SearchSettings& s, const std::string& key, const std::string& value) {
  auto as_int = [&]() {
    try {
      size_t used = 0;
      const long long v = std::stoll(value, &used);
      if (used == value.size()) return static_cast<int64_t>(v);
    } catch (const std::exception&) {
    }
    throw Error("nabla search: search." + key + " expects an integer, got '" + value + "'");
  };
  if (key == "name") s.name = value;
  else if (key == "out_dir") s.out_dir = value;
  else if (key == "trials") s.trials = as_int();
  else if (key == "stages") s.stages = as_int();
  else if (key == "top_k") s.top_k = as_int();
  else if (key == "folds") s.folds = as_int();
  else if (key == "seed") s.seed = as_int();
  else throw Error("nabla search: unknown key 'search." + key + "' (valid keys of [search]: " + kSettingKeys + ")");
  check_settings(s);
}

SearchSpec parse_search(const std::string& text, const std::string& source) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    std::ostringstream os;
    os << source << ": invalid TOML at line " << err.source().begin.line << ": " << err.description();
    throw Error(os.str());
  }
  SearchSpec spec;
  const auto* search = doc["search"].as_table();
  NABLA_CHECK(search, source, ": a search file needs a [search] table with a [search.space]");
  const toml::table* space = nullptr;
  for (const auto& [k, node] : *search) {
    const std::string key(k.str()), where = source + ": search." + key;
    SearchSettings& s = spec.settings;
    if (key == "space") space = node.as_table();
    else if (key == "name" || key == "out_dir") {
      NABLA_CHECK(node.is_string(), where, " expects a string");
      (key == "name" ? s.name : s.out_dir) = *node.value<std::string>();
    } else if (key == "trials") s.trials = setting_int(node, where);
    else if (key == "stages") s.stages = setting_int(node, where);
    else if (key == "top_k") s.top_k = setting_int(node, where);
    else if (key == "folds") s.folds = setting_int(node, where);
    else if (key == "seed") s.seed = setting_int(node, where);
    else throw Error(source + ": unknown key 'search." + key + "' (valid keys of [search]: " + kSettingKeys + ")");
  }
  check_settings(spec.settings);
  NABLA_CHECK(space && !space->empty(), source, ": [search.space] must name at least one config key");
  // toml++ iterates keys sorted; the dimensions keep the file's order.
  std::vector<std::pair<toml::source_position, SearchDim>> ordered;
  for (const auto& [k, node] : *space) ordered.emplace_back(k.source().begin, parse_dim(std::string(k.str()), node, source));
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [pos, dim] : ordered) spec.dims.push_back(std::move(dim));
  toml::table base = doc;
  base.erase("search");
  std::ostringstream os;
  os << base;
  apply_toml(spec.base, os.str(), source);
  return spec;
}

double sample_range(const SearchDim& d, Generator& gen) {
  const double u = gen.next_double();
  if (d.kind == DimKind::LogUniform) return std::exp(std::log(d.lo) + u * (std::log(d.hi) - std::log(d.lo)));
  return d.lo + u * (d.hi - d.lo);
}

std::string value_text(const SearchDim& d, double value) {
  if (d.integer) return std::to_string(static_cast<int64_t>(std::llround(value)));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

std::vector<Assignment> grid_points(const std::vector<SearchDim>& dims) {
  std::vector<Assignment> points = {{}};
  for (const auto& d : dims) {
    if (d.kind != DimKind::Grid) continue;
    std::vector<Assignment> next;
    for (const auto& p : points)
      for (const auto& v : d.values) {
        Assignment a = p;
        a.emplace_back(d.key, v);
        next.push_back(a);
      }
    points = next;
  }
  return points;
}

std::vector<Assignment> stage_trials(const std::vector<SearchDim>& dims, int64_t trials, uint64_t seed) {
  const bool any_random = std::any_of(dims.begin(), dims.end(), [](const SearchDim& d) { return d.kind != DimKind::Grid; });
  Generator gen(seed);
  std::vector<Assignment> out;
  for (int64_t t = 0; t < (any_random ? trials : 1); ++t) {
    Assignment drawn;
    for (const auto& d : dims) {
      if (d.kind == DimKind::Grid) continue;
      if (d.kind == DimKind::Choice) {
        const auto i = static_cast<size_t>(gen.next_double() * double(d.values.size()));
        drawn.emplace_back(d.key, d.values[std::min(i, d.values.size() - 1)]);
      } else {
        drawn.emplace_back(d.key, value_text(d, sample_range(d, gen)));
      }
    }
    for (const auto& g : grid_points(dims)) {  // keep dimension order: merge drawn and grid values
      Assignment a;
      for (const auto& d : dims) {
        const Assignment& from = d.kind == DimKind::Grid ? g : drawn;
        for (const auto& kv : from)
          if (kv.first == d.key) a.push_back(kv);
      }
      out.push_back(a);
    }
  }
  return out;
}

std::vector<SearchDim> narrow_dims(const std::vector<SearchDim>& dims, const std::vector<Assignment>& best) {
  std::vector<SearchDim> out;
  for (SearchDim d : dims) {
    std::vector<std::string> used;
    for (const auto& a : best)
      for (const auto& [k, v] : a)
        if (k == d.key) used.push_back(v);
    if (used.empty()) {
      out.push_back(d);
      continue;
    }
    if (d.kind == DimKind::Grid || d.kind == DimKind::Choice) {
      std::vector<std::string> kept;
      for (const auto& v : d.values)
        if (std::find(used.begin(), used.end(), v) != used.end()) kept.push_back(v);
      d.values = kept;
    } else {
      const bool log = d.kind == DimKind::LogUniform;
      auto to = [&](double v) { return log ? std::log(v) : v; };
      auto from = [&](double t) { return log ? std::exp(t) : t; };
      double lo = INFINITY, hi = -INFINITY;
      for (const auto& v : used) {
        lo = std::min(lo, to(std::stod(v)));
        hi = std::max(hi, to(std::stod(v)));
      }
      const double margin = 0.1 * (to(d.hi) - to(d.lo));
      // Bounds that reach the current range keep its exact value (no exp(log(x)) round trip).
      const double new_lo = lo - margin, new_hi = hi + margin;
      if (new_lo > to(d.lo)) d.lo = from(new_lo);
      if (new_hi < to(d.hi)) d.hi = from(new_hi);
    }
    out.push_back(d);
  }
  return out;
}

std::vector<std::string> edge_warnings(const std::vector<SearchDim>& dims, const Assignment& best) {
  std::vector<std::string> out;
  for (const auto& d : dims) {
    std::string value;
    for (const auto& [k, v] : best)
      if (k == d.key) value = v;
    if (value.empty() || d.kind == DimKind::Choice) continue;
    if (d.kind == DimKind::Grid) {
      if (d.values.size() < 2 || (value != d.values.front() && value != d.values.back())) continue;
      out.push_back("the best " + d.key + " = " + value + " is the " + (value == d.values.front() ? "first" : "last") +
                    " value of its grid: extend the grid beyond it");
      continue;
    }
    const double p = position_in_range(d, std::stod(value));
    if (p >= 0.1 && p <= 0.9) continue;
    char buf[200];
    std::snprintf(buf, sizeof buf, "the best %s = %s lies in the %s 10%% of its %srange [%g, %g]: widen the range",
                  d.key.c_str(), value.c_str(), p < 0.1 ? "lowest" : "highest",
                  d.kind == DimKind::LogUniform ? "log " : "", d.lo, d.hi);
    out.push_back(buf);
  }
  return out;
}

}  // namespace nabla::cli
