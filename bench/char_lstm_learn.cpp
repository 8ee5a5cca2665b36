// Learning side by side, nabla half: models::CharLSTM as configs/char_lstm_fortunes.toml
// (Embedding 64 -> 2-layer LSTM 256 -> Linear to the vocabulary) with dropout 0, trained by
// truncated BPTT on the fortunes (64 contiguous rows, 128 characters a chunk, the (h, c) state
// carried and detached, dropped when the rows start again) from the initial weights that
// bench/pytorch_char_lstm_learn.py drew and wrote to SETUP, with the same optimizer (Adam lr 2e-3,
// global-norm clipping at 5). bench/char_lstm_learn_compare.sh runs both halves.
//
// Usage: char_lstm_learn --setup FILE [--corpus DIR] [--eval-every N] [--threads N]
// The number of steps is the setup's "steps". Prints the same lines as the Python half:
// "eval step=… val_loss=… train_loss=… train_wall_s=…" and "done steps=… train_wall_s=…
// train_cpu_s=… total_wall_s=…" (train_*: training steps alone, evaluation excluded).
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

#include "nabla/autograd.h"
#include "nabla/data/bptt_stream.h"
#include "nabla/data/text.h"
#include "nabla/data/token_stream.h"
#include "nabla/error.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/char_lstm.h"
#include "nabla/nn/clip.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/optim.h"
#include "learn_setup.h"

using namespace nabla;

namespace {

constexpr int64_t kBatch = 64, kSeq = 128;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Mean cross-entropy per character over the whole validation stream, read as contiguous rows with
// the state carried (nabla train's evaluation, and the Python half's).
double val_loss(models::CharLSTM& model, const std::vector<int64_t>& ids) {
  NoGradGuard no_grad;
  model.eval();
  const int64_t rows = std::max<int64_t>(1, std::min<int64_t>(kBatch, int64_t(ids.size()) / (kSeq + 1)));
  const data::BpttStream stream(ids, rows, kSeq);
  std::optional<nn::LSTMState> state;
  double sum = 0.0;
  int64_t count = 0;
  for (int64_t i = 0; i < stream.size(); ++i) {
    const data::Example e = stream.get(i);
    auto [logits, next] = model.forward_state(e.input, state);
    state = next;
    sum += nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}), e.target.reshape({-1}), Tensor(), -100,
                                         nn::Reduction::Sum)
               .item();
    count += e.target.numel();
  }
  model.train();
  return sum / double(count);
}

}  // namespace

int main(int argc, char** argv) {
  const auto args =
      bench::parse_learn_args(argc, argv, "char_lstm_learn", "bench/pytorch_char_lstm_learn.py --write-setup");
  if (!args) return 2;
  omp_set_num_threads(args->threads);
  const auto t_start = std::chrono::steady_clock::now();

  const std::string text = data::read_text_corpus(args->corpus, true);
  const data::CharVocab vocab(text);
  auto [train_ids, val_ids] = data::split_tokens(vocab.encode(text), 0.05);
  const io::SafetensorsFile setup = io::load_safetensors(args->setup_path);
  bench::check_same_data(setup, vocab, train_ids, val_ids, "char_lstm_learn");
  const data::BpttStream train(train_ids, kBatch, kSeq);

  models::CharLSTM model({.vocab_size = vocab.size(), .embedding_dim = 64, .hidden_size = 256, .num_layers = 2,
                          .dropout = 0.0});
  model.load_state_dict(bench::initial_state_dict(setup));
  std::printf("corpus bytes=%zu vocab=%lld train=%zu val=%zu params=%lld chunks=%lld\n", text.size(),
              (long long)vocab.size(), train_ids.size(), val_ids.size(), (long long)model.num_parameters(),
              (long long)train.size());

  optim::Adam opt(model.parameters(), {.lr = 2e-3});
  const int64_t steps = setup.tensors.at("steps").to_vector<int64_t>().at(0);
  double train_wall = 0.0, train_cpu = 0.0, loss_sum = 0.0;
  int64_t loss_count = 0;
  std::optional<nn::LSTMState> state;
  for (int64_t it = 0; it <= steps; ++it) {
    if (it % args->eval_every == 0 || it == steps) {
      std::printf("eval step=%lld val_loss=%.4f train_loss=%.4f train_wall_s=%.1f\n", (long long)it,
                  val_loss(model, val_ids), loss_count ? loss_sum / double(loss_count) : NAN, train_wall);
      std::fflush(stdout);
      loss_sum = 0.0, loss_count = 0;
    }
    if (it == steps) break;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    const int64_t chunk = it % train.size();
    if (chunk == 0) state.reset();  // a new pass over the rows starts from a zero state
    const data::Example e = train.get(chunk);
    auto [logits, next] = model.forward_state(e.input, state);
    const Tensor loss = nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}), e.target.reshape({-1}));
    opt.zero_grad();
    loss.backward();
    nn::utils::clip_grad_norm_(model.parameters(), 5.0);
    opt.step();
    state = models::detach_state(next);
    loss_sum += loss.item();
    ++loss_count;
    train_wall += seconds_since(t0);
    train_cpu += double(std::clock() - c0) / CLOCKS_PER_SEC;
  }
  std::printf("done steps=%lld train_wall_s=%.1f train_cpu_s=%.1f total_wall_s=%.1f\n", (long long)steps, train_wall,
              train_cpu, seconds_since(t_start));
  return 0;
}
