// nn::Embedding: lookup values, output shape, padding_idx (zero row, zero gradient), gradient
// accumulation over repeated indices, N(0, 1) init, from_pretrained, printing and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/nn/embedding.h"
#include "nabla/nn/functional/embedding.h"

using namespace nabla;

TEST(Embedding, LookupAndGradient) {
  nn::Embedding emb(4, 2, 1);
  EXPECT_EQ(emb.weight.select(0, 1).to_vector<float>(), (std::vector<float>{0, 0}));  // padding row starts at 0
  {
    NoGradGuard g;
    emb.weight.copy_(from_vector<float>({0, 1, 10, 11, 20, 21, 30, 31}, Shape{4, 2}));
  }
  Tensor idx = from_vector<int64_t>({3, 1, 3, 0, 2, 3}, Shape{2, 3});
  Tensor y = emb.forward(idx);
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{30, 31, 10, 11, 30, 31, 0, 1, 20, 21, 30, 31}));
  Tensor gy = arange(0, 12, 1, DType::Float32).reshape({2, 3, 2});
  y.backward(gy);
  // Row 3 is used at positions 0, 2, 5: (0+4+10, 1+5+11); row 1 is padding: no gradient.
  EXPECT_EQ(emb.weight.grad().to_vector<float>(), (std::vector<float>{6, 7, 0, 0, 8, 9, 14, 17}));
}

TEST(Embedding, NegativePaddingIdxAndInit) {
  manual_seed(3);
  nn::Embedding emb(300, 100, -1);
  EXPECT_EQ(emb.padding_idx, 299);
  EXPECT_EQ(emb.weight.select(0, 299).abs().sum().item(), 0.0);
  // N(0, 1) elsewhere.
  Tensor rest = emb.weight.narrow(0, 0, 299);
  EXPECT_NEAR(rest.mean().item(), 0.0, 0.02);
  EXPECT_NEAR(nabla::std(rest).item(), 1.0, 0.02);
  EXPECT_EQ(emb.to_string(), "Embedding(300, 100, padding_idx=299)");
  EXPECT_EQ(nn::Embedding(10, 3).to_string(), "Embedding(10, 3)");
}

TEST(Embedding, FromPretrained) {
  Tensor w = from_vector<float>({1, 2, 3, 4}, Shape{2, 2});
  auto frozen = nn::Embedding::from_pretrained(w);
  EXPECT_FALSE(frozen->weight.requires_grad());
  EXPECT_EQ(frozen->forward(from_vector<int64_t>({1})).to_vector<float>(), (std::vector<float>{3, 4}));
  EXPECT_EQ(frozen->parameters()[0].to_vector<float>(), w.to_vector<float>());
  auto trainable = nn::Embedding::from_pretrained(w, false);
  EXPECT_TRUE(trainable->weight.requires_grad());
}

TEST(Embedding, Errors) {
  nn::Embedding emb(5, 3);
  try {
    emb.forward(from_vector<int64_t>({1, 7, 2}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index 7"), std::string::npos) << e.what();
  }
  EXPECT_THROW(emb.forward(from_vector<int64_t>({-1})), Error);
  EXPECT_THROW(emb.forward(ones({2})), Error);  // float indices
  EXPECT_THROW(nn::Embedding(5, 3, 5), Error);
  EXPECT_THROW(nn::Embedding(5, 3, -6), Error);
}
