// classic::svd / PCA / TruncatedSVD: a decomposition known by hand, orthogonality and
// reconstruction, sklearn's numbers (PCA svd_solver="full", TruncatedSVD "arpack") on a fixed
// 5 × 3 matrix, whitening, and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/classic/decomposition.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;

namespace {

void expect_near(const Tensor& t, const std::vector<double>& want, double tol, const char* what) {
  const std::vector<double> got = t.contiguous().to_vector<double>();
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << what << " [" << i << "]";
}

// The data of the sklearn comparison (values printed by sklearn 1.2.1).
Tensor small_data(DType dtype) {
  return tensor({{2, 0, 1}, {1, 3, -1}, {4, 1, 0}, {0, 2, 2}, {3, -1, 1}}, dtype);
}

}  // namespace

TEST(SVD, KnownDecompositionAndSignConvention) {
  // A = [[3, 0], [0, −2], [0, 0]]: S = (3, 2); LAPACK may return either sign of each pair, and
  // svd_flip makes the largest entry of each column of U positive: U = [e1, e2], Vh = [[1, 0], [0, −1]].
  const SVDResult r = svd(tensor({{3, 0}, {0, -2}, {0, 0}}, DType::Float64));
  expect_near(r.S, {3, 2}, 1e-12, "S");
  expect_near(r.U, {1, 0, 0, 1, 0, 0}, 1e-12, "U");
  expect_near(r.Vh, {1, 0, 0, -1}, 1e-12, "Vh");
}

TEST(SVD, OrthogonalFactorsReconstructTheMatrix) {
  Generator gen(1);
  for (const Shape& shape : {Shape{7, 4}, Shape{4, 7}})
    for (DType dtype : {DType::Float32, DType::Float64}) {
      const Tensor a = randn(shape, dtype, &gen);
      const SVDResult r = svd(a);
      const int64_t k = std::min(shape[0], shape[1]);
      const double tol = dtype == DType::Float32 ? 1e-5 : 1e-12;
      EXPECT_EQ(r.U.shape(), (Shape{shape[0], k}));
      EXPECT_EQ(r.Vh.shape(), (Shape{k, shape[1]}));
      EXPECT_TRUE(allclose(matmul(r.U.t(), r.U), eye(k, std::nullopt, dtype), 0, tol * 10));
      EXPECT_TRUE(allclose(matmul(r.Vh, r.Vh.t()), eye(k, std::nullopt, dtype), 0, tol * 10));
      EXPECT_TRUE(allclose(matmul(r.U * r.S, r.Vh), a, 0, tol * 10));
      const std::vector<double> s = r.S.to_vector<double>();
      for (int64_t i = 1; i < k; ++i) EXPECT_GE(s[i - 1], s[i]);
      // svd_flip: the largest-magnitude entry of each column of U is positive.
      const Tensor idx = argmax(abs(r.U), 0);
      const std::vector<int64_t> rows = idx.to_vector<int64_t>();
      for (int64_t j = 0; j < k; ++j) EXPECT_GT(r.U[rows[j]][j].item(), 0);
    }
  const SVDResult t = truncated_svd(randn({6, 5}, DType::Float64, &gen), 2);
  EXPECT_EQ(t.U.shape(), (Shape{6, 2}));
  EXPECT_EQ(t.Vh.shape(), (Shape{2, 5}));
}

TEST(PCA, MatchesScikitLearn) {
  PCA pca;
  const Tensor z = pca.fit_transform(small_data(DType::Float64));
  expect_near(pca.components(),
              {-0.6902160164, 0.720027296, -0.0718508434, -0.5059089425, -0.4091873642, 0.7593562029, 0.5173567363,
               0.5604697976, 0.6466959203},
              1e-9, "components");
  expect_near(pca.explained_variance(), {4.0127373133, 2.0372626867, 0.25}, 1e-9, "explained_variance");
  expect_near(pca.explained_variance_ratio(), {0.6369424307, 0.3233750296, 0.0396825397}, 1e-9, "ratio");
  expect_near(pca.singular_values(), {4.0063635947, 2.8546542255, 1.0}, 1e-9, "singular_values");
  expect_near(z.narrow(0, 0, 2), {-0.7487676333, 0.7129298453, -0.3017914295, 2.2452319578, -1.5274357106, -0.4311306136},
              1e-9, "transform");
  // All components: the inverse reconstructs the data exactly.
  EXPECT_TRUE(allclose(pca.inverse_transform(z), small_data(DType::Float64), 0, 1e-12));
}

TEST(PCA, TruncationWhiteningAndFloat32) {
  Generator gen(2);
  // Correlated data: x = g A with A (3, 6) of rank 3, plus small noise.
  const Tensor x = matmul(randn({200, 3}, DType::Float64, &gen), randn({3, 6}, DType::Float64, &gen)) +
                   randn({200, 6}, DType::Float64, &gen) * 1e-3;
  PCA pca({.n_components = 3});
  const Tensor z = pca.fit_transform(x);
  EXPECT_EQ(z.shape(), (Shape{200, 3}));
  EXPECT_GT(pca.explained_variance_ratio().sum().item(), 0.9999);
  EXPECT_TRUE(allclose(pca.inverse_transform(z), x, 0, 1e-2));
  EXPECT_TRUE(allclose(matmul(pca.components(), pca.components().t()), eye(3, std::nullopt, DType::Float64), 0, 1e-12));
  PCA white({.n_components = 3, .whiten = true});
  const Tensor zw = white.fit_transform(x);
  expect_near(var(zw, {0}), {1, 1, 1}, 1e-9, "whitened variance");
  EXPECT_TRUE(allclose(white.inverse_transform(zw), x, 0, 1e-2));
  PCA single;
  const Tensor z32 = single.fit_transform(x.to(DType::Float32));
  EXPECT_EQ(z32.dtype(), DType::Float32);
  EXPECT_TRUE(allclose(single.explained_variance_ratio().to(DType::Float64),
                       PCA().fit(x).explained_variance_ratio(), 0, 1e-4));
}

TEST(TruncatedSVD, MatchesScikitLearn) {
  TruncatedSVD t(2);
  const Tensor z = t.fit_transform(small_data(DType::Float64));
  EXPECT_EQ(z.shape(), (Shape{5, 2}));
  expect_near(t.components(), {0.9603039252, 0.2312153553, 0.1560635467, -0.2138800889, 0.9694366432, -0.1201994279},
              1e-9, "components");
  expect_near(t.singular_values(), {5.6225573706, 3.757327204}, 1e-9, "singular_values");
  expect_near(t.explained_variance_ratio(), {0.2540741419, 0.5164718149}, 1e-9, "ratio");
  EXPECT_EQ(t.inverse_transform(z).shape(), (Shape{5, 3}));
}

TEST(PCA, ErrorsNameTheProblem) {
  EXPECT_THROW(PCA({.n_components = -1}), Error);
  try {
    PCA({.n_components = 4}).fit(small_data(DType::Float32));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("n_components = 4 exceeds"), std::string::npos) << e.what();
  }
  EXPECT_THROW(PCA().transform(small_data(DType::Float32)), Error);
  PCA pca;
  pca.fit(small_data(DType::Float32));
  EXPECT_THROW(pca.transform(zeros({2, 4})), Error);
  EXPECT_THROW(PCA().fit(zeros({1, 3})), Error);
  EXPECT_THROW(svd(full({2, 2}, NAN)), Error);
  EXPECT_THROW(svd(zeros({2, 2}, DType::Int64)), Error);
  EXPECT_THROW(truncated_svd(zeros({3, 2}), 3), Error);
  EXPECT_THROW(TruncatedSVD(4).fit(small_data(DType::Float32)), Error);
}
