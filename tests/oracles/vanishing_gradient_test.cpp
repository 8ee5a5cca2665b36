// The notes' oracle on recurrent gradients, measured on the loss: a vanilla RNN's gradient with
// respect to the first input vanishes over 50 steps, while an LSTM's cell path keeps it.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "nabla/autograd.h"
#include "nabla/nn/recurrent.h"
#include "nabla/ops.h"
#include "nabla/random.h"

using namespace nabla;

namespace {

// |∂L/∂x_0| / |∂L/∂x_{T−1}| for the loss L = Σ y_{T−1} (the last step's output): how much of the
// gradient that reaches the last input survives the trip back to the first one.
double first_to_last_ratio(const Tensor& x) {
  const Tensor g = x.grad();  // (T, 1, I)
  const int64_t t = g.size(0);
  const Tensor first = g.select(0, 0), last = g.select(0, t - 1);
  return std::sqrt((first * first).sum().item()) / std::sqrt((last * last).sum().item());
}

}  // namespace

TEST(Oracles, LossGradientToTheFirstInputVanishesInAnRnnButNotInAnLstm) {
  // T = 50 steps, 8 inputs N(0, 1), hidden 32, float64, PyTorch's default initialisation; the
  // LSTM's forget gate is opened (forget biases 2.5 + 2.5, σ(5) ≈ 0.993, a common initialisation
  // for long memories) so that its cell path c_t = f·c_{t−1} + i·g passes the gradient on.
  // Thresholds (docs/nn-recurrent.md): RNN below 1e-6, LSTM above 1e-2.
  manual_seed(5);
  const int64_t T = 50, H = 32, I = 8;
  Tensor x_rnn = randn({T, 1, I}, DType::Float64).requires_grad_();
  Tensor x_lstm = x_rnn.detach().clone().requires_grad_();

  nn::RNN rnn(I, H);
  rnn.to(DType::Float64);
  rnn(x_rnn).first.select(0, T - 1).sum().backward();
  const double rnn_ratio = first_to_last_ratio(x_rnn);

  nn::LSTM lstm(I, H);
  lstm.to(DType::Float64);
  {
    NoGradGuard guard;
    for (auto& [name, p] : lstm.named_parameters())
      if (name.rfind("bias", 0) == 0) Tensor(p).narrow(0, H, H).fill_(2.5);  // rows H…2H: the forget gate
  }
  lstm(x_lstm).first.select(0, T - 1).sum().backward();
  const double lstm_ratio = first_to_last_ratio(x_lstm);

  std::cout << "|dL/dx_0| / |dL/dx_49|: RNN " << rnn_ratio << ", LSTM " << lstm_ratio << "\n";
  EXPECT_LT(rnn_ratio, 1e-6);
  EXPECT_GT(lstm_ratio, 1e-2);
}
