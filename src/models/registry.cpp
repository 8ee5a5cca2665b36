#include "nabla/models/registry.h"

#include <algorithm>
#include <sstream>

#include "nabla/models/lenet.h"
#include "nabla/models/mlp.h"
#include "nabla/parse.h"
#include "zoo_entries.h"

namespace nabla::models {

namespace {

std::string shape_text(const std::vector<int64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

std::shared_ptr<nn::Sequential> make_lenet5(const DataShape& s, const LeNet5Options& o) {
  const auto& in = s.input_shape;
  NABLA_CHECK(in.size() == 3 && in[1] == 28 && in[2] == 28, "models::create: lenet5 needs (C, 28, 28) image inputs, got input shape ",
              shape_text(in), in.size() == 1 ? " (feature vectors: use the mlp)" : "");
  return lenet5(s.num_classes, in[0], o.batch_norm);
}

std::shared_ptr<nn::Sequential> make_mlp(const DataShape& s, const MLPOptions& o) {
  NABLA_CHECK(!s.input_shape.empty(), "models::create: mlp needs an input shape, got []");
  int64_t in = 1;
  for (int64_t d : s.input_shape) in *= d;
  std::vector<int64_t> sizes = {in};
  sizes.insert(sizes.end(), o.hidden.begin(), o.hidden.end());
  sizes.push_back(s.num_classes);
  return mlp(sizes, o.dropout);
}

}  // namespace

const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> table = [] {
    std::vector<ModelEntry> t = {
        make_entry<LeNet5Options>("lenet5", "LeNet-5 for (C, 28, 28) images", make_lenet5),
        make_entry<MLPOptions>("mlp", "flatten, then Linear+ReLU per hidden size, then Linear", make_mlp),
    };
    // The zoo's families (zoo_entries.h), one line each.
    for (auto family : zoo_families()) {
      auto entries = family();
      t.insert(t.end(), entries.begin(), entries.end());
    }
    std::sort(t.begin(), t.end(), [](const ModelEntry& a, const ModelEntry& b) { return a.name < b.name; });
    return t;
  }();
  return table;
}

std::vector<std::string> model_names() {
  std::vector<std::string> out;
  for (const auto& e : model_registry()) out.push_back(e.name);
  return out;
}

const ModelEntry& find_model(const std::string& name) {
  std::string known;
  for (const auto& e : model_registry()) {
    if (e.name == name) return e;
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw Error("models::create: unknown model '" + name + "' (known models: " + known + ")");
}

std::shared_ptr<nn::UnaryModule> create(const std::string& name, const DataShape& shape, const OptionValues& options) {
  NABLA_CHECK(shape.num_classes > 0, "models::create: ", name, " needs a positive class count, got ", shape.num_classes);
  return find_model(name).create(shape, options);
}

OptionValues default_options() {
  OptionValues out;
  for (const auto& e : model_registry())
    for (const auto& f : e.fields) out.emplace(f.key, f.default_value);
  return out;
}

namespace {

std::string to_text(int64_t v) { return std::to_string(v); }
std::string to_text(bool v) { return v ? "true" : "false"; }
std::string to_text(const std::string& v) { return v; }
std::string to_text(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}
std::string to_text(const std::vector<int64_t>& v) {
  std::string out;
  for (int64_t x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
  return out;
}

[[noreturn]] void bad_value(const std::string& source, const std::string& key, const char* expected,
                            const std::string& text) {
  throw Error(source + ": model metadata '" + key + "' must be " + expected + ", got '" + text + "'");
}

void from_text(const std::string& text, int64_t& out, const std::string& key, const std::string& source) {
  const auto v = parse_int64(text);
  if (!v) bad_value(source, key, "an integer", text);
  out = *v;
}
void from_text(const std::string& text, double& out, const std::string& key, const std::string& source) {
  const auto v = parse_double(text);
  if (!v) bad_value(source, key, "a number", text);
  out = *v;
}
void from_text(const std::string& text, bool& out, const std::string& key, const std::string& source) {
  if (text != "true" && text != "false") bad_value(source, key, "true or false", text);
  out = text == "true";
}
void from_text(const std::string& text, std::string& out, const std::string&, const std::string&) { out = text; }
void from_text(const std::string& text, std::vector<int64_t>& out, const std::string& key, const std::string& source) {
  out.clear();
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    const auto v = parse_int64(part);
    if (!v) bad_value(source, key, "a list of integers", text);
    out.push_back(*v);
  }
}

}  // namespace

std::map<std::string, std::string> to_metadata(const ModelSpec& spec) {
  const ModelEntry& e = find_model(spec.name);
  std::map<std::string, std::string> out = {{"model", spec.name},
                                            {"num_classes", to_text(spec.data.num_classes)},
                                            {"input_shape", to_text(spec.data.input_shape)}};
  for (const auto& f : e.fields) {
    const auto it = spec.options.find(f.key);
    const OptionValue& v = it != spec.options.end() ? it->second : f.default_value;
    out[f.key] = std::visit([](const auto& x) { return to_text(x); }, v);
  }
  return out;
}

ModelSpec from_metadata(const std::map<std::string, std::string>& metadata, const std::string& source) {
  auto it = metadata.find("model");
  NABLA_CHECK(it != metadata.end(), source,
              ": no 'model' entry in the metadata, so the model cannot be rebuilt (was it saved by `nabla train`?)");
  ModelSpec spec;
  spec.name = it->second;
  const ModelEntry& e = find_model(spec.name);
  auto get = [&](const std::string& key) -> const std::string* {
    const auto f = metadata.find(key);
    return f == metadata.end() ? nullptr : &f->second;
  };
  if (const auto* t = get("num_classes")) from_text(*t, spec.data.num_classes, "num_classes", source);
  if (const auto* t = get("input_shape")) {
    from_text(*t, spec.data.input_shape, "input_shape", source);
  } else if (get("in_channels") || get("image_size")) {  // metadata of the earlier shared options
    int64_t c = 1, s = 28;
    if (const auto* t = get("in_channels")) from_text(*t, c, "in_channels", source);
    if (const auto* t = get("image_size")) from_text(*t, s, "image_size", source);
    spec.data.input_shape = {c, s, s};
  }
  for (const auto& f : e.fields) {
    OptionValue v = f.default_value;
    if (const auto* t = get(f.key)) std::visit([&](auto& x) { from_text(*t, x, f.key, source); }, v);
    spec.options[f.key] = v;
  }
  return spec;
}

}  // namespace nabla::models
