#include "lm_checkpoint.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <variant>
#include <vector>

#include "nabla/checkpoint.h"
#include "nabla/error.h"
#include "nabla/models/lm_registry.h"

namespace nabla::cli {

namespace {

using nlohmann::json;

json read_user(const std::string& path) {
  NABLA_CHECK(std::filesystem::exists(path), "nabla: checkpoint '", path, "' does not exist");
  json user = json::parse(read_checkpoint_metadata(path).user_json, nullptr, false);
  NABLA_CHECK(user.is_object(), "nabla: checkpoint '", path, "' has no JSON object as user data");
  return user;
}

// The value of `j` in the type of `like` (a field's default); Error naming the key otherwise.
models::OptionValue option_from_json(const json& j, const models::OptionValue& like, const std::string& key,
                                     const std::string& path) {
  try {
    return std::visit([&j](const auto& d) -> models::OptionValue { return j.get<std::decay_t<decltype(d)>>(); }, like);
  } catch (const json::exception& e) {
    throw Error("nabla: checkpoint '" + path + "': model option '" + key + "' has the wrong type: " + e.what());
  }
}

}  // namespace

std::string lm_checkpoint_json(const LanguageModelInfo& info) {
  TrainConfig stored = info.config;
  stored.train.out_dir = "";
  json options = json::object();
  for (const auto& kv : info.options) {
    json& slot = options[kv.first];
    std::visit([&slot](const auto& v) { slot = v; }, kv.second);
  }
  // Bytes as numbers: a vocabulary of single bytes is not valid UTF-8 text in general.
  std::vector<int> bytes;
  for (unsigned char ch : info.vocab.chars()) bytes.push_back(ch);
  const json user = {{"language_model", true}, {"model", info.model},  {"model_options", options},
                     {"tokenizer", "char"},    {"vocab_bytes", bytes}, {"val_loss", info.val_loss},
                     {"config", to_toml(stored)}};
  return user.dump();
}

bool is_language_model_checkpoint(const std::string& path) {
  const json user = read_user(path);
  return user.contains("language_model") && user.at("language_model") == true;
}

LanguageModelInfo read_lm_info(const std::string& path) {
  const json user = read_user(path);
  if (!(user.contains("language_model") && user.at("language_model") == true)) {
    const std::string model = user.contains("model") && user.at("model").is_string() ? user.at("model").get<std::string>() : "?";
    throw Error("nabla: checkpoint '" + path + "' does not hold a language model (its model is '" + model +
                "'); train one with a language model such as model.name = \"char_lstm\"");
  }
  LanguageModelInfo info;
  try {
    info.model = user.at("model").get<std::string>();
    const auto& entry = models::find_language_model(info.model);
    const json& options = user.at("model_options");
    for (const auto& f : entry.fields)
      if (options.contains(f.key)) info.options[f.key] = option_from_json(options.at(f.key), f.default_value, f.key, path);
    NABLA_CHECK(user.at("tokenizer") == "char", "nabla: checkpoint '", path, "': unknown tokenizer ",
                user.at("tokenizer").dump());
    std::string chars;
    for (int b : user.at("vocab_bytes").get<std::vector<int>>()) {
      NABLA_CHECK(b >= 0 && b < 256, "nabla: checkpoint '", path, "': vocabulary byte ", b, " outside [0, 256)");
      chars.push_back(static_cast<char>(b));
    }
    info.vocab = data::CharVocab(chars);
    NABLA_CHECK(info.vocab.size() == static_cast<int64_t>(chars.size()), "nabla: checkpoint '", path,
                "': the vocabulary repeats a byte");
    info.val_loss = user.at("val_loss").get<double>();
    apply_toml(info.config, user.at("config").get<std::string>(), path + " (stored config)");
  } catch (const json::exception& e) {
    throw Error("nabla: checkpoint '" + path + "': malformed language-model description: " + e.what());
  }
  return info;
}

LoadedLanguageModel load_language_model(const std::string& path) {
  LoadedLanguageModel out;
  out.info = read_lm_info(path);
  out.model = models::create_language_model(out.info.model, out.info.vocab.size(), out.info.options);
  Checkpoint ck;
  ck.model = out.model.get();
  ck.default_generator = false;
  load_checkpoint(path, ck, /*strict=*/false);
  out.model->eval();
  return out;
}

}  // namespace nabla::cli
