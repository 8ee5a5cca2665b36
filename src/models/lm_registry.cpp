#include "nabla/models/lm_registry.h"

#include <string>

#include "nabla/models/char_lstm.h"
#include "nabla/models/gpt.h"

namespace nabla::models {

namespace {

// The line of a language model whose options struct has a vocab_size field and a visit(); the
// vocabulary size comes from the data, so it is not one of the configurable fields.
template <class Options, class Model>
LanguageModelEntry lm_entry(std::string name, std::string help, LMBatching batching) {
  LanguageModelEntry e{std::move(name), std::move(help), {}, batching, {}};
  Options defaults;
  defaults.visit([&](const char* key, const auto& field, const char* field_help) {
    if (std::string(key) != "vocab_size") e.fields.push_back({key, OptionValue(field), field_help});
  });
  e.create = [model = e.name](int64_t vocab_size, const OptionValues& values) {
    Options o;
    read_options(o, values, model);
    o.vocab_size = vocab_size;
    return std::shared_ptr<CausalLM>(std::make_shared<Model>(o));
  };
  return e;
}

}  // namespace

const std::vector<LanguageModelEntry>& language_model_registry() {
  static const std::vector<LanguageModelEntry> table = {
      lm_entry<CharLSTMOptions, CharLSTM>("char_lstm", "character LSTM: Embedding, LSTM layers, Linear to the vocabulary",
                                          LMBatching::Bptt),
      lm_entry<GPTOptions, GPT>("gpt", "decoder-only Transformer (GPT-2): token and position embeddings, blocks, tied head",
                                LMBatching::RandomBlocks),
  };
  return table;
}

std::vector<std::string> language_model_names() {
  std::vector<std::string> out;
  for (const auto& e : language_model_registry()) out.push_back(e.name);
  return out;
}

bool is_language_model(const std::string& name) {
  for (const auto& e : language_model_registry())
    if (e.name == name) return true;
  return false;
}

const LanguageModelEntry& find_language_model(const std::string& name) {
  std::string known;
  for (const auto& e : language_model_registry()) {
    if (e.name == name) return e;
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw Error("models::find_language_model: unknown language model '" + name + "' (known: " + known + ")");
}

std::shared_ptr<CausalLM> create_language_model(const std::string& name, int64_t vocab_size, const OptionValues& options) {
  return find_language_model(name).create(vocab_size, options);
}

OptionValues default_language_model_options() {
  OptionValues out;
  for (const auto& e : language_model_registry())
    for (const auto& f : e.fields) out.emplace(f.key, f.default_value);
  return out;
}

}  // namespace nabla::models
