// Learning side by side, nabla half: models::GPT in nanoGPT's CPU "baby GPT" configuration
// (n_layer 4, n_head 4, n_embd 128, block 64, batch 12, dropout 0) trained on the character-level
// fortunes corpus from the initial weights, batch offsets and validation blocks that
// bench/pytorch_gpt_learn.py drew and wrote to SETUP, with the same optimizer and schedule (AdamW
// lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on ≥ 2-d parameters, clipping at norm 1.0, 100
// warm-up steps, cosine to 1e-4 at the last step). bench/gpt_learn_compare.sh runs both halves.
//
// Usage: gpt_learn --setup FILE [--corpus DIR] [--eval-every N] [--threads N]
// The number of steps is the number of rows of the setup's train_offsets. Prints the same lines
// as the Python half: "eval step=… val_loss=… train_loss=… train_wall_s=…" and "done steps=…
// train_wall_s=… train_cpu_s=… total_wall_s=…" (train_*: training steps alone, evaluation excluded).
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <numbers>
#include <string>

#include "nabla/autograd.h"
#include "nabla/data/text.h"
#include "nabla/data/token_stream.h"
#include "nabla/error.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/gpt.h"
#include "nabla/nn/clip.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/optim.h"
#include "learn_setup.h"

using namespace nabla;

namespace {

constexpr int64_t kBatch = 12, kBlock = 64;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// nanoGPT's get_lr with lr_decay_iters = steps: linear warm-up, then a cosine from lr to min_lr.
double lr_at(int64_t it, int64_t steps, double lr, double min_lr, int64_t warmup) {
  if (it < warmup) return lr * double(it + 1) / double(warmup + 1);
  const double ratio = std::min(1.0, double(it - warmup) / double(std::max<int64_t>(1, steps - warmup)));
  return min_lr + 0.5 * (1.0 + std::cos(std::numbers::pi * ratio)) * (lr - min_lr);
}

// Mean cross-entropy over the validation blocks starting at `offsets`, kBatch at a time.
double val_loss(models::GPT& gpt, const data::TokenStream& val, const std::vector<int64_t>& offsets) {
  NoGradGuard no_grad;
  gpt.eval();
  double total = 0.0;
  for (size_t i = 0; i < offsets.size(); i += kBatch) {
    const std::vector<int64_t> part(offsets.begin() + i, offsets.begin() + std::min(offsets.size(), i + kBatch));
    data::Batch b;
    val.get_batch(part, b);
    const Tensor logits = gpt(b.input);
    total += nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}), b.target.reshape({-1})).item() *
             double(part.size());
  }
  gpt.train();
  return total / double(offsets.size());
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = bench::parse_learn_args(argc, argv, "gpt_learn", "bench/pytorch_gpt_learn.py");
  if (!args) return 2;
  omp_set_num_threads(args->threads);
  const auto t_start = std::chrono::steady_clock::now();

  const std::string text = data::read_text_corpus(args->corpus, true);
  const data::CharVocab vocab(text);
  auto [train_ids, val_ids] = data::split_tokens(vocab.encode(text), 0.1);
  const io::SafetensorsFile setup = io::load_safetensors(args->setup_path);
  bench::check_same_data(setup, vocab, train_ids, val_ids, "gpt_learn");
  const data::TokenStream train(std::move(train_ids), kBlock, 1), val(std::move(val_ids), kBlock, 1);  // block i starts at i

  models::GPT gpt({.vocab_size = vocab.size(), .block_size = kBlock, .n_layer = 4, .n_head = 4, .n_embd = 128,
                   .dropout = 0.0});
  gpt.load_state_dict(bench::initial_state_dict(setup));
  std::printf("corpus bytes=%zu vocab=%lld train=%zu val=%zu params=%lld\n", text.size(), (long long)vocab.size(),
              train.ids().size(), val.ids().size(), (long long)gpt.num_params(false));

  std::vector<Tensor> decay, no_decay;
  for (const Tensor& p : gpt.parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  optim::AdamW::ParamGroup decayed, not_decayed;  // nanoGPT: decay on weights and embeddings only
  decayed.params = decay, decayed.options.weight_decay = 0.1;
  not_decayed.params = no_decay, not_decayed.options.weight_decay = 0.0;
  optim::AdamW opt({decayed, not_decayed}, {.lr = 1e-3, .betas = {0.9, 0.99}});
  const Tensor& offsets = setup.tensors.at("train_offsets");
  const int64_t steps = offsets.size(0);
  const std::vector<int64_t> val_offsets = setup.tensors.at("val_offsets").to_vector<int64_t>();

  double train_wall = 0.0, train_cpu = 0.0, loss_sum = 0.0;
  int64_t loss_count = 0;
  for (int64_t it = 0; it <= steps; ++it) {
    if (it % args->eval_every == 0 || it == steps) {
      std::printf("eval step=%lld val_loss=%.4f train_loss=%.4f train_wall_s=%.1f\n", (long long)it,
                  val_loss(gpt, val, val_offsets), loss_count ? loss_sum / double(loss_count) : NAN, train_wall);
      std::fflush(stdout);
      loss_sum = 0.0, loss_count = 0;
    }
    if (it == steps) break;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    for (size_t g = 0; g < opt.num_param_groups(); ++g) opt.set_lr(g, lr_at(it, steps, 1e-3, 1e-4, 100));
    data::Batch b;
    train.get_batch(offsets.select(0, it).to_vector<int64_t>(), b);
    const Tensor logits = gpt(b.input);
    const Tensor loss = nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}), b.target.reshape({-1}));
    opt.zero_grad();
    loss.backward();
    nn::utils::clip_grad_norm_(gpt.parameters(), 1.0);
    opt.step();
    loss_sum += loss.item();
    ++loss_count;
    train_wall += seconds_since(t0);
    train_cpu += double(std::clock() - c0) / CLOCKS_PER_SEC;
  }
  std::printf("done steps=%lld train_wall_s=%.1f train_cpu_s=%.1f total_wall_s=%.1f\n", (long long)steps, train_wall,
              train_cpu, seconds_since(t_start));
  return 0;
}
