// PyTorch parity of RNN, LSTM, GRU and the cells against tests/fixtures/parity/recurrent.safetensors
// written by tools/parity/recurrent.py (Debian's python3-torch): outputs, final states, and the
// gradients of the input, the initial states and every parameter, with the PyTorch parameters
// loaded through load_state_dict as is. Each case carries its configuration in NAME.config.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/nn/recurrent.h"
#include "nn/parity_fixture.h"

using namespace nabla;

namespace {

const nabla::testing::ParityFixture& fixture() {
  static const nabla::testing::ParityFixture f("recurrent.safetensors");
  return f;
}
bool has(const std::string& key) { return fixture().has(key); }
const Tensor& get(const std::string& key) { return fixture().get(key); }
void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what) {
  nabla::testing::expect_close_to_scale(actual, expected, what);
}

enum Kind { kRNN, kLSTM, kGRU, kRNNCell, kLSTMCell, kGRUCell };

std::shared_ptr<nn::Module> build(const std::vector<int64_t>& c) {
  const int64_t kind = c[0], I = c[7], H = c[8];
  const bool relu = c[1], bias = c[5];
  nn::RNNOptions o{.input_size = I, .hidden_size = H, .num_layers = c[2], .nonlinearity = relu ? "relu" : "tanh",
                   .bias = bias, .batch_first = c[4] != 0, .bidirectional = c[3] != 0};
  switch (kind) {
    case kRNN: return std::make_shared<nn::RNN>(o);
    case kLSTM: return std::make_shared<nn::LSTM>(o);
    case kGRU: return std::make_shared<nn::GRU>(o);
    case kRNNCell: return std::make_shared<nn::RNNCell>(I, H, bias, relu ? "relu" : "tanh");
    case kLSTMCell: return std::make_shared<nn::LSTMCell>(I, H, bias);
    default: return std::make_shared<nn::GRUCell>(I, H, bias);
  }
}

void check_case(const std::string& name) {
  const std::string p = name + ".";
  const auto c = get(p + "config").to_vector<int64_t>();
  const int64_t kind = c[0];
  auto m = build(c);
  const DType dt = get(p + "x").dtype();
  m->to(dt);
  nn::StateDict sd;
  for (auto& [key, t] : fixture().all())
    if (key.rfind(p, 0) == 0) {
      const std::string rest = key.substr(p.size());
      if (rest.rfind("weight_", 0) == 0 || rest.rfind("bias_", 0) == 0) sd[rest] = t;
    }
  m->load_state_dict(sd);  // strict: PyTorch's names and shapes, as is
  Tensor x = get(p + "x").clone().requires_grad_();
  std::optional<Tensor> h0, c0;
  if (has(p + "h0")) h0 = get(p + "h0").clone().requires_grad_();
  if (has(p + "c0")) c0 = get(p + "c0").clone().requires_grad_();
  std::vector<int64_t> lengths;
  if (has(p + "lengths")) lengths = get(p + "lengths").to_vector<int64_t>();
  Tensor y, hn, cn;
  std::optional<nn::LSTMState> state;
  if (h0 && c0) state = nn::LSTMState{*h0, *c0};
  switch (kind) {
    case kRNN: std::tie(y, hn) = (*std::static_pointer_cast<nn::RNN>(m))(x, h0, lengths); break;
    case kGRU: std::tie(y, hn) = (*std::static_pointer_cast<nn::GRU>(m))(x, h0, lengths); break;
    case kLSTM: {
      auto [out, s] = (*std::static_pointer_cast<nn::LSTM>(m))(x, state, lengths);
      y = out;
      std::tie(hn, cn) = s;
      break;
    }
    case kRNNCell: y = (*std::static_pointer_cast<nn::RNNCell>(m))(x, h0); break;
    case kGRUCell: y = (*std::static_pointer_cast<nn::GRUCell>(m))(x, h0); break;
    default: std::tie(y, cn) = (*std::static_pointer_cast<nn::LSTMCell>(m))(x, state); break;
  }
  Tensor loss = (y * get(p + "gy")).sum();
  expect_close(y, get(p + "y"), p + "y");
  if (has(p + "hn")) {
    expect_close(hn, get(p + "hn"), p + "hn");
    loss = loss + (hn * get(p + "ghn")).sum();
  }
  if (has(p + "cn")) {
    expect_close(cn, get(p + "cn"), p + "cn");
    loss = loss + (cn * get(p + "gcn")).sum();
  }
  loss.backward();
  expect_close(x.grad(), get(p + "gx"), p + "gx");
  if (h0) expect_close(h0->grad(), get(p + "gh0"), p + "gh0");
  if (c0) expect_close(c0->grad(), get(p + "gc0"), p + "gc0");
  for (auto& [pname, t] : m->named_parameters()) expect_close(t.grad(), get(p + "g" + pname), p + "g" + pname);
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (auto& [key, t] : fixture().all())
    if (key.size() > 7 && key.compare(key.size() - 7, 7, ".config") == 0) names.push_back(key.substr(0, key.size() - 7));
  return names;
}

}  // namespace

TEST(RecurrentParity, EveryCaseMatchesPyTorch) {
  const auto names = case_names();
  EXPECT_GE(names.size(), 70u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    check_case(name);
  }
}

TEST(RecurrentParity, FixtureCoversLayersDirectionsBatchFirstStatesAndLengths) {
  int bidirectional = 0, two_layers = 0, batch_first = 0, with_state = 0, with_lengths = 0;
  for (const std::string& name : case_names()) {
    const auto c = get(name + ".config").to_vector<int64_t>();
    bidirectional += c[3] != 0;
    two_layers += c[2] == 2;
    batch_first += c[4] != 0;
    with_state += c[6] != 0;
    with_lengths += has(name + ".lengths");
  }
  EXPECT_GT(bidirectional, 20);
  EXPECT_GT(two_layers, 20);
  EXPECT_GT(batch_first, 20);
  EXPECT_GT(with_state, 20);
  EXPECT_GE(with_lengths, 8);
}
