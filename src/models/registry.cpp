#include "nabla/models/registry.h"

#include <sstream>

#include "nabla/error.h"
#include "nabla/models/lenet.h"
#include "nabla/models/mlp.h"

namespace nabla::models {

std::vector<std::string> model_names() { return {"lenet5", "mlp"}; }

namespace {

std::string joined_names() {
  std::string out;
  for (const auto& n : model_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::shared_ptr<nn::UnaryModule> create(const std::string& name, const ModelOptions& options) {
  if (name == "lenet5") {
    NABLA_CHECK(options.image_size == 28, "models::create: lenet5 expects 28x28 inputs, got image_size ",
                options.image_size);
    return lenet5(options.num_classes, options.in_channels, options.batch_norm);
  }
  if (name == "mlp") {
    std::vector<int64_t> sizes = {options.in_channels * options.image_size * options.image_size};
    sizes.insert(sizes.end(), options.hidden.begin(), options.hidden.end());
    sizes.push_back(options.num_classes);
    return mlp(sizes, options.dropout);
  }
  throw Error("models::create: unknown model '" + name + "' (known models: " + joined_names() + ")");
}

std::map<std::string, std::string> to_metadata(const std::string& name, const ModelOptions& options) {
  std::string hidden;
  for (int64_t h : options.hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(h);
  std::ostringstream dropout;
  dropout.precision(17);
  dropout << options.dropout;
  return {{"model", name},
          {"num_classes", std::to_string(options.num_classes)},
          {"in_channels", std::to_string(options.in_channels)},
          {"image_size", std::to_string(options.image_size)},
          {"hidden", hidden},
          {"batch_norm", options.batch_norm ? "true" : "false"},
          {"dropout", dropout.str()}};
}

namespace {

int64_t parse_int(const std::string& text, const std::string& key, const std::string& source) {
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  NABLA_CHECK(used == text.size() && !text.empty(), source, ": model metadata '", key,
              "' must be an integer, got '", text, "'");
  return v;
}

}  // namespace

std::pair<std::string, ModelOptions> from_metadata(const std::map<std::string, std::string>& metadata,
                                                   const std::string& source) {
  auto it = metadata.find("model");
  NABLA_CHECK(it != metadata.end(), source,
              ": no 'model' entry in the metadata, so the model cannot be rebuilt (was it saved by `nabla train`?)");
  ModelOptions o;
  auto get = [&](const char* key) -> const std::string* {
    auto f = metadata.find(key);
    return f == metadata.end() ? nullptr : &f->second;
  };
  if (auto* v = get("num_classes")) o.num_classes = parse_int(*v, "num_classes", source);
  if (auto* v = get("in_channels")) o.in_channels = parse_int(*v, "in_channels", source);
  if (auto* v = get("image_size")) o.image_size = parse_int(*v, "image_size", source);
  if (auto* v = get("hidden")) {
    o.hidden.clear();
    std::stringstream ss(*v);
    std::string part;
    while (std::getline(ss, part, ',')) o.hidden.push_back(parse_int(part, "hidden", source));
  }
  if (auto* v = get("batch_norm")) {
    NABLA_CHECK(*v == "true" || *v == "false", source, ": model metadata 'batch_norm' must be true or false, got '",
                *v, "'");
    o.batch_norm = *v == "true";
  }
  if (auto* v = get("dropout")) {
    try {
      o.dropout = std::stod(*v);
    } catch (const std::exception&) {
      throw Error(source + ": model metadata 'dropout' must be a number, got '" + *v + "'");
    }
  }
  return {it->second, o};
}

}  // namespace nabla::models
