// Every layer passes one numeric gradient check through its named parameters and its inputs
// (nn::gradcheck_module, as dlib's test_layer). The list below must name every concrete layer
// class declared in include/nabla/nn/: a new layer that is not added here fails the test.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "nabla/nabla.h"

using namespace nabla;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

struct LayerCase {
  std::shared_ptr<nn::Module> module;
  Fn forward;
  std::vector<Tensor> inputs;
};

Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return randn(s, DType::Float64, &g).requires_grad_();
}
// Magnitudes in [0.2, 2) with random signs: away from the kinks of piecewise-linear layers.
Tensor away_from_zero(const Shape& s, uint64_t seed) {
  Generator g(seed);
  Tensor mag = rand(s, DType::Float64, &g) * 1.8 + 0.2;
  return (mag * sign(randn(s, DType::Float64, &g))).detach().requires_grad_();
}
// Distinct values: pooling windows have a unique maximum.
Tensor distinct(const Shape& s, uint64_t seed) {
  Generator g(seed);
  const int64_t n = shape_numel(s);
  Tensor ramp = arange(0.0, static_cast<double>(n), 1.0, DType::Float64) * (4.0 / n) - 2.0;
  Tensor perm = std::get<1>(sort(rand({n}, DType::Float64, &g)));
  return index_select(ramp, 0, perm).reshape(s).requires_grad_();
}
Tensor positive(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return (rand(s, DType::Float64, &g) * 1.5 + 0.5).detach().requires_grad_();
}

// A single-tensor layer called as (*m)(x).
template <class M>
LayerCase unary(std::shared_ptr<M> m, Tensor x) {
  m->to(DType::Float64);
  return {m, [m](const std::vector<Tensor>& v) { return (*m)(v[0]); }, {x}};
}
// A two-input loss called as (*m)(input, target); the target does not require grad.
template <class M>
LayerCase loss2(std::shared_ptr<M> m, Tensor input, Tensor target) {
  m->to(DType::Float64);
  return {m, [m](const std::vector<Tensor>& v) { return (*m)(v[0], v[1]); }, {input, target}};
}

std::map<std::string, LayerCase> layer_cases() {
  using namespace nn;
  std::map<std::string, LayerCase> c;
  const Tensor img = rnd({2, 3, 5, 5}, 1);
  // activations
  c["ReLU"] = unary(std::make_shared<ReLU>(), away_from_zero({3, 4}, 2));
  c["LeakyReLU"] = unary(std::make_shared<LeakyReLU>(0.2), away_from_zero({3, 4}, 3));
  c["ELU"] = unary(std::make_shared<ELU>(), away_from_zero({3, 4}, 4));
  c["SELU"] = unary(std::make_shared<SELU>(), away_from_zero({3, 4}, 5));
  c["GELU"] = unary(std::make_shared<GELU>(), rnd({3, 4}, 6));
  c["SiLU"] = unary(std::make_shared<SiLU>(), rnd({3, 4}, 7));
  c["Sigmoid"] = unary(std::make_shared<Sigmoid>(), rnd({3, 4}, 8));
  c["Tanh"] = unary(std::make_shared<Tanh>(), rnd({3, 4}, 9));
  c["Softplus"] = unary(std::make_shared<Softplus>(), rnd({3, 4}, 10));
  c["Hardtanh"] = unary(std::make_shared<Hardtanh>(), away_from_zero({3, 4}, 11) * 0.4 + 0.05);
  // magnitudes in [0.8, 8] and [0.4, 4]: every piece of ReLU6 / Hardsigmoid / Hardswish, no kink
  c["ReLU6"] = unary(std::make_shared<ReLU6>(), away_from_zero({3, 4}, 61) * 4.0);
  c["Hardsigmoid"] = unary(std::make_shared<Hardsigmoid>(), away_from_zero({3, 4}, 62) * 2.0);
  c["Hardswish"] = unary(std::make_shared<Hardswish>(), away_from_zero({3, 4}, 63) * 2.0);
  c["Softmax"] = unary(std::make_shared<Softmax>(1), rnd({3, 4}, 12));
  c["LogSoftmax"] = unary(std::make_shared<LogSoftmax>(1), rnd({3, 4}, 13));
  c["Maxout"] = unary(std::make_shared<Maxout>(2), distinct({3, 6}, 14));
  // convolutions
  c["Conv1d"] = unary(std::make_shared<Conv1d>(3, 4, 3, 2, 1), rnd({2, 3, 7}, 15));
  c["Conv2d"] = unary(std::make_shared<Conv2d>(3, 4, 3, 1, 1, 1, 1, true, "reflect"), img);
  c["Conv3d"] = unary(std::make_shared<Conv3d>(2, 2, 2), rnd({1, 2, 3, 3, 3}, 16));
  c["ConvTranspose1d"] = unary(std::make_shared<ConvTranspose1d>(3, 2, 3, 2), rnd({2, 3, 4}, 17));
  c["ConvTranspose2d"] = unary(std::make_shared<ConvTranspose2d>(3, 2, 3, 2, 1), img);
  c["ConvTranspose3d"] = unary(std::make_shared<ConvTranspose3d>(2, 2, 2), rnd({1, 2, 2, 2, 2}, 18));
  // dropout family: deterministic in eval mode (the check needs the same function every call)
  for (auto [name, m] : std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
           {"Dropout", std::make_shared<Dropout>(0.5)}, {"Dropout2d", std::make_shared<Dropout2d>(0.5)},
           {"AlphaDropout", std::make_shared<AlphaDropout>(0.5)}, {"DropPath", std::make_shared<DropPath>(0.5)}}) {
    m->eval();
    auto u = std::dynamic_pointer_cast<UnaryModule>(m);
    c[name] = {m, [u](const std::vector<Tensor>& v) { return (*u)(v[0]); }, {rnd({2, 3, 4}, 19)}};
  }
  // linear, embedding
  c["Linear"] = unary(std::make_shared<Linear>(4, 3), rnd({2, 5, 4}, 20));
  {
    auto m = std::make_shared<Embedding>(5, 3, 0);
    m->to(DType::Float64);
    const Tensor idx = from_vector(std::vector<int64_t>{1, 4, 4, 2}, Shape{2, 2});
    c["Embedding"] = {m, [m, idx](const std::vector<Tensor>&) { return (*m)(idx); }, {}};
  }
  // normalisation (BatchNorm in training mode: batch statistics)
  c["BatchNorm1d"] = unary(std::make_shared<BatchNorm1d>(3), rnd({4, 3, 2}, 21));
  c["BatchNorm2d"] = unary(std::make_shared<BatchNorm2d>(3), img);
  // In training (a gradient to take) it runs its modules in turn; folding is for inference only.
  c["ConvNormActivation"] = unary(std::make_shared<ConvNormActivation>(std::make_shared<Conv2d>(3, 4, 3, 1, 1),
                                                                       std::make_shared<BatchNorm2d>(4),
                                                                       std::make_shared<Tanh>()),
                                  img);
  c["BatchNorm3d"] = unary(std::make_shared<BatchNorm3d>(2), rnd({2, 2, 2, 2, 2}, 22));
  c["LayerNorm"] = unary(std::make_shared<LayerNorm>(Shape{5}), rnd({3, 4, 5}, 23));
  c["GroupNorm"] = unary(std::make_shared<GroupNorm>(2, 4), rnd({2, 4, 3}, 24));
  c["InstanceNorm1d"] = unary(std::make_shared<InstanceNorm1d>(3, 1e-5, 0.1, true), rnd({2, 3, 5}, 25));
  c["InstanceNorm2d"] = unary(std::make_shared<InstanceNorm2d>(3, 1e-5, 0.1, true), img);
  c["LocalResponseNorm"] = unary(std::make_shared<LocalResponseNorm>(3), rnd({2, 4, 3, 3}, 26));
  // pooling and resampling
  c["MaxPool1d"] = unary(std::make_shared<MaxPool1d>(3, 2), distinct({2, 3, 7}, 27));
  c["MaxPool2d"] = unary(std::make_shared<MaxPool2d>(2), distinct({2, 3, 4, 4}, 28));
  c["MaxPool3d"] = unary(std::make_shared<MaxPool3d>(2), distinct({1, 2, 4, 4, 4}, 29));
  c["AvgPool1d"] = unary(std::make_shared<AvgPool1d>(3, 2, 1), rnd({2, 3, 7}, 30));
  c["AvgPool2d"] = unary(std::make_shared<AvgPool2d>(2), img);
  c["AvgPool3d"] = unary(std::make_shared<AvgPool3d>(2), rnd({1, 2, 4, 4, 4}, 31));
  c["AdaptiveAvgPool1d"] = unary(std::make_shared<AdaptiveAvgPool1d>(3), rnd({2, 3, 7}, 32));
  c["AdaptiveAvgPool2d"] = unary(std::make_shared<AdaptiveAvgPool2d>(PoolInts{2, 3}), img);
  c["AdaptiveAvgPool3d"] = unary(std::make_shared<AdaptiveAvgPool3d>(2), rnd({1, 1, 3, 3, 3}, 33));
  c["AdaptiveMaxPool1d"] = unary(std::make_shared<AdaptiveMaxPool1d>(3), distinct({2, 3, 7}, 34));
  c["AdaptiveMaxPool2d"] = unary(std::make_shared<AdaptiveMaxPool2d>(2), distinct({2, 3, 5, 5}, 35));
  c["AdaptiveMaxPool3d"] = unary(std::make_shared<AdaptiveMaxPool3d>(2), distinct({1, 1, 3, 3, 3}, 36));
  c["LPPool1d"] = unary(std::make_shared<LPPool1d>(2.0, 3, 2), positive({2, 3, 7}, 37));
  c["LPPool2d"] = unary(std::make_shared<LPPool2d>(1.5, 2), positive({2, 3, 4, 4}, 38));
  {
    auto m = std::make_shared<MaxUnpool2d>(2);
    const Tensor indices = nn::functional::max_pool2d_with_indices(distinct({1, 2, 4, 4}, 39).detach(), 2).second;
    c["MaxUnpool2d"] = {m, [m, indices](const std::vector<Tensor>& v) { return m->forward(v[0], indices); },
                        {rnd({1, 2, 2, 2}, 40)}};
  }
  c["Upsample"] = unary(std::make_shared<Upsample>(std::nullopt, std::vector<double>{2.0}, "bilinear", true),
                        rnd({1, 2, 3, 3}, 41));
  c["PixelShuffle"] = unary(std::make_shared<PixelShuffle>(2), rnd({1, 8, 2, 2}, 42));
  c["PixelUnshuffle"] = unary(std::make_shared<PixelUnshuffle>(2), rnd({1, 2, 4, 4}, 43));
  c["Flatten"] = unary(std::make_shared<Flatten>(), rnd({2, 3, 2}, 44));
  c["Unflatten"] = unary(std::make_shared<Unflatten>(1, Shape{2, 3}), rnd({2, 6}, 45));
  c["Identity"] = unary(std::make_shared<Identity>(), rnd({2, 3}, 46));
  // attention and Transformers (dropout 0: the check needs the same function every call)
  {
    auto m = std::make_shared<MultiheadAttention>(
        MultiheadAttentionOptions{.embed_dim = 4, .num_heads = 2, .add_bias_kv = true, .kdim = 3, .vdim = 5});
    m->to(DType::Float64);
    const Tensor pad = from_vector(std::vector<uint8_t>{0, 0, 1, 0, 0, 0}, Shape{2, 3}).to(DType::Bool);
    c["MultiheadAttention"] = {m,
                               [m, pad](const std::vector<Tensor>& v) {
                                 auto [out, w] = (*m)(v[0], v[1], v[2], {.key_padding_mask = pad});
                                 return add(out.sum(), mul(w, w).sum());
                               },
                               {rnd({2, 2, 4}, 70), rnd({3, 2, 3}, 71), rnd({3, 2, 5}, 72)}};
    const TransformerLayerOptions small{.d_model = 4, .nhead = 2, .dim_feedforward = 6, .dropout = 0.0};
    TransformerLayerOptions pre = small;
    pre.norm_first = true, pre.activation = "gelu", pre.batch_first = true;
    c["TransformerEncoderLayer"] = unary(std::make_shared<TransformerEncoderLayer>(small), rnd({3, 2, 4}, 73));
    c["TransformerEncoder"] = unary(std::make_shared<TransformerEncoder>(pre, 2, true), rnd({2, 3, 4}, 74));
    auto dl = std::make_shared<TransformerDecoderLayer>(small);
    dl->to(DType::Float64);
    c["TransformerDecoderLayer"] = {dl, [dl](const std::vector<Tensor>& v) { return (*dl)(v[0], v[1], {.tgt_is_causal = true}); },
                                    {rnd({3, 2, 4}, 75), rnd({2, 2, 4}, 76)}};
    auto dec = std::make_shared<TransformerDecoder>(pre, 2, true);
    dec->to(DType::Float64);
    c["TransformerDecoder"] = {dec, [dec](const std::vector<Tensor>& v) { return (*dec)(v[0], v[1]); },
                               {rnd({2, 3, 4}, 77), rnd({2, 2, 4}, 78)}};
    auto t = std::make_shared<Transformer>(TransformerOptions{.d_model = 4, .nhead = 2, .num_encoder_layers = 1,
                                                              .num_decoder_layers = 1, .dim_feedforward = 5, .dropout = 0.0});
    t->to(DType::Float64);
    c["Transformer"] = {t, [t](const std::vector<Tensor>& v) { return (*t)(v[0], v[1], {.tgt_is_causal = true}); },
                        {rnd({3, 2, 4}, 79), rnd({2, 2, 4}, 80)}};
    c["SinusoidalPositionalEncoding"] = unary(std::make_shared<SinusoidalPositionalEncoding>(4, 10), rnd({3, 2, 4}, 81));
    c["LearnedPositionalEncoding"] = unary(std::make_shared<LearnedPositionalEncoding>(10, 4, 0.0, true), rnd({2, 3, 4}, 82));
  }
  // losses
  const Tensor classes = from_vector(std::vector<int64_t>{2, 0, 1}, Shape{3});
  c["CrossEntropyLoss"] = loss2(std::make_shared<CrossEntropyLoss>(), rnd({3, 4}, 47), classes);
  c["NLLLoss"] = loss2(std::make_shared<NLLLoss>(), rnd({3, 4}, 48), classes);
  c["MultiMarginLoss"] = loss2(std::make_shared<MultiMarginLoss>(), rnd({3, 4}, 49), classes);
  c["BCELoss"] = loss2(std::make_shared<BCELoss>(), positive({3, 4}, 50) * 0.4, positive({3, 4}, 51).detach() * 0.5);
  c["BCEWithLogitsLoss"] = loss2(std::make_shared<BCEWithLogitsLoss>(), rnd({3, 4}, 52), positive({3, 4}, 53).detach() * 0.5);
  c["MSELoss"] = loss2(std::make_shared<MSELoss>(), rnd({3, 4}, 54), rnd({3, 4}, 55));
  c["L1Loss"] = loss2(std::make_shared<L1Loss>(), away_from_zero({3, 4}, 56), zeros({3, 4}, DType::Float64));
  c["SmoothL1Loss"] = loss2(std::make_shared<SmoothL1Loss>(), rnd({3, 4}, 57) * 3.0, rnd({3, 4}, 58).detach());
  c["HuberLoss"] = loss2(std::make_shared<HuberLoss>(), rnd({3, 4}, 59) * 3.0, rnd({3, 4}, 60).detach());
  c["KLDivLoss"] = loss2(std::make_shared<KLDivLoss>(Reduction::BatchMean), log_softmax(rnd({3, 4}, 61), 1).detach().requires_grad_(),
                         softmax(rnd({3, 4}, 62), 1).detach());
  {
    auto m = std::make_shared<CosineEmbeddingLoss>(0.1);
    const Tensor y = from_vector(std::vector<double>{1, -1, 1}, Shape{3});
    c["CosineEmbeddingLoss"] = {m, [m, y](const std::vector<Tensor>& v) { return (*m)(v[0], v[1], y); },
                                {rnd({3, 4}, 63), rnd({3, 4}, 64)}};
    auto r = std::make_shared<MarginRankingLoss>(0.1);
    c["MarginRankingLoss"] = {r, [r, y](const std::vector<Tensor>& v) { return (*r)(v[0], v[1], y); },
                              {rnd({3}, 65), rnd({3}, 66)}};
    auto t = std::make_shared<TripletMarginLoss>();
    c["TripletMarginLoss"] = {t, [t](const std::vector<Tensor>& v) { return (*t)(v[0], v[1], v[2]); },
                              {rnd({3, 4}, 67), rnd({3, 4}, 68), rnd({3, 4}, 69)}};
  }
  // recurrent layers and cells: output and final state in one checked tensor (every option is
  // checked in tests/nn/recurrent_gradcheck_test.cpp)
  {
    auto flat = [](std::vector<Tensor> ts) {
      for (Tensor& t : ts) t = t.reshape({t.numel()});
      return cat(ts, 0);
    };
    auto rnn = std::make_shared<RNN>(3, 4, 2, "tanh", true, false, 0.0, true);
    rnn->to(DType::Float64);
    c["RNN"] = {rnn, [rnn, flat](const std::vector<Tensor>& v) { auto [y, h] = (*rnn)(v[0], v[1]); return flat({y, h}); },
                {rnd({3, 2, 3}, 71), rnd({4, 2, 4}, 72)}};
    auto lstm = std::make_shared<LSTM>(3, 2);
    lstm->to(DType::Float64);
    c["LSTM"] = {lstm, [lstm, flat](const std::vector<Tensor>& v) {
                   auto [y, s] = (*lstm)(v[0], LSTMState{v[1], v[2]}, {3, 2});
                   return flat({y, s.first, s.second});
                 },
                 {rnd({3, 2, 3}, 73), rnd({1, 2, 2}, 74), rnd({1, 2, 2}, 75)}};
    auto gru = std::make_shared<GRU>(RNNOptions{.input_size = 3, .hidden_size = 2, .batch_first = true});
    gru->to(DType::Float64);
    c["GRU"] = {gru, [gru, flat](const std::vector<Tensor>& v) { auto [y, h] = (*gru)(v[0]); return flat({y, h}); },
                {rnd({2, 3, 3}, 76)}};
    auto rc = std::make_shared<RNNCell>(3, 4);
    rc->to(DType::Float64);
    c["RNNCell"] = {rc, [rc](const std::vector<Tensor>& v) { return (*rc)(v[0], v[1]); }, {rnd({2, 3}, 77), rnd({2, 4}, 78)}};
    auto lc = std::make_shared<LSTMCell>(3, 2);
    lc->to(DType::Float64);
    c["LSTMCell"] = {lc, [lc, flat](const std::vector<Tensor>& v) {
                       auto [h, cc] = (*lc)(v[0], LSTMState{v[1], v[2]});
                       return flat({h, cc});
                     },
                     {rnd({2, 3}, 79), rnd({2, 2}, 80), rnd({2, 2}, 81)}};
    auto gc = std::make_shared<GRUCell>(3, 2);
    gc->to(DType::Float64);
    c["GRUCell"] = {gc, [gc](const std::vector<Tensor>& v) { return (*gc)(v[0], v[1]); }, {rnd({2, 3}, 82), rnd({2, 2}, 83)}};
  }
  return c;
}

// Concrete layer classes declared in include/nabla/nn/*.h: every class deriving from another,
// minus the bases of other classes and the containers, plus the aliases that instantiate a class
// template (`using Conv2d = Conv<2>;`), whose template and template arguments are not layers.
std::set<std::string> declared_layers() {
  const std::regex decl(R"(class\s+(\w+)\s*(?:final\s*)?:\s*public\s+([\w:]+))");
  const std::regex alias(R"(using\s+(\w+)\s*=\s*(\w+)<([^>]*)>;)");
  const std::regex word(R"(\w+)");
  std::map<std::string, std::string> parent;
  std::vector<std::string> texts;
  for (const auto& e : std::filesystem::directory_iterator(std::string(NABLA_SOURCE_DIR) + "/include/nabla/nn")) {
    if (e.path().extension() != ".h") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    texts.push_back(text.str());
  }
  std::set<std::string> bases, layers;
  std::vector<std::array<std::string, 3>> instantiations;
  for (const std::string& s : texts) {
    for (std::sregex_iterator it(s.begin(), s.end(), decl), end; it != end; ++it) parent[(*it)[1]] = (*it)[2];
    for (std::sregex_iterator it(s.begin(), s.end(), alias), end; it != end; ++it)
      instantiations.push_back({(*it)[1], (*it)[2], (*it)[3]});
  }
  for (const auto& [cls, base] : parent) bases.insert(base);
  for (const auto& [name, tmpl, args] : instantiations) {
    if (!parent.count(tmpl)) continue;  // an alias of something else (options structs, …)
    layers.insert(name);
    bases.insert(tmpl);
    for (std::sregex_iterator it(args.begin(), args.end(), word), end; it != end; ++it) bases.insert(it->str());
  }
  for (const auto& [cls, base] : parent)
    if (!bases.count(cls) && cls != "Sequential" && cls != "ModuleList" && cls != "ModuleDict") layers.insert(cls);
  return layers;
}

}  // namespace

TEST(EveryLayer, ListedForTheGradientCheck) {
  const auto cases = layer_cases();
  std::string missing;
  for (const std::string& cls : declared_layers())
    if (!cases.count(cls)) missing += " " + cls;
  EXPECT_EQ(missing, "") << "layer classes without a gradcheck_module case";
  EXPECT_GT(declared_layers().size(), 60u);
}

TEST(EveryLayer, PassesGradcheckThroughItsNamedParameters) {
  for (auto& [name, k] : layer_cases()) {
    GradcheckResult r = nn::gradcheck_module(*k.module, k.forward, k.inputs);
    EXPECT_TRUE(r.ok) << name << ": " << r.message;
  }
}

TEST(EveryLayer, GradcheckModuleNamesAWrongParameterGradient) {
  // A layer whose bias gradient is doubled: the check fails and names "bias".
  struct Wrong : nn::Module {
    Tensor bias = zeros({3}, DType::Float64);
    Wrong() { register_parameter("bias", &bias); }
    std::string name() const override { return "Wrong"; }
  };
  auto m = std::make_shared<Wrong>();
  autograd::register_primitive("double_bias_grad", "2·g (deliberately wrong)");
  auto forward = [m](const std::vector<Tensor>& v) {
    Tensor y = v[0].detach() + m->bias.detach();
    autograd::record(y, "double_bias_grad", {v[0], m->bias},
                     [](const Tensor& g) { return std::vector<Tensor>{g, g.sum({0}) * 2.0}; });
    return y;
  };
  GradcheckResult r = nn::gradcheck_module(*m, forward, {rnd({2, 3}, 70)});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.worst_name, "bias");
  EXPECT_NE(r.message.find("Wrong: gradcheck FAILED"), std::string::npos);
}
