// RNN, LSTM, GRU and their cells. A layer and direction runs as: the input projection of every
// time step in one GEMM (linear over (T, N, I)), then per step the recurrent GEMM h·W_hhᵀ + b_hh
// and one fused gate kernel (functional::lstm_gates / gru_gates; tanh or relu of a sum for RNN).
#include "nabla/nn/recurrent.h"

#include <cmath>

#include "nabla/autograd.h"
#include "nabla/nn/functional/dropout.h"
#include "nabla/nn/functional/linear.h"
#include "nabla/nn/functional/recurrent.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "nn/python_repr.h"

namespace nabla::nn {
namespace F = functional;
namespace {

int64_t gates_of(const std::string& mode) { return mode == "LSTM" ? 4 : mode == "GRU" ? 3 : 1; }

void check_sizes(const std::string& layer, int64_t input_size, int64_t hidden_size) {
  NABLA_CHECK(input_size > 0 && hidden_size > 0, layer,
              ": input_size and hidden_size must be positive, got input_size=", input_size,
              " and hidden_size=", hidden_size);
}

void fill_uniform(Tensor& t, int64_t hidden_size) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  if (t.defined()) init::uniform_(t, -bound, bound);
}

}  // namespace

// ---- RNNBase ----------------------------------------------------------------------------------

RNNBase::RNNBase(std::string mode, RNNOptions opts) : options(std::move(opts)), mode_(std::move(mode)) {
  gates_ = gates_of(mode_);
  check_sizes(mode_, options.input_size, options.hidden_size);
  NABLA_CHECK(options.num_layers >= 1, mode_, ": num_layers must be at least 1, got ", options.num_layers);
  NABLA_CHECK(options.dropout >= 0.0 && options.dropout <= 1.0, mode_,
              ": dropout should be a number in range [0, 1] representing the probability of an element being "
              "zeroed, got ",
              options.dropout);
  NABLA_CHECK(mode_ != "RNN" || options.nonlinearity == "tanh" || options.nonlinearity == "relu", mode_,
              ": unknown nonlinearity '", options.nonlinearity, "' (expected \"tanh\" or \"relu\")");
  const int64_t D = options.bidirectional ? 2 : 1, H = options.hidden_size, G = gates_ * H;
  weights_.resize(static_cast<size_t>(options.num_layers * D));  // sized once: the registry points into it
  for (int64_t l = 0; l < options.num_layers; ++l)
    for (int64_t d = 0; d < D; ++d) {
      Weights& w = weights_[static_cast<size_t>(l * D + d)];
      const int64_t in = l == 0 ? options.input_size : D * H;
      w.w_ih = empty({G, in});
      w.w_hh = empty({G, H});
      if (options.bias) {
        w.b_ih = empty({G});
        w.b_hh = empty({G});
      }
      const std::string suffix = "_l" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      register_parameter("weight_ih" + suffix, &w.w_ih);
      register_parameter("weight_hh" + suffix, &w.w_hh);
      if (options.bias) {
        register_parameter("bias_ih" + suffix, &w.b_ih);
        register_parameter("bias_hh" + suffix, &w.b_hh);
      }
    }
  reset_parameters();
}

void RNNBase::reset_parameters() {
  NoGradGuard guard;
  for (Weights& w : weights_)
    for (Tensor* t : {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh}) fill_uniform(*t, options.hidden_size);
}

std::string RNNBase::extra_repr() const {
  std::string s = str_cat(options.input_size, ", ", options.hidden_size);
  if (options.num_layers != 1) s += str_cat(", num_layers=", options.num_layers);
  if (!options.bias) s += ", bias=False";
  if (options.batch_first) s += ", batch_first=True";
  if (options.dropout != 0) s += ", dropout=" + detail::py_float(options.dropout);
  if (options.bidirectional) s += ", bidirectional=True";
  return s;
}

std::tuple<Tensor, Tensor, Tensor> RNNBase::run(const Tensor& input, const Tensor& h0, const Tensor& c0,
                                                const std::vector<int64_t>& lengths) {
  const std::string& op = mode_;
  NABLA_CHECK(input.dim() == 3 || input.dim() == 2, op, ": expected a 3-d input (",
              options.batch_first ? "N, T, input_size" : "T, N, input_size", ") or a 2-d unbatched one (T, input_size), got shape ",
              input.shape());
  const bool batched = input.dim() == 3;
  const Tensor x = batched ? (options.batch_first ? input.transpose(0, 1) : input) : input.unsqueeze(1);
  const int64_t T = x.size(0), N = x.size(1), H = options.hidden_size, D = options.bidirectional ? 2 : 1;
  const int64_t L = options.num_layers;
  NABLA_CHECK(x.size(2) == options.input_size, op, ": input of shape ", input.shape(), " has ", x.size(2),
              " features, expected input_size=", options.input_size);
  NABLA_CHECK(T >= 1, op, ": the input of shape ", input.shape(), " has no time steps");
  const DType dt = weights_[0].w_ih.dtype();
  NABLA_CHECK(x.dtype() == dt, op, ": input dtype ", dtype_name(x.dtype()), " differs from the parameters' ",
              dtype_name(dt), " (convert the module with .to())");

  // Initial states: one (N, H) tensor per layer and direction.
  auto initial = [&](const Tensor& s, const char* what) {
    if (!s.defined()) return std::vector<Tensor>(static_cast<size_t>(L * D), zeros({N, H}, dt));
    const Shape want = batched ? Shape{L * D, N, H} : Shape{L * D, H};
    NABLA_CHECK(s.shape() == want, op, ": expected ", what, " of shape ", want, " (num_layers·directions, ",
                batched ? "batch, " : "", "hidden_size) for an input of shape ", input.shape(), ", got ", s.shape());
    NABLA_CHECK(s.dtype() == dt, op, ": ", what, " dtype ", dtype_name(s.dtype()), " differs from the parameters' ",
                dtype_name(dt));
    return unbind(batched ? s : s.unsqueeze(1), 0);
  };
  const std::vector<Tensor> hs = initial(h0, "h0");
  const std::vector<Tensor> cs = gates_ == 4 ? initial(c0, "c0") : std::vector<Tensor>();

  // Variable lengths: at step t, valid[t] (N, 1) marks the sequences still running (undefined
  // when all are); keep[t] is the same as 0/1 in the input's dtype.
  std::vector<Tensor> valid(static_cast<size_t>(T)), keep(static_cast<size_t>(T));
  if (!lengths.empty()) {
    NABLA_CHECK(static_cast<int64_t>(lengths.size()) == N, op, ": got ", lengths.size(),
                " sequence lengths for a batch of ", N, " (input shape ", input.shape(), ")");
    for (size_t n = 0; n < lengths.size(); ++n)
      NABLA_CHECK(lengths[n] >= 1 && lengths[n] <= T, op, ": sequence length ", lengths[n], " of sample ", n,
                  " is outside [1, ", T, "], the input's number of steps (input shape ", input.shape(), ")");
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> m(static_cast<size_t>(N));
      bool all = true;
      for (int64_t n = 0; n < N; ++n) all &= (m[static_cast<size_t>(n)] = t < lengths[static_cast<size_t>(n)]) != 0;
      if (all) continue;
      keep[t] = from_vector(m, Shape{N, 1}).to(dt);
      valid[t] = gt(keep[t], 0.0);
    }
  }

  std::vector<Tensor> h_n(static_cast<size_t>(L * D)), c_n(gates_ == 4 ? static_cast<size_t>(L * D) : 0);
  Tensor layer_in = x;
  for (int64_t l = 0; l < L; ++l) {
    std::vector<Tensor> per_direction;
    for (int64_t d = 0; d < D; ++d) {
      const size_t k = static_cast<size_t>(l * D + d);
      const Weights& w = weights_[k];
      const std::vector<Tensor> gi = unbind(F::linear(layer_in, w.w_ih, w.b_ih), 0);  // all steps, one GEMM
      Tensor h = hs[k], c = gates_ == 4 ? cs[k] : Tensor();
      std::vector<Tensor> ys(static_cast<size_t>(T));
      for (int64_t s = 0; s < T; ++s) {
        const size_t t = static_cast<size_t>(d == 1 ? T - 1 - s : s);
        const Tensor gh = F::linear(h, w.w_hh, w.b_hh);
        Tensor h_next, c_next;
        if (gates_ == 4)
          std::tie(h_next, c_next) = F::lstm_gates(gi[t], gh, c);
        else if (gates_ == 3)
          h_next = F::gru_gates(gi[t], gh, h);
        else
          h_next = options.nonlinearity == "relu" ? relu(gi[t] + gh) : tanh(gi[t] + gh);
        if (valid[t].defined()) {  // finished sequences keep their state and output zeros
          ys[t] = h_next * keep[t];
          h = where(valid[t], h_next, h);
          if (gates_ == 4) c = where(valid[t], c_next, c);
        } else {
          ys[t] = h_next;
          h = h_next;
          c = c_next;
        }
      }
      h_n[k] = h;
      if (gates_ == 4) c_n[k] = c;
      per_direction.push_back(stack(ys, 0));
    }
    layer_in = D == 2 ? cat(per_direction, 2) : per_direction[0];
    if (l + 1 < L && options.dropout > 0 && is_training()) layer_in = F::dropout(layer_in, options.dropout, true);
  }
  Tensor output = batched ? (options.batch_first ? layer_in.transpose(0, 1) : layer_in) : layer_in.squeeze(1);
  Tensor hn = stack(h_n, 0), cn = gates_ == 4 ? stack(c_n, 0) : Tensor();
  if (!batched) {
    hn = hn.squeeze(1);
    if (cn.defined()) cn = cn.squeeze(1);
  }
  return {output, hn, cn};
}

// ---- RNN, LSTM, GRU ---------------------------------------------------------------------------

RNN::RNN(RNNOptions options) : RNNBase("RNN", std::move(options)) {}
RNN::RNN(int64_t input_size, int64_t hidden_size, int64_t num_layers, std::string nonlinearity, bool bias,
         bool batch_first, double dropout, bool bidirectional)
    : RNN(RNNOptions{input_size, hidden_size, num_layers, std::move(nonlinearity), bias, batch_first, dropout,
                     bidirectional}) {}

std::pair<Tensor, Tensor> RNN::forward(const Tensor& input, const std::optional<Tensor>& h0,
                                       const std::vector<int64_t>& lengths) {
  auto [y, hn, cn] = run(input, h0.value_or(Tensor()), Tensor(), lengths);
  return {y, hn};
}

std::pair<Tensor, Tensor> RNN::operator()(const Tensor& input, const std::optional<Tensor>& h0,
                                          const std::vector<int64_t>& lengths) {
  auto out = forward(input, h0, lengths);
  if (has_forward_hooks())
    run_forward_hooks(h0 ? std::vector<Tensor>{input, *h0} : std::vector<Tensor>{input}, {out.first, out.second});
  return out;
}

LSTM::LSTM(RNNOptions options) : RNNBase("LSTM", std::move(options)) {}
LSTM::LSTM(int64_t input_size, int64_t hidden_size, int64_t num_layers, bool bias, bool batch_first, double dropout,
           bool bidirectional)
    : LSTM(RNNOptions{input_size, hidden_size, num_layers, "tanh", bias, batch_first, dropout, bidirectional}) {}

std::pair<Tensor, LSTMState> LSTM::forward(const Tensor& input, const std::optional<LSTMState>& state,
                                           const std::vector<int64_t>& lengths) {
  NABLA_CHECK(!state || (state->first.defined() && state->second.defined()),
              "LSTM: an initial state needs both h0 and c0");
  auto [y, hn, cn] = run(input, state ? state->first : Tensor(), state ? state->second : Tensor(), lengths);
  return {y, {hn, cn}};
}

std::pair<Tensor, LSTMState> LSTM::operator()(const Tensor& input, const std::optional<LSTMState>& state,
                                              const std::vector<int64_t>& lengths) {
  auto out = forward(input, state, lengths);
  if (has_forward_hooks())
    run_forward_hooks(state ? std::vector<Tensor>{input, state->first, state->second} : std::vector<Tensor>{input},
                      {out.first, out.second.first, out.second.second});
  return out;
}

GRU::GRU(RNNOptions options) : RNNBase("GRU", std::move(options)) {}
GRU::GRU(int64_t input_size, int64_t hidden_size, int64_t num_layers, bool bias, bool batch_first, double dropout,
         bool bidirectional)
    : GRU(RNNOptions{input_size, hidden_size, num_layers, "tanh", bias, batch_first, dropout, bidirectional}) {}

std::pair<Tensor, Tensor> GRU::forward(const Tensor& input, const std::optional<Tensor>& h0,
                                       const std::vector<int64_t>& lengths) {
  auto [y, hn, cn] = run(input, h0.value_or(Tensor()), Tensor(), lengths);
  return {y, hn};
}

std::pair<Tensor, Tensor> GRU::operator()(const Tensor& input, const std::optional<Tensor>& h0,
                                          const std::vector<int64_t>& lengths) {
  auto out = forward(input, h0, lengths);
  if (has_forward_hooks())
    run_forward_hooks(h0 ? std::vector<Tensor>{input, *h0} : std::vector<Tensor>{input}, {out.first, out.second});
  return out;
}

// ---- cells ------------------------------------------------------------------------------------

RNNCellBase::RNNCellBase(std::string cell_name, int64_t input_size, int64_t hidden_size, bool bias, int64_t gates)
    : input_size(input_size), hidden_size(hidden_size), cell_name_(std::move(cell_name)) {
  check_sizes(cell_name_, input_size, hidden_size);
  weight_ih = empty({gates * hidden_size, input_size});
  weight_hh = empty({gates * hidden_size, hidden_size});
  if (bias) {
    bias_ih = empty({gates * hidden_size});
    bias_hh = empty({gates * hidden_size});
  }
  register_parameter("weight_ih", &weight_ih);
  register_parameter("weight_hh", &weight_hh);
  register_parameter("bias_ih", &bias_ih);
  register_parameter("bias_hh", &bias_hh);
  reset_parameters();
}

void RNNCellBase::reset_parameters() {
  NoGradGuard guard;
  for (Tensor* t : {&weight_ih, &weight_hh, &bias_ih, &bias_hh}) fill_uniform(*t, hidden_size);
}

std::string RNNCellBase::extra_repr() const {
  return str_cat(input_size, ", ", hidden_size, bias_ih.defined() ? "" : ", bias=False");
}

Tensor RNNCellBase::batched_input(const Tensor& input, bool& batched) const {
  NABLA_CHECK((input.dim() == 1 || input.dim() == 2) && input.size(-1) == input_size, cell_name_,
              ": expected input of shape (N, ", input_size, ") or (", input_size, "), got ", input.shape());
  NABLA_CHECK(input.dtype() == weight_ih.dtype(), cell_name_, ": input dtype ", dtype_name(input.dtype()),
              " differs from the parameters' ", dtype_name(weight_ih.dtype()));
  batched = input.dim() == 2;
  return batched ? input : input.unsqueeze(0);
}

Tensor RNNCellBase::batched_state(const std::optional<Tensor>& h, const Tensor& x, bool batched,
                                  const char* what) const {
  if (!h || !h->defined()) return zeros({x.size(0), hidden_size}, x.dtype());
  const Shape want = batched ? Shape{x.size(0), hidden_size} : Shape{hidden_size};
  NABLA_CHECK(h->shape() == want, cell_name_, ": expected ", what, " of shape ", want, ", got ", h->shape());
  NABLA_CHECK(h->dtype() == x.dtype(), cell_name_, ": ", what, " dtype ", dtype_name(h->dtype()),
              " differs from the input's ", dtype_name(x.dtype()));
  return batched ? *h : h->unsqueeze(0);
}

RNNCell::RNNCell(int64_t input_size, int64_t hidden_size, bool bias, std::string nonlinearity_)
    : RNNCellBase("RNNCell", input_size, hidden_size, bias, 1), nonlinearity(std::move(nonlinearity_)) {
  NABLA_CHECK(nonlinearity == "tanh" || nonlinearity == "relu", "RNNCell: unknown nonlinearity '", nonlinearity,
              "' (expected \"tanh\" or \"relu\")");
}

Tensor RNNCell::forward(const Tensor& input, const std::optional<Tensor>& h) {
  bool batched = true;
  const Tensor x = batched_input(input, batched);
  const Tensor hx = batched_state(h, x, batched, "h");
  Tensor out = nonlinearity == "relu" ? F::rnn_relu_cell(x, hx, weight_ih, weight_hh, bias_ih, bias_hh)
                                      : F::rnn_tanh_cell(x, hx, weight_ih, weight_hh, bias_ih, bias_hh);
  return batched ? out : out.squeeze(0);
}

Tensor RNNCell::operator()(const Tensor& input, const std::optional<Tensor>& h) {
  Tensor out = forward(input, h);
  if (has_forward_hooks()) run_forward_hooks(h ? std::vector<Tensor>{input, *h} : std::vector<Tensor>{input}, {out});
  return out;
}

std::string RNNCell::extra_repr() const {
  return RNNCellBase::extra_repr() + (nonlinearity == "tanh" ? "" : ", nonlinearity=" + nonlinearity);
}

LSTMCell::LSTMCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RNNCellBase("LSTMCell", input_size, hidden_size, bias, 4) {}

LSTMState LSTMCell::forward(const Tensor& input, const std::optional<LSTMState>& state) {
  bool batched = true;
  const Tensor x = batched_input(input, batched);
  const Tensor hx = batched_state(state ? std::optional<Tensor>(state->first) : std::nullopt, x, batched, "h");
  const Tensor cx = batched_state(state ? std::optional<Tensor>(state->second) : std::nullopt, x, batched, "c");
  auto [h, c] = F::lstm_cell(x, hx, cx, weight_ih, weight_hh, bias_ih, bias_hh);
  return batched ? LSTMState{h, c} : LSTMState{h.squeeze(0), c.squeeze(0)};
}

LSTMState LSTMCell::operator()(const Tensor& input, const std::optional<LSTMState>& state) {
  LSTMState out = forward(input, state);
  if (has_forward_hooks())
    run_forward_hooks(state ? std::vector<Tensor>{input, state->first, state->second} : std::vector<Tensor>{input},
                      {out.first, out.second});
  return out;
}

GRUCell::GRUCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RNNCellBase("GRUCell", input_size, hidden_size, bias, 3) {}

Tensor GRUCell::forward(const Tensor& input, const std::optional<Tensor>& h) {
  bool batched = true;
  const Tensor x = batched_input(input, batched);
  const Tensor hx = batched_state(h, x, batched, "h");
  Tensor out = F::gru_cell(x, hx, weight_ih, weight_hh, bias_ih, bias_hh);
  return batched ? out : out.squeeze(0);
}

Tensor GRUCell::operator()(const Tensor& input, const std::optional<Tensor>& h) {
  Tensor out = forward(input, h);
  if (has_forward_hooks()) run_forward_hooks(h ? std::vector<Tensor>{input, *h} : std::vector<Tensor>{input}, {out});
  return out;
}

}  // namespace nabla::nn
