#include <gtest/gtest.h>

#include "nabla/nabla.h"

using namespace nabla;

TEST(Anomaly, NamesTheOpThatProducedNaN) {
  Tensor x = tensor({-1.0, 4.0}).requires_grad_();
  Tensor ok = log(x);  // NaN at -1, but detection is off
  EXPECT_TRUE(isnan(ok).to(DType::Int64).sum().item() == 1);
  autograd::DetectAnomalyGuard guard;
  try {
    Tensor y = sqrt(x) * 2.0;
    FAIL() << "expected an anomaly error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("op sqrt"), std::string::npos) << e.what();
  }
}

TEST(Anomaly, NamesTheBackwardThatProducedInf) {
  Tensor x = tensor({0.0, 1.0}).requires_grad_();
  Tensor y = sqrt(x).sum();  // forward is finite; d sqrt/dx at 0 is inf
  autograd::DetectAnomalyGuard guard;
  try {
    y.backward();
    FAIL() << "expected an anomaly error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("backward of op sqrt"), std::string::npos) << e.what();
  }
}

TEST(Anomaly, OffByDefaultAndRestoredByGuard) {
  EXPECT_FALSE(autograd::anomaly_enabled());
  {
    autograd::DetectAnomalyGuard guard;
    EXPECT_TRUE(autograd::anomaly_enabled());
  }
  EXPECT_FALSE(autograd::anomaly_enabled());
}
