#include "nabla/autograd.h"
#include "nabla/nn/positional.h"

#include <cmath>

#include "nabla/nn/functional/dropout.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"

namespace nabla::nn {
namespace {

// The first L rows of `table` (max_len, d_model) shaped to broadcast against x.
Tensor positions_for(const char* who, const Tensor& x, const Tensor& table, bool batch_first) {
  const int64_t max_len = table.size(0), d_model = table.size(1);
  NABLA_CHECK(x.dim() == 2 || x.dim() == 3, who, ": expected input (L, N, E), (N, L, E) with batch_first, or (L, E), got ",
              x.shape());
  NABLA_CHECK(x.size(-1) == d_model, who, ": input's last dim must be d_model=", d_model, ", got ", x.shape());
  const int64_t L = x.dim() == 3 && batch_first ? x.size(1) : x.size(0);
  NABLA_CHECK(L <= max_len, who, ": sequence length ", L, " exceeds max_len=", max_len);
  Tensor rows = table.narrow(0, 0, L);  // (L, E)
  if (x.dim() == 2) return rows;
  return batch_first ? rows.unsqueeze(0) : rows.unsqueeze(1);
}

}  // namespace

SinusoidalPositionalEncoding::SinusoidalPositionalEncoding(int64_t d_model_, int64_t max_len_, double dropout_,
                                                           bool batch_first_)
    : d_model(d_model_), max_len(max_len_), dropout(dropout_), batch_first(batch_first_) {
  NABLA_CHECK(d_model > 0 && max_len > 0, "SinusoidalPositionalEncoding: d_model and max_len must be positive, got ",
              d_model, " and ", max_len);
  std::vector<float> table(static_cast<size_t>(max_len * d_model));
  for (int64_t pos = 0; pos < max_len; ++pos)
    for (int64_t i = 0; i < d_model; ++i) {
      // 1/10000^(2k/d) for the pair k = i/2, computed as exp(−2k·ln(10000)/d) like the usual tables.
      const double freq = std::exp(-static_cast<double>(i - i % 2) * std::log(10000.0) / static_cast<double>(d_model));
      const double angle = static_cast<double>(pos) * freq;
      table[pos * d_model + i] = static_cast<float>(i % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  pe = from_vector(table, Shape{max_len, d_model});
  register_buffer("pe", &pe, /*persistent=*/false);
}

Tensor SinusoidalPositionalEncoding::forward(const Tensor& x) {
  Tensor y = add(x, positions_for("SinusoidalPositionalEncoding", x, pe.to(x.dtype()), batch_first));
  return functional::dropout(y, dropout, is_training());
}

std::string SinusoidalPositionalEncoding::extra_repr() const {
  return str_cat("d_model=", d_model, ", max_len=", max_len, ", dropout=", dropout,
                 batch_first ? ", batch_first=True" : "");
}

LearnedPositionalEncoding::LearnedPositionalEncoding(int64_t max_len_, int64_t d_model_, double dropout_,
                                                     bool batch_first_)
    : max_len(max_len_), d_model(d_model_), dropout(dropout_), batch_first(batch_first_) {
  NABLA_CHECK(d_model > 0 && max_len > 0, "LearnedPositionalEncoding: d_model and max_len must be positive, got ",
              d_model, " and ", max_len);
  weight = empty({max_len, d_model});
  reset_parameters();
  register_parameter("weight", &weight);
}

void LearnedPositionalEncoding::reset_parameters() {
  NoGradGuard guard;
  init::normal_(weight, 0.0, 0.02);
}

Tensor LearnedPositionalEncoding::forward(const Tensor& x) {
  Tensor y = add(x, positions_for("LearnedPositionalEncoding", x, weight, batch_first));
  return functional::dropout(y, dropout, is_training());
}

std::string LearnedPositionalEncoding::extra_repr() const {
  return str_cat("max_len=", max_len, ", d_model=", d_model, ", dropout=", dropout,
                 batch_first ? ", batch_first=True" : "");
}

}  // namespace nabla::nn
