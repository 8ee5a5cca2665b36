// A character-level LSTM language model trained with truncated backpropagation through time and
// gradient clipping, then sampled. The corpus is cut into B contiguous rows read T characters at
// a time (data::BpttStream); the (h, c) state flows from one chunk to the next with its history
// detached, so each backward covers T steps.
// Usage: char_lstm [TEXT_FILE_OR_DIR] [STEPS]   (default: Debian's fortunes, 300 steps)
#include <cmath>
#include <cstdio>
#include <string>

#include "nabla/nabla.h"
#include "nabla/data/bptt_stream.h"
#include "nabla/data/text.h"
#include "nabla/data/token_stream.h"
#include "nabla/models/char_lstm.h"
#include "nabla/nn/clip.h"

using namespace nabla;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : data::kFortunesDir;
  const int64_t steps = argc > 2 ? std::stoll(argv[2]) : 300;
  const std::string text = data::read_text_corpus(path, /*fortune_format=*/path == data::kFortunesDir);
  const data::CharVocab vocab(text);
  auto [train_ids, val_ids] = data::split_tokens(vocab.encode(text), 0.05);
  const data::BpttStream train(train_ids, /*batch_size=*/32, /*seq_len=*/64);
  const data::BpttStream val(val_ids, 8, 64);
  std::printf("%zu characters, vocabulary %lld, %lld chunks of (32, 64)\n", text.size(),
              static_cast<long long>(vocab.size()), static_cast<long long>(train.size()));

  manual_seed(0);
  models::CharLSTM model({.vocab_size = vocab.size(), .embedding_dim = 32, .hidden_size = 128, .num_layers = 1});
  optim::Adam opt(model.parameters(), {.lr = 3e-3});
  auto loss_of = [&](const Tensor& logits, const Tensor& target) {
    return nn::functional::cross_entropy(logits.reshape({-1, vocab.size()}), target.reshape({-1}));
  };

  std::optional<nn::LSTMState> state;  // zeros at the start of the stream
  for (int64_t step = 0; step < steps; ++step) {
    const int64_t chunk = step % train.size();
    if (chunk == 0) state.reset();  // a new pass starts the rows again
    const data::Example e = train.get(chunk);
    auto [logits, next] = model.forward_state(e.input, state);
    const Tensor loss = loss_of(logits, e.target);
    opt.zero_grad();
    loss.backward();                                // through this chunk only
    nn::utils::clip_grad_norm_(model.parameters(), 5.0);  // global L2 norm ≤ 5
    opt.step();
    state = models::detach_state(next);             // carry the value, not the graph
    if ((step + 1) % 100 == 0) std::printf("step %lld  loss %.4f\n", static_cast<long long>(step + 1), loss.item());
  }

  // Validation: the same carried state, without gradients; bits per character = loss / ln 2.
  model.eval();
  NoGradGuard no_grad;
  double sum = 0;
  int64_t count = 0;
  state.reset();
  for (int64_t i = 0; i < val.size(); ++i) {
    const data::Example e = val.get(i);
    auto [logits, next] = model.forward_state(e.input, state);
    sum += loss_of(logits, e.target).item() * static_cast<double>(e.target.numel());
    count += e.target.numel();
    state = next;
  }
  std::printf("validation loss %.4f, %.3f bits per character\n", sum / double(count), sum / double(count) / std::log(2.0));

  Generator gen(1);
  models::GenerateOptions g{.max_new_tokens = 200, .sampling = {.temperature = 0.8, .generator = &gen}};
  const std::string prompt = text.substr(0, 4);  // the corpus's first characters: in the vocabulary
  const Tensor out = models::generate(model, from_vector(vocab.encode(prompt)), g);
  std::vector<int64_t> ids(static_cast<size_t>(out.numel()));
  for (int64_t i = 0; i < out.numel(); ++i) ids[i] = out[i].item<int64_t>();
  std::printf("%s\n", vocab.decode(ids).c_str());
  return 0;
}
