#pragma once
// Shared by the nabla halves of the learning comparisons (bench/gpt_learn.cpp,
// bench/char_lstm_learn.cpp): the command line, the check that the Python half split the same
// corpus the same way, and the initial weights it wrote.
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "nabla/data/text.h"
#include "nabla/error.h"
#include "nabla/io/safetensors.h"

namespace nabla::bench {

/// The options every learning comparison takes.
struct LearnArgs {
  std::string setup_path;
  std::string corpus = data::kFortunesDir;
  int64_t eval_every = 100;
  int threads = 1;
};

/// Parses --setup FILE [--corpus DIR] [--eval-every N] [--threads N]; prints the problem (naming
/// `program` and `setup_writer`, the script that writes the setup) and returns nullopt on bad
/// arguments.
inline std::optional<LearnArgs> parse_learn_args(int argc, char** argv, const char* program, const char* setup_writer) {
  LearnArgs a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--setup") a.setup_path = v;
    else if (k == "--corpus") a.corpus = v;
    else if (k == "--eval-every") a.eval_every = std::stoll(v);
    else if (k == "--threads") a.threads = std::stoi(v);
    else {
      std::fprintf(stderr, "%s: unknown option %s (valid: --setup --corpus --eval-every --threads)\n", program, k.c_str());
      return std::nullopt;
    }
  }
  if (a.setup_path.empty() || a.eval_every < 1) {
    std::fprintf(stderr, "%s: --setup FILE is required (written by %s); --eval-every >= 1\n", program, setup_writer);
    return std::nullopt;
  }
  return a;
}

/// Raises Error (naming `program`) unless the setup's vocabulary, split sizes and id sums
/// ("check.vocab", "check.sizes", "check.sums") equal nabla's.
inline void check_same_data(const io::SafetensorsFile& setup, const data::CharVocab& vocab,
                            const std::vector<int64_t>& train, const std::vector<int64_t>& val, const char* program) {
  const auto chars = setup.tensors.at("check.vocab").to_vector<int64_t>();
  const auto sizes = setup.tensors.at("check.sizes").to_vector<int64_t>();
  const auto sums = setup.tensors.at("check.sums").to_vector<int64_t>();
  std::vector<int64_t> ours(vocab.chars().begin(), vocab.chars().end());
  for (int64_t& c : ours) c = static_cast<unsigned char>(c);
  NABLA_CHECK(chars == ours, program, ": the setup's vocabulary (", chars.size(), " bytes) differs from nabla's (",
              ours.size(), ")");
  const int64_t train_sum = std::accumulate(train.begin(), train.end(), int64_t{0});
  const int64_t val_sum = std::accumulate(val.begin(), val.end(), int64_t{0});
  const bool same = sizes.size() == 2 && sizes[0] == int64_t(train.size()) && sizes[1] == int64_t(val.size()) &&
                    sums.size() == 2 && sums[0] == train_sum && sums[1] == val_sum;
  NABLA_CHECK(same, program, ": the setup's split (train ", sizes[0], ", validation ", sizes[1],
              " ids) differs from nabla's (", train.size(), ", ", val.size(), ") or holds other ids");
}

/// The initial weights the Python half wrote: the setup's tensors "sd.<key>" as <key>.
inline StateDict initial_state_dict(const io::SafetensorsFile& setup) {
  StateDict sd;
  for (const auto& entry : setup.tensors)
    if (entry.first.rfind("sd.", 0) == 0) sd[entry.first.substr(3)] = entry.second;
  return sd;
}

}  // namespace nabla::bench
