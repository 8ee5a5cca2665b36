// `nabla generate CHECKPOINT --prompt TEXT …`: continues a prompt with a language model trained by
// `nabla train` (models::generate) and prints the prompt and the continuation.
#include <cstdio>

#include "commands.h"
#include "lm_checkpoint.h"
#include "nabla/error.h"
#include "nabla/models/language_model.h"
#include "nabla/random.h"

namespace nabla::cli {

namespace {

// The prompt's ids; Error naming the first character the vocabulary lacks.
std::vector<int64_t> encode_prompt(const data::CharVocab& vocab, const std::string& prompt) {
  NABLA_CHECK(!prompt.empty(), "nabla generate: the prompt is empty (give --prompt TEXT)");
  for (size_t i = 0; i < prompt.size(); ++i) {
    const char ch = prompt[i];
    if (vocab.chars().find(ch) == std::string::npos) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02x", static_cast<unsigned char>(ch));
      throw Error("nabla generate: the prompt's character " +
                  (ch >= 32 && ch < 127 ? "'" + std::string(1, ch) + "' (" + code + ")" : std::string("byte ") + code) +
                  " at position " + std::to_string(i) + " is not in the model's vocabulary of " +
                  std::to_string(vocab.size()) + " characters");
    }
  }
  return vocab.encode(prompt);
}

}  // namespace

int run_generate(const GenerateArgs& a) {
  NABLA_CHECK(a.max_new_tokens >= 0, "nabla generate: --max-new-tokens must be >= 0, got ", a.max_new_tokens);
  const LoadedLanguageModel lm = load_language_model(a.checkpoint);
  const std::vector<int64_t> ids = encode_prompt(lm.info.vocab, a.prompt);
  Generator gen(a.seed);
  models::GenerateOptions g;
  g.max_new_tokens = a.max_new_tokens;
  g.sampling.temperature = a.temperature;
  g.sampling.top_k = a.top_k;
  g.sampling.top_p = a.top_p;
  g.sampling.generator = &gen;
  g.use_cache = !a.no_cache;
  const Tensor out = models::generate(*lm.model, from_vector(ids), g);
  const Tensor flat = out.contiguous();
  const int64_t* p = flat.data_ptr<int64_t>();
  const std::string text = lm.info.vocab.decode(std::vector<int64_t>(p, p + flat.numel()));
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}

}  // namespace nabla::cli
