#pragma once
// Recurrent layers (torch.nn.RNN, LSTM, GRU) and cells (RNNCell, LSTMCell, GRUCell), with PyTorch's
// parameter names, shapes, gate orders and initialisation, so that a PyTorch state_dict loads as
// is. See docs/nn-recurrent.md.
#include <optional>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::nn {

/// Options of RNN, LSTM and GRU (PyTorch's names and defaults). input_size and hidden_size are
/// required; nonlinearity ("tanh" or "relu") applies to RNN only.
struct RNNOptions {
  int64_t input_size = -1;
  int64_t hidden_size = -1;
  int64_t num_layers = 1;
  std::string nonlinearity = "tanh";
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;  // on the outputs of every layer but the last, in training mode only
  bool bidirectional = false;
};

/// What RNN, LSTM and GRU share: the parameters of every layer and direction, registered under
/// PyTorch's names (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, with the suffix
/// "_reverse" for the backward direction) in PyTorch's order, all drawn from U(−1/√H, 1/√H).
/// The parameters live in a vector sized once at construction, so these modules cannot be moved
/// (hold them in a shared_ptr or build them in place).
class RNNBase : public Module {
 public:
  /// Raises Error naming the layer for a missing or non-positive size, num_layers < 1, dropout
  /// outside [0, 1] or an unknown nonlinearity.
  RNNBase(std::string mode, RNNOptions options);
  RNNBase(RNNBase&&) = delete;
  /// Redraws every parameter from U(−1/√hidden_size, 1/√hidden_size), as at construction.
  void reset_parameters();
  std::string name() const override { return mode_; }
  std::string extra_repr() const override;

  RNNOptions options;

 protected:
  /// One layer and direction: w_ih (G·H, in), w_hh (G·H, H), b_ih and b_hh (G·H) or undefined.
  struct Weights {
    Tensor w_ih, w_hh, b_ih, b_hh;
  };
  /// Runs the stack on `input` ((T, N, I), (N, T, I) when batch_first, or unbatched (T, I)) from
  /// the initial states `h0` (and `c0` for an LSTM), each (L·D, N, H) or (L·D, H) unbatched, or
  /// undefined for zeros. `lengths` (empty: every sequence has T steps) gives each sequence's
  /// length: outputs past it are zero and the final state is the one at its last step.
  /// Returns (output, h_n, c_n), c_n undefined unless LSTM.
  std::tuple<Tensor, Tensor, Tensor> run(const Tensor& input, const Tensor& h0, const Tensor& c0,
                                         const std::vector<int64_t>& lengths);

 private:
  std::string mode_;  // "RNN", "LSTM" or "GRU"
  int64_t gates_;     // 1, 4 or 3
  std::vector<Weights> weights_;  // layer·directions + direction; never resized after registration
};

/// Elman RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (or relu), stacked and optionally
/// bidirectional.
class RNN : public RNNBase {
 public:
  explicit RNN(RNNOptions options);
  RNN(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1, std::string nonlinearity = "tanh",
      bool bias = true, bool batch_first = false, double dropout = 0.0, bool bidirectional = false);
  /// (output (T, N, D·H), h_n (L·D, N, H)) from input (T, N, I) (batch_first: (N, T, I); unbatched
  /// (T, I)) and an optional h0 (L·D, N, H). `lengths`: per-sequence lengths of a padded batch
  /// (PyTorch's pack_padded_sequence semantics, sorted or not).
  std::pair<Tensor, Tensor> forward(const Tensor& input, const std::optional<Tensor>& h0 = std::nullopt,
                                    const std::vector<int64_t>& lengths = {});
  /// forward, then the forward hooks with ({input, h0}, {output, h_n}).
  std::pair<Tensor, Tensor> operator()(const Tensor& input, const std::optional<Tensor>& h0 = std::nullopt,
                                       const std::vector<int64_t>& lengths = {});
};

/// The (h, c) state of an LSTM, each (L·D, N, H) for the layer, (N, H) for the cell.
using LSTMState = std::pair<Tensor, Tensor>;

/// LSTM with PyTorch's gate order (i, f, g, o): c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t).
class LSTM : public RNNBase {
 public:
  explicit LSTM(RNNOptions options);
  LSTM(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1, bool bias = true, bool batch_first = false,
       double dropout = 0.0, bool bidirectional = false);
  /// (output, (h_n, c_n)) from input and an optional (h0, c0); shapes and lengths as RNN::forward.
  std::pair<Tensor, LSTMState> forward(const Tensor& input, const std::optional<LSTMState>& state = std::nullopt,
                                       const std::vector<int64_t>& lengths = {});
  /// forward, then the forward hooks with ({input, h0, c0}, {output, h_n, c_n}).
  std::pair<Tensor, LSTMState> operator()(const Tensor& input, const std::optional<LSTMState>& state = std::nullopt,
                                          const std::vector<int64_t>& lengths = {});
};

/// GRU with PyTorch's gate order (r, z, n): n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)),
/// h' = (1 − z)·n + z·h.
class GRU : public RNNBase {
 public:
  explicit GRU(RNNOptions options);
  GRU(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1, bool bias = true, bool batch_first = false,
      double dropout = 0.0, bool bidirectional = false);
  /// (output, h_n); shapes and lengths as RNN::forward.
  std::pair<Tensor, Tensor> forward(const Tensor& input, const std::optional<Tensor>& h0 = std::nullopt,
                                    const std::vector<int64_t>& lengths = {});
  /// forward, then the forward hooks with ({input, h0}, {output, h_n}).
  std::pair<Tensor, Tensor> operator()(const Tensor& input, const std::optional<Tensor>& h0 = std::nullopt,
                                       const std::vector<int64_t>& lengths = {});
};

/// What the cells share: weight_ih (G·H, I), weight_hh (G·H, H), bias_ih, bias_hh (G·H), drawn
/// from U(−1/√H, 1/√H) as PyTorch.
class RNNCellBase : public Module {
 public:
  /// Raises Error naming the cell for non-positive sizes.
  RNNCellBase(std::string cell_name, int64_t input_size, int64_t hidden_size, bool bias, int64_t gates);
  /// Redraws every parameter, as at construction.
  void reset_parameters();
  std::string name() const override { return cell_name_; }
  std::string extra_repr() const override;

  int64_t input_size, hidden_size;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  /// input as (N, I) (a 1-d input becomes one row) and the state as (N, H) (zeros when absent),
  /// checked against the cell's sizes; `batched` says whether the input was 2-d.
  Tensor batched_input(const Tensor& input, bool& batched) const;
  Tensor batched_state(const std::optional<Tensor>& h, const Tensor& x, bool batched, const char* what) const;

 private:
  std::string cell_name_;
};

/// One step of an Elman RNN: h' = tanh (or relu)(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
class RNNCell : public RNNCellBase {
 public:
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true, std::string nonlinearity = "tanh");
  /// h' (N, H) from input (N, I) or (I) and an optional h (zeros when absent).
  Tensor forward(const Tensor& input, const std::optional<Tensor>& h = std::nullopt);
  /// forward, then the forward hooks with ({input, h}, {h'}).
  Tensor operator()(const Tensor& input, const std::optional<Tensor>& h = std::nullopt);
  std::string extra_repr() const override;

  std::string nonlinearity;
};

/// One LSTM step (gates i, f, g, o).
class LSTMCell : public RNNCellBase {
 public:
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  /// (h', c') from input (N, I) or (I) and an optional (h, c) (zeros when absent).
  LSTMState forward(const Tensor& input, const std::optional<LSTMState>& state = std::nullopt);
  /// forward, then the forward hooks with ({input, h, c}, {h', c'}).
  LSTMState operator()(const Tensor& input, const std::optional<LSTMState>& state = std::nullopt);
};

/// One GRU step (gates r, z, n; reset applied to W_hn·h + b_hn).
class GRUCell : public RNNCellBase {
 public:
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  /// h' from input (N, I) or (I) and an optional h (zeros when absent).
  Tensor forward(const Tensor& input, const std::optional<Tensor>& h = std::nullopt);
  /// forward, then the forward hooks with ({input, h}, {h'}).
  Tensor operator()(const Tensor& input, const std::optional<Tensor>& h = std::nullopt);
};

}  // namespace nabla::nn
