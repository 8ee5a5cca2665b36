// cumsum against a direct loop and against values printed by PyTorch 1.13 (torch.cumsum):
// dims, dtypes, the double accumulator for float32, 0-d and empty inputs, gradients, errors.
#include <gtest/gtest.h>

#include "error_of.h"
#include "nabla/nabla.h"

using namespace nabla;
using nabla::testing::error_of;

TEST(Cumsum, MatchesALoopAlongEveryDim) {
  Generator gen(1);
  const Tensor x = randn({3, 4, 5}, DType::Float64, &gen);
  const std::vector<double> v = x.to_vector<double>();
  for (int64_t dim = -3; dim < 3; ++dim) {
    const int64_t d = (dim + 3) % 3;
    const std::vector<double> y = cumsum(x, dim).to_vector<double>();
    for (int64_t a = 0; a < 3; ++a)
      for (int64_t b = 0; b < 4; ++b)
        for (int64_t c = 0; c < 5; ++c) {
          const int64_t idx[3] = {a, b, c};
          double s = 0;
          for (int64_t k = 0; k <= idx[d]; ++k) {
            int64_t j[3] = {a, b, c};
            j[d] = k;
            s += v[(j[0] * 4 + j[1]) * 5 + j[2]];
          }
          EXPECT_NEAR(y[(a * 4 + b) * 5 + c], s, 1e-12) << "dim " << dim;
        }
  }
  // A non-contiguous input gives the same as its contiguous copy.
  const Tensor t = x.transpose(0, 2);
  EXPECT_EQ(cumsum(t, 1).to_vector<double>(), cumsum(t.contiguous(), 1).to_vector<double>());
}

TEST(Cumsum, DtypesAsPyTorch) {
  // torch.cumsum(torch.tensor([16777216., 1., 1.]), 0) = [16777216., 16777216., 16777218.]:
  // the running sum is a double, rounded to float32 at each output.
  EXPECT_EQ(cumsum(tensor({16777216, 1, 1}), 0).to_vector<float>(), (std::vector<float>{16777216, 16777216, 16777218}));
  const Tensor b = tensor({1, 0, 1}).to(DType::Bool);
  EXPECT_EQ(cumsum(b, 0).dtype(), DType::Int64);
  EXPECT_EQ(cumsum(b, 0).to_vector<int64_t>(), (std::vector<int64_t>{1, 1, 2}));
  EXPECT_EQ(cumsum(tensor({1, 2}).to(DType::Int32), 0).dtype(), DType::Int64);
  // dtype=uint8 wraps as PyTorch: [200, 100] → [200, 44].
  EXPECT_EQ(cumsum(tensor({200, 100}).to(DType::UInt8), 0, DType::UInt8).to_vector<int64_t>(),
            (std::vector<int64_t>{200, 44}));
  const Tensor f = cumsum(tensor({1, 2}).to(DType::Int64), 0, DType::Float32);
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{1, 3}));
  EXPECT_EQ(cumsum(scalar_tensor(3.0), 0).shape(), Shape{});
  EXPECT_EQ(cumsum(scalar_tensor(3.0), -1).item(), 3.0);
  EXPECT_EQ(cumsum(zeros({2, 0}), 1).shape(), (Shape{2, 0}));
}

TEST(Cumsum, GradientIsTheReverseCumsum) {
  const Tensor x = tensor({1, 2, 3, 4}, DType::Float64).requires_grad_();
  const Tensor w = tensor({1, 10, 100, 1000}, DType::Float64);
  sum(cumsum(x, 0) * w).backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{1111, 1110, 1100, 1000}));
  Generator gen(2);
  const Tensor y = randn({3, 4}, DType::Float64, &gen).requires_grad_();
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& v) { return cumsum(v[0], -1); }, {y}).ok);
  EXPECT_TRUE(gradgradcheck([](const std::vector<Tensor>& v) { return cumsum(v[0], 0) * cumsum(v[0], 1); }, {y}).ok);
}

TEST(Cumsum, Errors) {
  EXPECT_NE(error_of([] { cumsum(tensor({1, 2}), 1); }).find("cumsum"), std::string::npos);
  EXPECT_NE(error_of([] { cumsum(tensor({1, 2}), 0, DType::Bool); }).find("cumsum: dtype bool is not supported"),
            std::string::npos);
  EXPECT_NE(error_of([] { cumsum(Tensor(), 0); }).find("cumsum: the input is undefined"), std::string::npos);
}
