// Convolution values, the notes' worked examples, shapes, parameter counts, determinism and errors.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/nn/conv.h"
#include "error_of.h"

using namespace nabla;
namespace F = nabla::nn::functional;
using nn::ConvInts;
using nn::ConvPadding;

namespace {
using nabla::testing::error_of;
Tensor image(const std::vector<std::vector<double>>& rows) {
  std::vector<double> v;
  for (auto& r : rows) v.insert(v.end(), r.begin(), r.end());
  return from_vector(v, Shape{1, 1, static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
}
std::vector<double> flat(const std::vector<std::vector<double>>& rows) {
  std::vector<double> v;
  for (auto& r : rows) v.insert(v.end(), r.begin(), r.end());
  return v;
}
}  // namespace

// Notes 001 (lines 8872–9012): the 6×6 binary image, two 3×3 filters, stride 1. The tables in
// the notes are the cross-correlation (what CNNs call convolution), which is what conv2d computes.
TEST(ConvOracle, BinaryImageTwoFilters) {
  Tensor img = image({{1, 0, 0, 0, 0, 1},
                      {0, 1, 0, 0, 1, 0},
                      {0, 0, 1, 1, 0, 0},
                      {1, 0, 0, 0, 1, 0},
                      {0, 1, 0, 0, 1, 0},
                      {0, 0, 1, 0, 1, 0}});
  Tensor filter1 = image({{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}});
  Tensor filter2 = image({{-1, 1, -1}, {-1, 1, -1}, {-1, 1, -1}});
  EXPECT_EQ(F::conv2d(img, filter1).to_vector<double>(),
            flat({{3, -1, -3, -1}, {-3, 1, 0, -3}, {-3, -3, 0, 1}, {3, -2, -2, -1}}));
  EXPECT_EQ(F::conv2d(img, filter2).to_vector<double>(),
            flat({{-1, -1, -1, -1}, {-1, -1, -2, 1}, {-1, -1, -2, 1}, {-1, 0, -4, 3}}));
  // "Do the same process for every filter": both filters at once give a 2-channel feature map.
  Tensor both = F::conv2d(img, cat({filter1, filter2}, 0));
  EXPECT_EQ(both.shape(), (Shape{1, 2, 4, 4}));
  EXPECT_EQ(both.select(1, 1).to_vector<double>(), F::conv2d(img, filter2).to_vector<double>());
  // Stride 2 keeps every other position of the stride-1 map: 3 −3 / −3 0.
  EXPECT_EQ(F::conv2d(img, filter1, Tensor(), 2).to_vector<double>(), (std::vector<double>{3, -3, -3, 0}));
}

// Notes 000 (lines 318–408): a 6×6 image with values 0–2 and "Filter 1" [[1,0,−1],[−1,0,0],[0,0,1]]
// giving the 4×4 map −1 2 0 0 / 0 1 3 −2 / 0 0 −1 4 / 3 −1 −2 −2. The extracted text of the image
// has a seventh field in its first two rows (empty in row 1, an extra 0 in row 2: "2 1 1 0 0 0 1"),
// a layout artifact at the same column. Dropping that fourth field (as the empty cell of row 1
// must be dropped) gives rows 1 2 0 1 0 1 / 2 1 1 0 0 1 and makes the cross-correlation match the
// notes' table in every entry. Reading row 2 as its first six fields (2 1 1 0 0 0) instead would
// give −1 rather than −2 at row 1, column 3 — that is the only entry that depends on the choice.
TEST(ConvOracle, ImageWithTwoFilters) {
  Tensor img = image({{1, 2, 0, 1, 0, 1},
                      {2, 1, 1, 0, 0, 1},
                      {1, 0, 0, 2, 1, 0},
                      {2, 0, 0, 0, 2, 1},
                      {0, 1, 1, 2, 0, 2},
                      {1, 0, 1, 0, 1, 1}});
  Tensor filter1 = image({{1, 0, -1}, {-1, 0, 0}, {0, 0, 1}});
  Tensor filter2 = image({{0, 2, 1}, {0, 1, -1}, {-1, 1, 0}});
  EXPECT_EQ(F::conv2d(img, filter1).to_vector<double>(),
            flat({{-1, 2, 0, 0}, {0, 1, 3, -2}, {0, 0, -1, 4}, {3, -1, -2, -2}}));
  // The notes show only the first entry of filter 2's map: 3.
  EXPECT_EQ(F::conv2d(img, filter2).to_vector<double>()[0], 3.0);
}

// Notes 001 (lines 4218–4250) / 003 (line ~1826): 1-d convolution, input [a b c d], filter
// [x y z], stride 1, pad 1, as a matrix X (4×6) times the padded input [0 a b c d 0]:
//   [ay+bz, ax+by+cz, bx+cy+dz, cx+dy];
// the transposed convolution multiplies by Xᵀ (6×4):
//   [ax, ay+bx, az+by+cx, bz+cy+dx, cz+dy, dz].
// (003's rendering has typos — "x y x" in the matrix and "dz+dy, dy" in the result; 001's is right.)
TEST(ConvOracle, OneDimConvolutionAsMatrixAndItsTranspose) {
  const double a = 1, b = 2, c = 3, d = 4, x = 10, y = 100, z = 1000;
  Tensor in = from_vector(std::vector<double>{a, b, c, d}, Shape{1, 1, 4});
  Tensor w = from_vector(std::vector<double>{x, y, z}, Shape{1, 1, 3});
  EXPECT_EQ(F::conv1d(in, w, Tensor(), 1, 1).to_vector<double>(),
            (std::vector<double>{a * y + b * z, a * x + b * y + c * z, b * x + c * y + d * z, c * x + d * y}));
  EXPECT_EQ(F::conv_transpose1d(in, w).to_vector<double>(),
            (std::vector<double>{a * x, a * y + b * x, a * z + b * y + c * x, b * z + c * y + d * x, c * z + d * y, d * z}));

  // X built column by column from the convolution of unit vectors (length 6, no padding);
  // conv_transpose1d is multiplication by its transpose.
  Tensor X = zeros({4, 6}, DType::Float64);
  for (int64_t j = 0; j < 6; ++j) {
    Tensor e = zeros({1, 1, 6}, DType::Float64);
    e.select(2, j).fill_(1);
    X.select(1, j).copy_(F::conv1d(e, w).reshape({4}));
  }
  EXPECT_EQ(X.to_vector<double>(), flat({{x, y, z, 0, 0, 0}, {0, x, y, z, 0, 0}, {0, 0, x, y, z, 0}, {0, 0, 0, x, y, z}}));
  EXPECT_EQ(F::conv_transpose1d(in, w).reshape({6}).to_vector<double>(), matmul(X.t(), in.reshape({4})).to_vector<double>());
  // With padding 1 the transposed convolution is the exact adjoint of conv1d(·, pad 1):
  // ⟨conv(u), v⟩ = ⟨u, convᵀ(v)⟩.
  Tensor u = from_vector(std::vector<double>{0.5, -1, 2, 3}, Shape{1, 1, 4});
  Tensor v = from_vector(std::vector<double>{1, -2, 0.25, 4}, Shape{1, 1, 4});
  EXPECT_DOUBLE_EQ((F::conv1d(u, w, Tensor(), 1, 1) * v).sum().item(),
                   (u * F::conv_transpose1d(v, w, Tensor(), 1, 1)).sum().item());
}

// Depthwise separable 3→8 channels with 3×3 kernels: 3·8·9 = 216 weights for a full
// convolution, 3·9 (depthwise) + 3·8 (pointwise 1×1) = 51 for the separable one.
TEST(ConvOracle, DepthwiseSeparableWeights) {
  nn::Conv2d full(3, 8, 3, 1, 1, 1, 1, /*bias=*/false);
  nn::Conv2d depthwise(3, 3, 3, 1, 1, 1, /*groups=*/3, false);
  nn::Conv2d pointwise(3, 8, 1, 1, 0, 1, 1, false);
  EXPECT_EQ(full.num_parameters(), 216);
  EXPECT_EQ(depthwise.num_parameters() + pointwise.num_parameters(), 51);
  Tensor x = randn({2, 3, 7, 7});
  EXPECT_EQ(pointwise(depthwise(x)).shape(), full(x).shape());
}

// A 32×32×3 input and 5 filters of 5×5: 5·(5·5·3 + 1) = 380 parameters.
TEST(ConvOracle, ParameterCount380) {
  nn::Conv2d conv(3, 5, 5);
  EXPECT_EQ(conv.num_parameters(), 380);
  EXPECT_EQ(conv(randn({1, 3, 32, 32})).shape(), (Shape{1, 5, 28, 28}));
}

// Ex 1 of notes 000: 65×77×3 input, 18 filters 5×5, stride 3: 76 weights per filter (with bias),
// output 21×25×18 = 9 450 neurons, 9 450·76 = 718 200 connections, 18·76 = 1 368 parameters.
TEST(ConvOracle, Exercise1Counts) {
  nn::Conv2d conv(3, 18, 5, 3);
  Tensor y = conv(randn({1, 3, 65, 77}));
  EXPECT_EQ(y.shape(), (Shape{1, 18, 21, 25}));
  const int64_t per_filter = conv.weight[0].numel() + 1;
  EXPECT_EQ(per_filter, 76);
  EXPECT_EQ(y.numel(), 9450);
  EXPECT_EQ(y.numel() * per_filter, 718200);
  EXPECT_EQ(conv.num_parameters(), 1368);
}

TEST(Conv, OutputSizeFormula) {
  EXPECT_EQ(F::conv_output_size(7, 3, 2, 1, 1, 1), 4);   // floor((7+2−2−1)/2)+1
  EXPECT_EQ(F::conv_output_size(10, 3, 1, 0, 0, 3), 4);  // dilation 3 spans 7
  EXPECT_EQ(F::conv_output_size(2, 5, 1, 0, 0, 1), -2);
  Tensor y = F::conv2d(randn({1, 2, 9, 8}), randn({3, 2, 3, 2}), Tensor(), ConvInts{2, 3}, ConvPadding{1, 2}, ConvInts{2, 1});
  EXPECT_EQ(y.shape(), (Shape{1, 3, 4, 4}));  // floor((9+2−4−1)/2)+1 = 4, floor((8+4−1−1)/3)+1 = 4
  Tensor t = F::conv_transpose2d(randn({1, 2, 4, 5}), randn({2, 3, 3, 3}), Tensor(), 2, 1, 1);
  EXPECT_EQ(t.shape(), (Shape{1, 3, 8, 10}));  // (4−1)·2 − 2 + 2 + 1 + 1 = 8
}

TEST(Conv, SmallValuesByHand) {
  // x = 1..9 (3×3), w = [[1, 2], [3, 4]], stride 1, padding 1, bias 0.5.
  Tensor x = arange(1.0, 10.0, 1.0, DType::Float32).reshape({1, 1, 3, 3});
  Tensor w = tensor({{1, 2}, {3, 4}}).reshape({1, 1, 2, 2});
  Tensor y = F::conv2d(x, w, tensor({0.5}), 1, 1);
  // corner (0,0): only x[0,0]·w[1,1] = 4; (0,1): x00·3 + x01·4 = 3 + 8 = 11; centre (1,1): 1+4+12+20 = 37.
  std::vector<float> v = y.to_vector<float>();
  ASSERT_EQ(y.shape(), (Shape{1, 1, 4, 4}));
  EXPECT_FLOAT_EQ(v[0], 4.5f);
  EXPECT_FLOAT_EQ(v[1], 11.5f);
  EXPECT_FLOAT_EQ(v[5], 37.5f);
  EXPECT_FLOAT_EQ(v[15], 9.5f);  // x[2,2]·w[0,0] = 9
  // Unbatched input gives an unbatched output with the same values.
  EXPECT_EQ(F::conv2d(x[0], w, tensor({0.5}), 1, 1).to_vector<float>(), v);
  // Reflect padding by one: the padded row above row 0 is row 1 (4 5 6).
  Tensor r = F::conv2d(x, w, Tensor(), 1, 1, 1, 1, nn::PaddingMode::Reflect);
  EXPECT_FLOAT_EQ(r.to_vector<float>()[0], 5 * 1 + 4 * 2 + 2 * 3 + 1 * 4);  // padded [[5,4],[2,1]]
}

TEST(Conv, SamePaddingKeepsSize) {
  for (int64_t k : {1, 2, 3, 4, 5}) {
    Tensor y = F::conv2d(randn({2, 3, 7, 6}), randn({4, 3, k, k}), Tensor(), 1, "same", 2);
    EXPECT_EQ(y.shape(), (Shape{2, 4, 7, 6})) << "k=" << k;
  }
  nn::Conv1d c(2, 2, 4, 1, "same");
  EXPECT_EQ(c(randn({1, 2, 9})).shape(), (Shape{1, 2, 9}));
}

TEST(Conv, NonContiguousInputMatchesContiguous) {
  Tensor x = randn({2, 6, 5, 3}).permute({0, 3, 1, 2});  // (2, 3, 6, 5) strided
  Tensor w = randn({4, 3, 3, 3});
  EXPECT_TRUE(allclose(F::conv2d(x, w, Tensor(), 1, 1), F::conv2d(x.contiguous(), w, Tensor(), 1, 1)));
}

TEST(Conv, GroupedEqualsSeparateConvolutions) {
  Tensor x = randn({2, 4, 6, 6}), w = randn({6, 2, 3, 3}), b = randn({6});
  Tensor y = F::conv2d(x, w, b, 1, 1, 1, 2);
  Tensor y0 = F::conv2d(x.narrow(1, 0, 2), w.narrow(0, 0, 3), b.narrow(0, 0, 3), 1, 1);
  Tensor y1 = F::conv2d(x.narrow(1, 2, 2), w.narrow(0, 3, 3), b.narrow(0, 3, 3), 1, 1);
  EXPECT_TRUE(allclose(y, cat({y0, y1}, 1), 1e-5, 1e-6));
}

// The im2col path gives the same bits for any thread count. (oneDNN's weight gradient may differ in
// the last bits between thread counts; it is reproducible for a fixed count: tests/nn/conv_dnnl_test.cpp.)
TEST(Conv, Im2colDeterministicAcrossThreadCounts) {
  const int saved = omp_get_max_threads();
  const nn::ConvBackend saved_backend = nn::conv_backend();
  nn::set_conv_backend(nn::ConvBackend::Im2col);
  manual_seed(3);
  Tensor x = randn({9, 8, 12, 12}), w = randn({16, 8, 3, 3}), b = randn({16}), gy = randn({9, 16, 12, 12});
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    Tensor xr = x.clone().requires_grad_(), wr = w.clone().requires_grad_(), br = b.clone().requires_grad_();
    Tensor y = F::conv2d(xr, wr, br, 1, 1);
    (y * gy).sum().backward();
    return std::vector<std::vector<float>>{y.to_vector<float>(), xr.grad().to_vector<float>(),
                                           wr.grad().to_vector<float>(), br.grad().to_vector<float>()};
  };
  auto one = run(1), four = run(4), three = run(3);
  omp_set_num_threads(saved);
  nn::set_conv_backend(saved_backend);
  EXPECT_EQ(one, four);
  EXPECT_EQ(one, three);
}

TEST(Conv, ModuleShapesInitAndRepr) {
  manual_seed(0);
  nn::Conv2d c(4, 8, 3, 2, 1, 1, 2);
  EXPECT_EQ(c.weight.shape(), (Shape{8, 2, 3, 3}));
  EXPECT_EQ(c.bias.shape(), (Shape{8}));
  const double bound = 1.0 / std::sqrt(2.0 * 9.0);  // fan_in = in/groups · k·k = 18
  EXPECT_LE(c.weight.abs().max().item(), bound);
  EXPECT_GT(c.weight.abs().max().item(), 0.8 * bound);
  EXPECT_LE(c.bias.abs().max().item(), bound);
  EXPECT_EQ(c.extra_repr(), "4, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2");
  EXPECT_EQ(nn::Conv1d(2, 3, 5, 1, "same", 1, 1, false, "reflect").extra_repr(),
            "2, 3, kernel_size=(5,), stride=(1,), padding=same, bias=False, padding_mode=reflect");
  nn::ConvTranspose2d t(6, 4, ConvInts{3, 2}, 2, 0, 1, 2, true, 1);
  EXPECT_EQ(t.weight.shape(), (Shape{6, 2, 3, 2}));
  EXPECT_EQ(t.extra_repr(), "6, 4, kernel_size=(3, 2), stride=(2, 2), output_padding=(1, 1), groups=2");
  const double tbound = 1.0 / std::sqrt(2.0 * 6.0);  // fan_in = weight.size(1)·Πk
  EXPECT_LE(t.weight.abs().max().item(), tbound);
  EXPECT_EQ(t(randn({2, 6, 4, 4})).shape(), (Shape{2, 4, 10, 9}));
  nn::Conv3d c3(2, 4, ConvInts{1, 3, 3}, 1, ConvPadding{0, 1, 1});
  EXPECT_EQ(c3(randn({2, 2, 3, 5, 5})).shape(), (Shape{2, 4, 3, 5, 5}));
  EXPECT_EQ(c3.to_string(), "Conv3d(2, 4, kernel_size=(1, 3, 3), stride=(1, 1, 1), padding=(0, 1, 1))");
  auto names = c.named_parameters();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].first, "weight");
  EXPECT_EQ(names[1].first, "bias");
  EXPECT_EQ(nn::Conv2d(1, 1, 1, 1, 0, 1, 1, false).named_parameters().size(), 1u);
}

TEST(ConvErrors, LayerNamesExpectedAndReceivedShape) {
  nn::Conv2d c(3, 8, 3);
  std::string msg = error_of([&] { c(randn({2, 4, 8, 8})); });
  EXPECT_NE(msg.find("Conv2d"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[N, 3, H, W]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2, 4, 8, 8]"), std::string::npos) << msg;
  msg = error_of([&] { c(randn({8, 8})); });
  EXPECT_NE(msg.find("Conv2d"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[8, 8]"), std::string::npos) << msg;
  nn::Conv1d c1(2, 2, 3);
  msg = error_of([&] { c1(randn({1, 2, 3, 4})); });
  EXPECT_NE(msg.find("Conv1d: expected input of shape [N, 2, L] or [2, L], got [1, 2, 3, 4]"), std::string::npos) << msg;
  nn::ConvTranspose2d t(4, 2, 3);
  msg = error_of([&] { t(randn({1, 2, 5, 5})); });
  EXPECT_NE(msg.find("ConvTranspose2d"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[N, 4, H, W]"), std::string::npos) << msg;
}

TEST(ConvErrors, NonPositiveOutputSize) {
  nn::Conv2d c(1, 1, 5);
  std::string msg = error_of([&] { c(randn({1, 1, 3, 8})); });
  EXPECT_NE(msg.find("conv2d: output size is not positive"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1, 1, 3, 8]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("kernel size [5, 5]"), std::string::npos) << msg;
  EXPECT_THROW(F::conv1d(randn({1, 1, 4}), randn({1, 1, 3}), Tensor(), 1, 0, 2), Error);  // dilated span 5 > 4
  EXPECT_THROW(F::conv_transpose1d(randn({1, 1, 1}), randn({1, 1, 1}), Tensor(), 1, 1), Error);  // 1 − 2 + 1 = 0
}

TEST(ConvErrors, BadArguments) {
  Tensor x = randn({1, 4, 6, 6});
  EXPECT_THROW(F::conv2d(x, randn({3, 4, 3, 3}), Tensor(), 2, "same"), Error);             // same + stride
  EXPECT_THROW(F::conv2d(x, randn({3, 4, 3, 3}), Tensor(), 1, "full"), Error);             // unknown string
  EXPECT_THROW(F::conv2d(x, randn({3, 4, 3, 3}), Tensor(), 0), Error);                     // stride 0
  EXPECT_THROW(F::conv2d(x, randn({3, 4, 3, 3}), Tensor(), 1, -1), Error);                 // negative padding
  EXPECT_THROW(F::conv2d(x, randn({3, 4, 3, 3}), Tensor(), ConvInts{1, 1, 1}), Error);     // 3 strides for 2-d
  EXPECT_THROW(F::conv2d(x, randn({3, 2, 3, 3}), Tensor(), 1, 0, 1, 2), Error);            // 3 % groups
  EXPECT_THROW(F::conv2d(x, randn({4, 3, 3, 3})), Error);                                  // channels
  EXPECT_THROW(F::conv2d(x, randn({4, 4, 3})), Error);                                     // weight rank
  EXPECT_THROW(F::conv2d(x, randn({4, 4, 3, 3}), randn({3})), Error);                      // bias size
  EXPECT_THROW(F::conv2d(x, randn({4, 4, 3, 3}, DType::Float64)), Error);                  // dtype mismatch
  EXPECT_THROW(F::conv2d(x.to(DType::Int64), randn({4, 4, 3, 3}).to(DType::Int64)), Error);  // integer
  EXPECT_NO_THROW(F::conv2d(x, randn({4, 4, 3, 3}), Tensor(), 1, 5, 1, 1, nn::PaddingMode::Reflect));
  EXPECT_THROW(F::conv2d(x, randn({4, 4, 3, 3}), Tensor(), 1, 6, 1, 1, nn::PaddingMode::Reflect), Error);  // pad ≥ size
}

TEST(ConvErrors, LayerConstruction) {
  EXPECT_THROW(nn::Conv2d(3, 8, 3, 1, 0, 1, 2), Error);                    // in_channels % groups
  EXPECT_THROW(nn::Conv2d(4, 6, 3, 1, 0, 1, 4), Error);                    // out_channels % groups
  EXPECT_THROW(nn::Conv2d(4, 4, 3, 1, 0, 1, 0), Error);                    // groups 0
  EXPECT_THROW(nn::Conv2d(4, 4, 3, 2, "same"), Error);                     // same + stride
  EXPECT_THROW(nn::Conv2d(4, 4, 3, 1, 0, 1, 1, true, "mirror"), Error);    // padding_mode
  EXPECT_THROW(nn::Conv2d(4, 4, ConvInts{3, 3, 3}), Error);                // kernel rank
  EXPECT_THROW(nn::Conv2d(4, 4, 0), Error);                                // kernel 0
  EXPECT_THROW(nn::ConvTranspose2d(4, 4, 3, 1, 0, 0, 1, true, 1, "reflect"), Error);
  // output_padding must be smaller than stride or dilation
  EXPECT_NO_THROW(nn::ConvTranspose2d(4, 4, 3, 2, 0, 1)(randn({1, 4, 3, 3})));
  EXPECT_THROW(nn::ConvTranspose2d(4, 4, 3, 1, 0, 1)(randn({1, 4, 3, 3})), Error);
}
