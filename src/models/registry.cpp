#include "nabla/models/registry.h"

#include <sstream>
#include <type_traits>

#include "nabla/error.h"
#include "nabla/models/lenet.h"
#include "nabla/models/mlp.h"
#include "nabla/parse.h"

namespace nabla::models {

const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> table = {
      {"lenet5", "LeNet-5 for 28x28 inputs (reads batch_norm)",
       [](const ModelOptions& o) {
         NABLA_CHECK(o.image_size == 28, "models::create: lenet5 expects 28x28 inputs, got image_size ", o.image_size);
         return std::shared_ptr<nn::UnaryModule>(lenet5(o.num_classes, o.in_channels, o.batch_norm));
       }},
      {"mlp", "flatten, then Linear+ReLU per hidden size, then Linear (reads hidden, dropout)",
       [](const ModelOptions& o) {
         std::vector<int64_t> sizes = {o.in_channels * o.image_size * o.image_size};
         sizes.insert(sizes.end(), o.hidden.begin(), o.hidden.end());
         sizes.push_back(o.num_classes);
         return std::shared_ptr<nn::UnaryModule>(mlp(sizes, o.dropout));
       }},
  };
  return table;
}

std::vector<std::string> model_names() {
  std::vector<std::string> out;
  for (const auto& e : model_registry()) out.push_back(e.name);
  return out;
}

std::shared_ptr<nn::UnaryModule> create(const std::string& name, const ModelOptions& options) {
  std::string known;
  for (const auto& e : model_registry()) {
    if (e.name == name) return e.create(options);
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw Error("models::create: unknown model '" + name + "' (known models: " + known + ")");
}

namespace {

std::string to_text(int64_t v) { return std::to_string(v); }
std::string to_text(bool v) { return v ? "true" : "false"; }
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

std::map<std::string, std::string> to_metadata(const std::string& name, const ModelOptions& options) {
  std::map<std::string, std::string> out = {{"model", name}};
  ModelOptions copy = options;
  copy.visit([&](const char* key, const auto& field) { out[key] = to_text(field); });
  return out;
}

std::pair<std::string, ModelOptions> from_metadata(const std::map<std::string, std::string>& metadata,
                                                   const std::string& source) {
  auto it = metadata.find("model");
  NABLA_CHECK(it != metadata.end(), source,
              ": no 'model' entry in the metadata, so the model cannot be rebuilt (was it saved by `nabla train`?)");
  ModelOptions o;
  o.visit([&](const char* key, auto& field) {
    if (auto f = metadata.find(key); f != metadata.end()) from_text(f->second, field, key, source);
  });
  return {it->second, o};
}

}  // namespace nabla::models
