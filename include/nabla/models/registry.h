#pragma once
// Models by name: one table (model_registry) with one line per model, made by make_entry from a
// factory and the model's typed options struct (LeNet5Options, MLPOptions). An options struct's
// visit() names each field once, with its help; from that list the entry reads the config's
// [model] section and the checkpoint metadata into the struct and writes it back. Shapes (class
// count, input shape) come from the data as a DataShape given to every factory.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "nabla/error.h"
#include "nabla/nn/module.h"

namespace nabla::models {

/// What the data says: the class count and the shape of one input sample, (C, H, W) for images
/// or (F) for feature vectors.
struct DataShape {
  int64_t num_classes = 10;
  std::vector<int64_t> input_shape = {1, 28, 28};
};

/// LeNet-5's settings (models::lenet5); it needs (C, 28, 28) inputs.
struct LeNet5Options {
  bool batch_norm = false;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("batch_norm", batch_norm, "BatchNorm2d after each convolution");
  }
};

/// The MLP's settings (models::mlp); its input size is the product of the input shape.
struct MLPOptions {
  std::vector<int64_t> hidden = {256};
  double dropout = 0.0;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("hidden", hidden, "hidden layer sizes, e.g. [256]");
    v("dropout", dropout, "dropout probability after hidden layers");
  }
};

/// One option value in untyped form: the field types an options struct may use.
using OptionValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>>;
/// Option values by key (a config's [model] section, a checkpoint's model metadata).
using OptionValues = std::map<std::string, OptionValue>;

/// One field of a model's options: key, default value and help.
struct OptionField {
  std::string key;
  OptionValue default_value;
  std::string help;
};

/// One model of the registry.
struct ModelEntry {
  std::string name;
  std::string help;                 ///< one line: what it is
  std::vector<OptionField> fields;  ///< its options, in the order of the struct's visit()
  /// Builds the model for `shape` with the values of `options` for its own keys (other keys are
  /// ignored; an absent key keeps the struct's default; a value of the wrong type raises Error).
  std::function<std::shared_ptr<nn::UnaryModule>(const DataShape&, const OptionValues&)> create;
};

/// The values of every field of `options` by key.
template <class Options>
OptionValues option_values(Options options) {
  OptionValues out;
  options.visit([&](const char* key, const auto& field, const char*) { out[key] = field; });
  return out;
}

/// Reads the values of `values` whose keys are fields of `options` into it; `model` names it in
/// errors. A value of another type than the field's raises Error naming the key.
template <class Options>
void read_options(Options& options, const OptionValues& values, const std::string& model) {
  options.visit([&](const char* key, auto& field, const char*) {
    using T = std::decay_t<decltype(field)>;
    const auto it = values.find(key);
    if (it == values.end()) return;
    if (const T* v = std::get_if<T>(&it->second)) field = *v;
    else if constexpr (std::is_same_v<T, double>) {
      const int64_t* i = std::get_if<int64_t>(&it->second);
      NABLA_CHECK(i, "models::create: ", model, " option '", key, "' must be a number");
      field = static_cast<double>(*i);
    } else {
      throw Error("models::create: " + model + " option '" + key + "' has the wrong type");
    }
  });
}

/// The registry line of a model: `factory(const DataShape&, const Options&)` returns a
/// shared_ptr to a unary module; the fields and their defaults come from Options::visit.
template <class Options, class Factory>
ModelEntry make_entry(std::string name, std::string help, Factory factory) {
  ModelEntry e{std::move(name), std::move(help), {}, {}};
  Options defaults;
  defaults.visit([&](const char* key, const auto& field, const char* field_help) {
    e.fields.push_back({key, OptionValue(field), field_help});
  });
  e.create = [factory, model = e.name](const DataShape& shape, const OptionValues& values) {
    Options o;
    read_options(o, values, model);
    return std::shared_ptr<nn::UnaryModule>(factory(shape, o));
  };
  return e;
}

/// The table of models, sorted by name.
const std::vector<ModelEntry>& model_registry();

/// Names in the registry, sorted ("lenet5", "mlp").
std::vector<std::string> model_names();

/// The entry `name`; an unknown name raises Error listing the known names.
const ModelEntry& find_model(const std::string& name);

/// Builds the model `name` for `shape` with `options` (values by key; see ModelEntry::create).
std::shared_ptr<nn::UnaryModule> create(const std::string& name, const DataShape& shape = {},
                                        const OptionValues& options = {});

/// Builds the model `name` from its typed options struct, e.g. create("mlp", shape, MLPOptions{{128}}).
template <class Options>
std::shared_ptr<nn::UnaryModule> create(const std::string& name, const DataShape& shape, const Options& options) {
  return create(name, shape, option_values(options));
}

/// Every option key of every model with its default (the first model's, for a shared key).
OptionValues default_options();

/// A model as stored: name, data shape and the values of its options.
struct ModelSpec {
  std::string name;
  DataShape data;
  OptionValues options;
};

/// The spec as string metadata: "model", "num_classes", "input_shape" ("1,28,28") and one key per
/// field of the model's options struct (lists as "256,128", booleans as "true"/"false", doubles
/// with 17 significant digits). Keys of `spec.options` the model does not declare are not written.
std::map<std::string, std::string> to_metadata(const ModelSpec& spec);

/// Reads what to_metadata wrote (absent fields keep their defaults; keys the model does not
/// declare are ignored); `source` names the file in errors. Metadata of the earlier shared
/// options ("in_channels" and "image_size" instead of "input_shape") reads as (C, S, S). A missing
/// "model" key, an unknown model or a malformed value raises Error naming the key.
ModelSpec from_metadata(const std::map<std::string, std::string>& metadata, const std::string& source);

}  // namespace nabla::models
