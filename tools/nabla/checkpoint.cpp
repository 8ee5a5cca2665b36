#include "checkpoint.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "nabla/checkpoint.h"
#include "nabla/error.h"
#include "nabla/onnx/import.h"

namespace nabla::cli {

namespace {

using nlohmann::json;

json parse_user(const std::string& user_json, const std::string& path) {
  json user = json::parse(user_json, nullptr, false);
  NABLA_CHECK(!(user.is_object() && user.contains("language_model")), "nabla: checkpoint '", path,
              "' holds a language model; use nabla generate");
  NABLA_CHECK(user.is_object() && user.contains("model") && user.contains("model_options"), "nabla: checkpoint '",
              path, "' was not written by nabla train (its user JSON has no model description)");
  return user;
}

template <class T>
T field(const json& j, const char* key, const std::string& path) {
  NABLA_CHECK(j.contains(key), "nabla: checkpoint '", path, "': user JSON lacks '", key, "'");
  try {
    return j.at(key).get<T>();
  } catch (const json::exception& e) {
    throw Error("nabla: checkpoint '" + path + "': user JSON field '" + key + "' has the wrong type: " + e.what());
  }
}

}  // namespace

std::string run_checkpoint_json(const RunInfo& info) {
  TrainConfig stored = info.config;
  stored.train.out_dir = "";
  json user = {{"model", info.model.name},
               {"model_options", models::to_metadata(info.model)},
               {"dataset", info.config.data.name},
               {"class_names", info.class_names},
               {"normalize_mean", info.norm.mean},
               {"normalize_std", info.norm.std},
               {"val_acc", info.val_acc},
               {"config", to_toml(stored)}};
  if (!info.norm.channel_mean.empty()) {  // data.normalize = channel
    user["normalize_channel_mean"] = info.norm.channel_mean;
    user["normalize_channel_std"] = info.norm.channel_std;
  }
  return user.dump();
}

RunInfo read_run_info(const std::string& path) {
  NABLA_CHECK(std::filesystem::exists(path), "nabla: checkpoint '", path, "' does not exist");
  return parse_run_info(read_checkpoint_metadata(path).user_json, path);
}

RunInfo parse_run_info(const std::string& user_json, const std::string& path) {
  const json user = parse_user(user_json, path);
  RunInfo info;
  info.model = models::from_metadata(field<std::map<std::string, std::string>>(user, "model_options", path), path);
  info.norm.mean = field<double>(user, "normalize_mean", path);
  info.norm.std = field<double>(user, "normalize_std", path);
  if (user.contains("normalize_channel_mean")) {
    info.norm.channel_mean = field<std::vector<double>>(user, "normalize_channel_mean", path);
    info.norm.channel_std = field<std::vector<double>>(user, "normalize_channel_std", path);
    NABLA_CHECK(info.norm.channel_mean.size() == info.norm.channel_std.size(), "nabla: checkpoint '", path,
                "': normalize_channel_mean and normalize_channel_std differ in length");
  }
  info.val_acc = field<double>(user, "val_acc", path);
  info.class_names = user.contains("class_names") ? field<std::vector<std::string>>(user, "class_names", path)
                                                  : fashion_class_names();  // written before data.name existed
  apply_toml(info.config, field<std::string>(user, "config", path), path + " (stored config)");
  return info;
}

namespace {

// An ONNX model: the run description that `nabla export` stored in its metadata, or (a file from
// elsewhere) a Fashion-MNIST classifier with the default normalisation and the graph's input shape.
LoadedModel load_onnx_model(const std::string& path) {
  NABLA_CHECK(std::filesystem::exists(path), "nabla: model '", path, "' does not exist");
  auto model = onnx::load(path);
  LoadedModel out;
  const std::string run = model->metadata(kOnnxRunKey);
  if (!run.empty()) {
    out.info = parse_run_info(run, path);
  } else {
    const std::vector<int64_t> dims = model->input_shape(0);
    NABLA_CHECK(model->input_names().size() == 1 && dims.size() >= 2, "nabla: ONNX model '", path,
                "' must take one input of shape (batch, …)");
    out.info.model.name = "onnx";
    out.info.model.data.input_shape.assign(dims.begin() + 1, dims.end());
    for (int64_t d : out.info.model.data.input_shape)
      NABLA_CHECK(d > 0, "nabla: ONNX model '", path, "': input dims after the batch must be fixed, got ",
                  shape_str(dims));
    out.info.model.data.num_classes = static_cast<int64_t>(fashion_class_names().size());
    out.info.class_names = fashion_class_names();
  }
  out.spec = out.info.model;
  out.norm = out.info.norm;
  out.model = model;
  out.model->eval();
  return out;
}

}  // namespace

LoadedModel load_model_checkpoint(const std::string& path) {
  if (onnx::is_onnx_file(path)) return load_onnx_model(path);
  const RunInfo info = read_run_info(path);
  LoadedModel out;
  out.spec = info.model;
  out.norm = info.norm;
  out.info = info;
  out.model = models::create(info.model.name, info.model.data, info.model.options);
  Checkpoint ck;
  ck.model = out.model.get();
  ck.default_generator = false;
  load_checkpoint(path, ck, /*strict=*/false);
  out.epoch = ck.epoch;
  out.model->eval();
  return out;
}

}  // namespace nabla::cli
