// Generation for any CausalLM: sample a token from the last position's logits, append, repeat.
#include "nabla/models/language_model.h"

#include <algorithm>
#include <string>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::models {

namespace {

// Error unless every id of `ids` lies in [0, vocab).
void check_ids(const Tensor& ids, int64_t vocab) {
  if (ids.numel() == 0) return;
  const int64_t lo = nabla::min(ids).item<int64_t>();
  const int64_t hi = nabla::max(ids).item<int64_t>();
  NABLA_CHECK(lo >= 0 && hi < vocab, "models::generate: prompt token id ", lo < 0 ? lo : hi,
              " is outside the vocabulary [0, ", vocab, ")");
}

// Resets the cache when it goes out of scope, also when generation throws.
struct CacheReset {
  CausalLM& model;
  ~CacheReset() { model.reset_cache(); }
};

}  // namespace

Tensor generate(CausalLM& model, const Tensor& prompt, const GenerateOptions& options) {
  NABLA_CHECK(prompt.dtype() == DType::Int64, "models::generate: the prompt must be int64 token ids, got ",
              dtype_name(prompt.dtype()));
  NABLA_CHECK(prompt.dim() == 1 || prompt.dim() == 2, "models::generate: the prompt must be (T) or (B, T), got ",
              shape_str(prompt.shape()));
  NABLA_CHECK(prompt.numel() > 0 && prompt.size(-1) > 0, "models::generate: the prompt is empty");
  NABLA_CHECK(options.max_new_tokens >= 0, "models::generate: max_new_tokens must be >= 0, got ",
              options.max_new_tokens);
  check_ids(prompt, model.vocab_size());

  NoGradGuard no_grad;
  model.reset_cache();
  CacheReset reset{model};
  Tensor seq = prompt.dim() == 1 ? prompt.unsqueeze(0) : prompt;  // (B, T)
  const int64_t window = model.context_length();
  // The tokens the cache holds end where `seq` ends; `fresh` are those not yet fed.
  Tensor fresh = seq;
  for (int64_t step = 0; step < options.max_new_tokens; ++step) {
    Tensor logits;
    if (!options.use_cache) {
      const int64_t t = seq.size(1);
      const Tensor context = window > 0 && t > window ? seq.narrow(1, t - window, window) : seq;
      logits = model.forward(context);
    } else {
      const int64_t held = seq.size(1) - fresh.size(1);
      if (window > 0 && held + fresh.size(1) > window) {
        // The window slides: rebuild the cache from the last `window` tokens.
        model.reset_cache();
        fresh = seq.narrow(1, seq.size(1) - window, window);
      }
      logits = model.forward_cached(fresh);
    }
    const Tensor last = logits.select(1, logits.size(1) - 1);  // (B, V)
    const Tensor next = nn::functional::sample_next_token(last, options.sampling).unsqueeze(1);  // (B, 1)
    seq = nabla::cat({seq, next}, 1);
    fresh = next;
  }
  return prompt.dim() == 1 ? seq.squeeze(0) : seq;
}

}  // namespace nabla::models
