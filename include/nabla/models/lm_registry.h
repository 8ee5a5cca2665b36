#pragma once
// Language models by name: one table with one line per causal language model, the counterpart
// of registry.h (whose models map images or feature vectors to classes). A language model is
// built for a vocabulary size, which comes from the data; its typed options struct names each
// field once in visit(), from which configs and checkpoints read and write it.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nabla/models/language_model.h"
#include "nabla/models/registry.h"

namespace nabla::models {

/// How a language model is trained on a token stream.
enum class LMBatching {
  /// Contiguous rows read in order, the state carried (detached) from one chunk to the next:
  /// truncated BPTT for recurrent models (data::BpttStream; CharLSTM::forward_state).
  Bptt,
  /// Independent blocks of context_length tokens at random offsets (data::TokenStream).
  RandomBlocks,
};

/// One language model of the registry.
struct LanguageModelEntry {
  std::string name;
  std::string help;                 ///< one line: what it is
  std::vector<OptionField> fields;  ///< its options, in the order of the struct's visit()
  LMBatching batching = LMBatching::Bptt;
  /// Builds the model for `vocab_size` tokens with the values of `options` for its own keys
  /// (others are ignored; an absent key keeps the default; a wrong type raises Error).
  std::function<std::shared_ptr<CausalLM>(int64_t vocab_size, const OptionValues&)> create;
};

/// The table of language models, sorted by name ("char_lstm").
const std::vector<LanguageModelEntry>& language_model_registry();

/// Names of the language models, sorted.
std::vector<std::string> language_model_names();

/// Whether `name` is a language model of the table.
bool is_language_model(const std::string& name);

/// The entry `name`; an unknown name raises Error listing the known names.
const LanguageModelEntry& find_language_model(const std::string& name);

/// Builds the language model `name` for `vocab_size` tokens (see LanguageModelEntry::create).
std::shared_ptr<CausalLM> create_language_model(const std::string& name, int64_t vocab_size,
                                                const OptionValues& options = {});

/// Every option key of every language model with its default (the first model's, for a shared key).
OptionValues default_language_model_options();

}  // namespace nabla::models
