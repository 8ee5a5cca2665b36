// RNN, LSTM, GRU and the cells: float64 gradcheck over every option (layers, directions,
// batch_first, initial states, lengths, bias, relu), PyTorch's parameter names, hooks, dropout
// between layers, unbatched inputs and the errors. PyTorch parity is in parity_recurrent_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "error_of.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/recurrent.h"
#include "nabla/nn/recurrent.h"

using namespace nabla;
using nabla::testing::error_of;

namespace {

Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return randn(s, DType::Float64, &g).requires_grad_();
}
Tensor flat(std::vector<Tensor> ts) {
  for (Tensor& t : ts) t = t.reshape({t.numel()});
  return cat(ts, 0);
}

}  // namespace

TEST(Recurrent, GradcheckEveryOption) {
  for (int kind = 0; kind < 3; ++kind)
    for (int64_t layers : {1, 2})
      for (bool bidir : {false, true})
        for (bool batch_first : {false, true})
          for (bool with_state : {false, true})
            for (bool with_lengths : {false, true}) {
              SCOPED_TRACE(str_cat("kind ", kind, " layers ", layers, " bidir ", bidir, " batch_first ", batch_first,
                                   " state ", with_state, " lengths ", with_lengths));
              const nn::RNNOptions o{.input_size = 2, .hidden_size = 3, .num_layers = layers,
                                     .nonlinearity = "tanh", .bias = !(layers == 2 && bidir),
                                     .batch_first = batch_first, .bidirectional = bidir};
              std::shared_ptr<nn::RNNBase> m;
              if (kind == 0) m = std::make_shared<nn::RNN>(o);
              if (kind == 1) m = std::make_shared<nn::LSTM>(o);
              if (kind == 2) m = std::make_shared<nn::GRU>(o);
              m->to(DType::Float64);
              const int64_t D = bidir ? 2 : 1;
              const std::vector<int64_t> lengths = with_lengths ? std::vector<int64_t>{2, 3} : std::vector<int64_t>{};
              std::vector<Tensor> inputs{rnd(batch_first ? Shape{2, 3, 2} : Shape{3, 2, 2}, 1)};
              if (with_state) inputs.push_back(rnd({layers * D, 2, 3}, 2));
              if (with_state && kind == 1) inputs.push_back(rnd({layers * D, 2, 3}, 3));
              auto forward = [&](const std::vector<Tensor>& v) {
                const std::optional<Tensor> h0 = v.size() > 1 ? std::optional<Tensor>(v[1]) : std::nullopt;
                if (kind == 1) {
                  auto lstm = std::static_pointer_cast<nn::LSTM>(m);
                  auto [y, s] = v.size() > 1 ? (*lstm)(v[0], nn::LSTMState{v[1], v[2]}, lengths)
                                             : (*lstm)(v[0], std::nullopt, lengths);
                  return flat({y, s.first, s.second});
                }
                auto [y, h] = kind == 0 ? (*std::static_pointer_cast<nn::RNN>(m))(v[0], h0, lengths)
                                        : (*std::static_pointer_cast<nn::GRU>(m))(v[0], h0, lengths);
                return flat({y, h});
              };
              GradcheckResult r = nn::gradcheck_module(*m, forward, inputs);
              EXPECT_TRUE(r.ok) << r.message;
            }
}

TEST(Recurrent, GradcheckReluRnnAndCellsWithoutBias) {
  auto rnn = std::make_shared<nn::RNN>(2, 3, 1, "relu");
  rnn->to(DType::Float64);
  Generator g(4);
  // Inputs away from relu's kink: large positive bias keeps the pre-activations > 0.
  {
    NoGradGuard guard;
    for (auto& [n, p] : rnn->named_parameters())
      if (n.rfind("bias", 0) == 0) Tensor(p).fill_(2.0);
  }
  auto r = nn::gradcheck_module(*rnn, [&](const std::vector<Tensor>& v) { return (*rnn)(v[0]).first; },
                                {rnd({3, 2, 2}, 5)});
  EXPECT_TRUE(r.ok) << r.message;
  auto cell = std::make_shared<nn::GRUCell>(2, 3, false);
  cell->to(DType::Float64);
  EXPECT_EQ(cell->named_parameters().size(), 2u);
  r = nn::gradcheck_module(*cell, [&](const std::vector<Tensor>& v) { return (*cell)(v[0], v[1]); },
                           {rnd({2, 2}, 6), rnd({2, 3}, 7)});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(Recurrent, ParameterNamesAndShapesArePyTorchs) {
  nn::LSTM lstm(nn::RNNOptions{.input_size = 5, .hidden_size = 7, .num_layers = 2, .bidirectional = true});
  std::vector<std::string> names;
  for (auto& [n, p] : lstm.named_parameters()) names.push_back(n);
  const std::vector<std::string> expected = {
      "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
      "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"};
  EXPECT_EQ(names, expected);
  const auto sd = lstm.state_dict();
  EXPECT_EQ(sd.at("weight_ih_l0").shape(), (Shape{28, 5}));
  EXPECT_EQ(sd.at("weight_ih_l1_reverse").shape(), (Shape{28, 14}));
  EXPECT_EQ(sd.at("weight_hh_l1").shape(), (Shape{28, 7}));
  // PyTorch's initialisation: U(−1/√H, 1/√H) for every parameter.
  const double bound = 1.0 / std::sqrt(7.0);
  for (auto& [n, p] : lstm.named_parameters()) {
    EXPECT_LE(max(abs(p)).item(), bound) << n;
    EXPECT_GT(max(abs(p)).item(), 0.5 * bound) << n;
  }
  EXPECT_EQ(lstm.to_string(), "LSTM(5, 7, num_layers=2, bidirectional=True)");
  EXPECT_EQ(nn::GRU(3, 4, 1, false, true).to_string(), "GRU(3, 4, bias=False, batch_first=True)");
  EXPECT_EQ(nn::RNNCell(3, 4, true, "relu").to_string(), "RNNCell(3, 4, nonlinearity=relu)");
  EXPECT_EQ(nn::GRUCell(3, 4).named_parameters().size(), 4u);
}

TEST(Recurrent, ShapesBatchFirstAndUnbatched) {
  nn::GRU gru(nn::RNNOptions{.input_size = 3, .hidden_size = 4, .num_layers = 2, .batch_first = true,
                             .bidirectional = true});
  auto [y, h] = gru(randn({5, 6, 3}));
  EXPECT_EQ(y.shape(), (Shape{5, 6, 8}));
  EXPECT_EQ(h.shape(), (Shape{4, 5, 4}));
  // Unbatched (T, I): the same numbers as a batch of one.
  Tensor x = randn({6, 3});
  auto [y1, h1] = gru(x);
  auto [yb, hb] = gru(x.unsqueeze(0));
  EXPECT_EQ(y1.shape(), (Shape{6, 8}));
  EXPECT_EQ(h1.shape(), (Shape{4, 4}));
  EXPECT_TRUE(allclose(y1, yb.squeeze(0)));
  EXPECT_TRUE(allclose(h1, hb.squeeze(1)));
  nn::LSTMCell cell(3, 4);
  auto [hc, cc] = cell(randn({3}));
  EXPECT_EQ(hc.shape(), (Shape{4}));
  EXPECT_EQ(cc.shape(), (Shape{4}));
}

TEST(Recurrent, LengthsZeroPaddingAndKeepLastState) {
  // Each sequence of a padded batch gives the same result as that sequence alone.
  manual_seed(3);
  nn::LSTM lstm(nn::RNNOptions{.input_size = 2, .hidden_size = 3, .bidirectional = true});
  Tensor x = randn({4, 2, 2});
  auto [y, s] = lstm(x, std::nullopt, {2, 4});
  auto [y0, s0] = lstm(x.narrow(0, 0, 2).narrow(1, 0, 1));
  EXPECT_TRUE(allclose(y.narrow(0, 0, 2).narrow(1, 0, 1), y0, 1e-6, 1e-6));
  EXPECT_EQ(y.narrow(0, 2, 2).narrow(1, 0, 1).abs().sum().item(), 0.0) << "outputs past the length are zero";
  EXPECT_TRUE(allclose(s.first.narrow(1, 0, 1), s0.first, 1e-6, 1e-6));
  EXPECT_TRUE(allclose(s.second.narrow(1, 0, 1), s0.second, 1e-6, 1e-6));
}

TEST(Recurrent, DropoutBetweenLayersInTrainingOnly) {
  manual_seed(4);
  nn::LSTM with(nn::RNNOptions{.input_size = 3, .hidden_size = 8, .num_layers = 2, .dropout = 0.5});
  Tensor x = randn({5, 4, 3});
  auto a = with(x).first, b = with(x).first;
  EXPECT_FALSE(allclose(a, b)) << "two training passes draw different masks";
  with.eval();
  EXPECT_TRUE(allclose(with(x).first, with(x).first));
  // dropout = 1 zeroes the input of layer 1: its output no longer depends on x.
  nn::GRU all(nn::RNNOptions{.input_size = 3, .hidden_size = 4, .num_layers = 2, .dropout = 1.0});
  EXPECT_TRUE(allclose(all(x).first, all(randn({5, 4, 3})).first));
}

TEST(Recurrent, HooksSeeTensorLists) {
  nn::LSTM lstm(3, 4);
  size_t n_in = 0, n_out = 0;
  lstm.register_forward_hook([&](nn::Module&, const std::vector<Tensor>& in, const std::vector<Tensor>& out) {
    n_in = in.size();
    n_out = out.size();
  });
  lstm(randn({2, 1, 3}), nn::LSTMState{zeros({1, 1, 4}), zeros({1, 1, 4})});
  EXPECT_EQ(n_in, 3u);
  EXPECT_EQ(n_out, 3u);
  lstm(randn({2, 1, 3}));
  EXPECT_EQ(n_in, 1u);
}

TEST(Recurrent, FunctionalCellsMatchTheComposites) {
  // lstm_gates and gru_gates (fused kernels) against the same formulas written with tensor ops.
  Generator g(9);
  for (DType dt : {DType::Float32, DType::Float64}) {
    Tensor gi = randn({3, 8}, dt, &g), gh = randn({3, 8}, dt, &g), c = randn({3, 2}, dt, &g);
    auto [h2, c2] = nn::functional::lstm_gates(gi, gh, c);
    auto q = chunk(gi + gh, 4, 1);
    Tensor c_ref = sigmoid(q[1]) * c + sigmoid(q[0]) * tanh(q[2]);
    EXPECT_TRUE(allclose(c2, c_ref, 1e-6, 1e-6));
    EXPECT_TRUE(allclose(h2, sigmoid(q[3]) * tanh(c_ref), 1e-6, 1e-6));
    Tensor ai = randn({3, 6}, dt, &g), ah = randn({3, 6}, dt, &g), h = randn({3, 2}, dt, &g);
    auto a = chunk(ai, 3, 1), b = chunk(ah, 3, 1);
    Tensor r = sigmoid(a[0] + b[0]), z = sigmoid(a[1] + b[1]), n = tanh(a[2] + r * b[2]);
    EXPECT_TRUE(allclose(nn::functional::gru_gates(ai, ah, h), (1.0 - z) * n + z * h, 1e-6, 1e-6));
  }
}

TEST(Recurrent, ErrorsNameTheLayerAndShapes) {
  nn::LSTM lstm(3, 4, 2);
  EXPECT_NE(error_of([&] { lstm(randn({5, 2, 7})); }).find("LSTM: input of shape [5, 2, 7] has 7 features"),
            std::string::npos);
  EXPECT_NE(error_of([&] { lstm(randn({5})); }).find("LSTM: expected a 3-d input"), std::string::npos);
  EXPECT_NE(error_of([&] { lstm(randn({5, 2, 3}), nn::LSTMState{zeros({1, 2, 4}), zeros({2, 2, 4})}); })
                .find("expected h0 of shape [2, 2, 4]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { lstm(randn({5, 2, 3}), std::nullopt, {3, 6}); })
                .find("sequence length 6 of sample 1 is outside [1, 5]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { lstm(randn({5, 2, 3}), std::nullopt, {3}); }).find("got 1 sequence lengths for a batch of 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] { lstm(randn({5, 2, 3}, DType::Float64)); }).find("input dtype float64"), std::string::npos);
  EXPECT_NE(error_of([] { nn::RNN(3, 4, 1, "sigmoid"); }).find("unknown nonlinearity 'sigmoid'"), std::string::npos);
  EXPECT_NE(error_of([] { nn::GRU(0, 4); }).find("GRU: input_size and hidden_size must be positive"),
            std::string::npos);
  EXPECT_NE(error_of([] { nn::GRUCell(3, 4)(randn({2, 5})); }).find("GRUCell: expected input of shape (N, 3)"),
            std::string::npos);
}

TEST(Recurrent, TruncatedBpttStopsAtTheChunk) {
  // The example of docs/nn-recurrent.md in miniature: the second chunk's backward reaches the
  // first chunk's input only when the carried state is not detached.
  manual_seed(5);
  nn::LSTM lstm(2, 3);
  for (bool detach : {true, false}) {
    Tensor x1 = randn({4, 1, 2}).requires_grad_(), x2 = randn({4, 1, 2});
    auto [y1, s1] = lstm(x1);
    nn::LSTMState carried = detach ? nn::LSTMState{s1.first.detach(), s1.second.detach()} : s1;
    auto [y2, s2] = lstm(x2, carried);
    y2.sum().backward();
    EXPECT_EQ(x1.grad().defined(), !detach) << "detach=" << detach;
    if (!detach) EXPECT_GT(x1.grad().abs().sum().item(), 0.0);
    lstm.zero_grad();
  }
}

TEST(Recurrent, VanillaGradientVanishesOverFiftyStepsWhileTheLstmCellPathKeepsIt) {
  // The notes' claim, measured: |∂h_50/∂h_0| of a tanh RNN against |∂c_50/∂c_0| of an LSTM whose
  // forget gate is open (forget biases 2.5 + 2.5, σ(5) ≈ 0.993, a common initialisation for long
  // memories), both with PyTorch's default initialisation otherwise, hidden 32, inputs N(0, 1).
  // Measured (relative to the norm at the last step): RNN 4.8e-15, LSTM 14 (the cell path passes
  // the gradient on almost undamped, and the gates add to it). Thresholds: below 1e-4, above 0.05.
  manual_seed(11);
  const int64_t T = 50, H = 32;
  Tensor x = randn({T, 1, 8});
  nn::RNN rnn(8, H);
  Tensor h0 = zeros({1, 1, H}).requires_grad_();
  rnn(x, h0).second.sum().backward();
  const double rnn_ratio = std::sqrt((h0.grad() * h0.grad()).sum().item()) / std::sqrt(static_cast<double>(H));
  nn::LSTM lstm(8, H);
  {
    NoGradGuard guard;
    for (auto& [n, p] : lstm.named_parameters())
      if (n.rfind("bias", 0) == 0) Tensor(p).narrow(0, H, H).fill_(2.5);  // rows H…2H: the forget gate
  }
  Tensor c0 = zeros({1, 1, H}).requires_grad_();
  lstm(x, nn::LSTMState{zeros({1, 1, H}), c0}).second.second.sum().backward();
  const double lstm_ratio = std::sqrt((c0.grad() * c0.grad()).sum().item()) / std::sqrt(static_cast<double>(H));
  std::cout << "gradient norm after 50 steps / at the last step: RNN " << rnn_ratio << ", LSTM cell " << lstm_ratio
            << "\n";
  EXPECT_LT(rnn_ratio, 1e-4);
  EXPECT_GT(lstm_ratio, 0.05);
}
