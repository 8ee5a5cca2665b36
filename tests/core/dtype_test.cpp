// The uint8/int32 dtypes and the bfloat16/float16 storage types: promotion, conversions (bit
// patterns from PyTorch 2.x, written here), wrapping integer arithmetic, printing, indexing and
// joining, and the errors of ops that do not compute in 16-bit floats.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nabla/nabla.h"

using namespace nabla;

namespace {

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(DType, PromotionMatchesTorchResultType) {
  // torch.result_type(torch.zeros(1, dtype=a), torch.zeros(1, dtype=b)) for every pair.
  const DType order[] = {DType::Bool, DType::UInt8, DType::Int32, DType::Int64,
                         DType::Float16, DType::BFloat16, DType::Float32, DType::Float64};
  using enum DType;
  const DType expected[8][8] = {
      {Bool, UInt8, Int32, Int64, Float16, BFloat16, Float32, Float64},
      {UInt8, UInt8, Int32, Int64, Float16, BFloat16, Float32, Float64},
      {Int32, Int32, Int32, Int64, Float16, BFloat16, Float32, Float64},
      {Int64, Int64, Int64, Int64, Float16, BFloat16, Float32, Float64},
      {Float16, Float16, Float16, Float16, Float16, Float32, Float32, Float64},
      {BFloat16, BFloat16, BFloat16, BFloat16, Float32, BFloat16, Float32, Float64},
      {Float32, Float32, Float32, Float32, Float32, Float32, Float32, Float64},
      {Float64, Float64, Float64, Float64, Float64, Float64, Float64, Float64},
  };
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      EXPECT_EQ(promote(order[i], order[j]), expected[i][j]) << dtype_name(order[i]) << " with " << dtype_name(order[j]);
  // Through the ops too: uint8 + int32 is int32; uint8 · 0.5 is float32 (the scalar rule).
  EXPECT_EQ(add(ones({2}, UInt8), ones({2}, Int32)).dtype(), Int32);
  EXPECT_EQ(mul(ones({2}, UInt8), 0.5).dtype(), Float32);
  EXPECT_EQ(add(ones({2}, UInt8), 3.0).dtype(), UInt8);
  EXPECT_EQ(sum(ones({3}, UInt8)).dtype(), Int64);
}

TEST(DType, HalfConversionsRoundToNearestEven) {
  const std::vector<float> values{1.0f, 3.14159f, -2.5f, 65504.0f, 65520.0f, 1e-8f, 6e-8f, 3e-8f, 1e-5f, 3.0e38f,
                                  INFINITY, -INFINITY, NAN, 1.00390625f, 1.01171875f, -0.0f};
  // torch.tensor(values).to(torch.float16 / torch.bfloat16).view(torch.int16) & 0xffff.
  const std::vector<uint16_t> f16{0x3c00, 0x4248, 0xc100, 0x7bff, 0x7c00, 0x0000, 0x0001, 0x0001,
                                  0x00a8, 0x7c00, 0x7c00, 0xfc00, 0x7e00, 0x3c04, 0x3c0c, 0x8000};
  const std::vector<uint16_t> bf16{0x3f80, 0x4049, 0xc020, 0x4780, 0x4780, 0x322c, 0x3381, 0x3301,
                                   0x3728, 0x7f62, 0x7f80, 0xff80, 0x7fc0, 0x3f80, 0x3f82, 0x8000};
  const Tensor x = from_vector(values);
  const auto h = x.to(DType::Float16).to_vector<float16>();
  const auto b = x.to(DType::BFloat16).to_vector<bfloat16>();
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(h[i].bits, f16[i]) << "float16 of " << values[i];
    EXPECT_EQ(b[i].bits, bf16[i]) << "bfloat16 of " << values[i];
  }
  // Back to float is exact: every float16 (subnormals included) and bfloat16 round-trips.
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float hf = float16_bits_to_float(static_cast<uint16_t>(bits));
    const float bfv = bfloat16_bits_to_float(static_cast<uint16_t>(bits));
    if (!std::isnan(hf)) EXPECT_EQ(float_to_float16_bits(hf), bits);
    if (!std::isnan(bfv)) EXPECT_EQ(float_to_bfloat16_bits(bfv), bits);
  }
  EXPECT_EQ(float16_bits_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(float16_bits_to_float(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_TRUE(std::isnan(x.to(DType::BFloat16).to(DType::Float32).to_vector<float>()[12]));
  // float64 → float16 goes through float32, as PyTorch.
  EXPECT_EQ(tensor({65504.0}, DType::Float64).to(DType::Float16).item(), 65504.0);
}

TEST(DType, IntegerConversionsAndWrapping) {
  using enum DType;
  // torch.tensor([-1.0, 300.0, 2.7]).to(torch.uint8) = [255, 44, 2].
  EXPECT_EQ(tensor({-1.0, 300.0, 2.7}).to(UInt8).to_vector<uint8_t>(), (std::vector<uint8_t>{255, 44, 2}));
  EXPECT_EQ(add(tensor({200, 100, 255}, UInt8), tensor({100, 200, 1}, UInt8)).to_vector<uint8_t>(),
            (std::vector<uint8_t>{44, 44, 0}));
  EXPECT_EQ(sub(tensor({3}, UInt8), tensor({5}, UInt8)).to_vector<uint8_t>(), std::vector<uint8_t>{254});
  EXPECT_EQ(neg(tensor({1, 0}, UInt8)).to_vector<uint8_t>(), (std::vector<uint8_t>{255, 0}));
  EXPECT_EQ(mul(tensor({20}, UInt8), tensor({20}, UInt8)).to_vector<uint8_t>(), std::vector<uint8_t>{144});
  const Tensor big = from_vector(std::vector<int32_t>{std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()});
  EXPECT_EQ(add(big, from_vector(std::vector<int32_t>{1, -1})).to_vector<int32_t>(),
            (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}));
  EXPECT_EQ(sum(tensor({200, 200}, UInt8)).item(), 400.0);
  EXPECT_EQ(div(tensor({3}, Int32), tensor({2}, Int32)).dtype(), Float32);
}

TEST(DType, PrintingComparisonsIndexingJoining) {
  using enum DType;
  EXPECT_EQ(tensor({1, 2}, UInt8).to_string(), "tensor([1, 2], dtype=uint8)");
  EXPECT_EQ(tensor({1, 2}, Int32).to_string(), "tensor([1, 2], dtype=int32)");
  EXPECT_EQ(tensor({1.5, 2}, BFloat16).to_string(), "tensor([1.5000, 2.0000], dtype=bfloat16)");
  EXPECT_EQ(tensor({1.5, 2}, Float16).to_string(), "tensor([1.5000, 2.0000], dtype=float16)");

  const Tensor h = tensor({1.5, -2, 3}, BFloat16);
  EXPECT_EQ(gt(h, 0.0).to_vector<bool>(), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(eq(h, tensor({1.5, 2, 3}, Float16)).to_vector<bool>(), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(lt(tensor({1, 200}, UInt8), tensor({2, 100}, Int32)).to_vector<bool>(), (std::vector<bool>{true, false}));

  const Tensor idx = tensor({2, 0}, Int64);
  EXPECT_EQ(index_select(h, 0, idx).to(Float32).to_vector<float>(), (std::vector<float>{3, 1.5f}));
  EXPECT_EQ(gather(tensor({7, 8, 9}, UInt8), 0, idx).to_vector<uint8_t>(), (std::vector<uint8_t>{9, 7}));
  EXPECT_EQ(h.slice(0, 1, 3).contiguous().to(Float64).to_vector<double>(), (std::vector<double>{-2, 3}));
  EXPECT_EQ(masked_fill(h, tensor({1, 0, 0}, Bool), 0.25).to(Float32).to_vector<float>(), (std::vector<float>{0.25f, -2, 3}));
  EXPECT_EQ(where(tensor({1, 0}, Bool), tensor({1, 2}, Float16), tensor({3, 4}, Float16)).to(Float32).to_vector<float>(),
            (std::vector<float>{1, 4}));

  const Tensor c = cat({tensor({1, 2}, UInt8), tensor({3}, UInt8)});
  EXPECT_EQ(c.dtype(), UInt8);
  EXPECT_EQ(c.to_vector<uint8_t>(), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(cat({tensor({1}, UInt8), tensor({2}, Int32)}).dtype(), Int32);
  const Tensor s = stack({h, h});
  EXPECT_EQ(s.dtype(), BFloat16);
  EXPECT_EQ(s.shape(), (Shape{2, 3}));
  EXPECT_EQ(max(tensor({3, 250, 7}, UInt8)).item(), 250.0);
  EXPECT_EQ(sort(tensor({3, -1, 2}, Int32)).first.to_vector<int32_t>(), (std::vector<int32_t>{-1, 2, 3}));
}

TEST(DType, HalfArithmeticRaisesNamingOpAndDtype) {
  const Tensor h = ones({2}, DType::BFloat16);
  const std::string add_error = what_of([&] { add(h, h); });
  EXPECT_NE(add_error.find("add"), std::string::npos) << add_error;
  EXPECT_NE(add_error.find("bfloat16"), std::string::npos) << add_error;
  const std::string exp_error = what_of([&] { nabla::exp(ones({2}, DType::Float16)); });
  EXPECT_NE(exp_error.find("exp"), std::string::npos) << exp_error;
  EXPECT_NE(exp_error.find("float16"), std::string::npos) << exp_error;
  // Converting first works.
  EXPECT_EQ(add(h.to(DType::Float32), 1.0).to_vector<float>(), (std::vector<float>{2, 2}));
}
