// nn::init — weight initialisers (torch.nn.init). Values are drawn sequentially from one
// generator, so a seed gives the same weights whatever the thread count.
#include "nabla/nn/init.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla::nn::init {
namespace {

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

// Copies `values` (row-major, tensor's shape) into the tensor, converting to its dtype.
Tensor& assign(Tensor& tensor, const std::vector<double>& values) {
  NoGradGuard guard;
  tensor.copy_(from_vector<double>(values, tensor.shape()));
  return tensor;
}

// Inverse error function in double: Giles' single-precision polynomial ("Approximating the
// erfinv function", GPU Computing Gems, 2010) as a first guess, refined by two Newton steps on
// erf(x) − y = 0, whose derivative is 2/√π·e^(−x²).
double erfinv(double y) {
  if (y <= -1.0) return -INFINITY;
  if (y >= 1.0) return INFINITY;
  double w = -std::log((1.0 - y) * (1.0 + y)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
                     0.246640727, 1.50140941})
      p = c + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                     1.00167406, 2.83297682})
      p = c + p * w;
  }
  double x = p * y;
  for (int i = 0; i < 2; ++i) x -= (std::erf(x) - y) / (M_2_SQRTPI * std::exp(-x * x));
  return x;
}

double fan_for_mode(const Tensor& tensor, const std::string& mode, const char* op) {
  NABLA_CHECK(mode == "fan_in" || mode == "fan_out", op, ": mode '", mode,
              "' not supported, please use one of fan_in, fan_out");
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return static_cast<double>(mode == "fan_in" ? fan_in : fan_out);
}

// Householder QR of the m×n (m ≥ n) row-major matrix `a`: returns the thin Q (m×n, row-major)
// with each column multiplied by the sign of R's diagonal entry, so that R's diagonal is positive.
// H_k = I − 2·v·vᵀ (‖v‖ = 1) maps column k below the diagonal onto α·e_k with α = −sign(x₀)‖x‖
// (the sign avoiding cancellation in x₀ − α); Q = H₀·H₁·…·H_{n−1} applied to the first n columns of I.
std::vector<double> orthonormal_columns(std::vector<double> a, int64_t m, int64_t n) {
  std::vector<std::vector<double>> vs(static_cast<size_t>(n));
  std::vector<double> r_diag(static_cast<size_t>(n), 0.0);
  for (int64_t k = 0; k < n; ++k) {
    std::vector<double> v(static_cast<size_t>(m - k));
    double norm2 = 0;
    for (int64_t i = k; i < m; ++i) {
      v[i - k] = a[i * n + k];
      norm2 += v[i - k] * v[i - k];
    }
    const double norm = std::sqrt(norm2);
    const double alpha = v[0] >= 0 ? -norm : norm;
    r_diag[k] = alpha;
    v[0] -= alpha;
    double vnorm2 = 0;
    for (double e : v) vnorm2 += e * e;
    if (vnorm2 > 0) {
      const double inv = 1.0 / std::sqrt(vnorm2);
      for (double& e : v) e *= inv;
      for (int64_t j = k; j < n; ++j) {  // A[k:, j] −= 2·v·(vᵀ·A[k:, j])
        double dot = 0;
        for (int64_t i = k; i < m; ++i) dot += v[i - k] * a[i * n + j];
        for (int64_t i = k; i < m; ++i) a[i * n + j] -= 2.0 * dot * v[i - k];
      }
    } else {
      std::fill(v.begin(), v.end(), 0.0);
    }
    vs[k] = std::move(v);
  }
  std::vector<double> q(static_cast<size_t>(m * n), 0.0);
  for (int64_t j = 0; j < n; ++j) q[j * n + j] = 1.0;
  for (int64_t k = n - 1; k >= 0; --k) {
    const auto& v = vs[k];
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t i = k; i < m; ++i) dot += v[i - k] * q[i * n + j];
      for (int64_t i = k; i < m; ++i) q[i * n + j] -= 2.0 * dot * v[i - k];
    }
  }
  for (int64_t j = 0; j < n; ++j)
    if (r_diag[j] < 0)
      for (int64_t i = 0; i < m; ++i) q[i * n + j] = -q[i * n + j];
  return q;
}

}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  static const char* kLinear[] = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                                  "conv_transpose3d", "sigmoid"};
  for (const char* name : kLinear)
    if (nonlinearity == name) return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4.0;
  throw Error(str_cat("calculate_gain: unsupported nonlinearity '", nonlinearity,
                      "' (expected linear, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, "
                      "conv_transpose3d, sigmoid, tanh, relu, leaky_relu or selu)"));
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  NABLA_CHECK(tensor.dim() >= 2, "calculate_fan_in_and_fan_out: fan in and fan out can not be computed for a tensor "
              "with fewer than 2 dimensions (got shape ", tensor.shape(), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.size(d);
  return {tensor.size(1) * receptive, tensor.size(0) * receptive};
}

Tensor& constant_(Tensor& tensor, double value) {
  NoGradGuard guard;
  tensor.fill_(value);
  return tensor;
}
Tensor& zeros_(Tensor& tensor) { return constant_(tensor, 0.0); }
Tensor& ones_(Tensor& tensor) { return constant_(tensor, 1.0); }

Tensor& eye_(Tensor& tensor) {
  NABLA_CHECK(tensor.dim() == 2, "eye_: only tensors with 2 dimensions are supported, got shape ", tensor.shape());
  NoGradGuard guard;
  tensor.copy_(eye(tensor.size(0), tensor.size(1), tensor.dtype()));
  return tensor;
}

Tensor& uniform_(Tensor& tensor, double a, double b, Generator* gen) { return nabla::uniform_(tensor, a, b, gen); }

Tensor& normal_(Tensor& tensor, double mean, double std, Generator* gen) {
  NABLA_CHECK(std >= 0, "normal_: std must be non-negative, got ", std);
  return nabla::normal_(tensor, mean, std, gen);
}

Tensor& trunc_normal_(Tensor& tensor, double mean, double std, double a, double b, Generator* gen) {
  NABLA_CHECK(std > 0, "trunc_normal_: std must be positive, got ", std);
  NABLA_CHECK(a < b, "trunc_normal_: expected a < b, got a=", a, " b=", b);
  // X = mean + std·Φ⁻¹(U) with U uniform on [Φ(α), Φ(β)], α = (a − mean)/std, β = (b − mean)/std;
  // Φ⁻¹(u) = √2·erfinv(2u − 1). The final clamp guards against rounding just outside [a, b].
  auto cdf = [](double x) { return 0.5 * (1.0 + std::erf(x / M_SQRT2)); };
  const double lo = 2.0 * cdf((a - mean) / std) - 1.0, hi = 2.0 * cdf((b - mean) / std) - 1.0;
  Generator& g = pick(gen);
  std::vector<double> values(static_cast<size_t>(tensor.numel()));
  for (double& v : values) {
    const double u = lo + (hi - lo) * g.next_double();
    v = std::clamp(mean + std * M_SQRT2 * erfinv(u), a, b);
  }
  return assign(tensor, values);
}

Tensor& xavier_uniform_(Tensor& tensor, double gain, Generator* gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return nabla::uniform_(tensor, -bound, bound, gen);
}

Tensor& xavier_normal_(Tensor& tensor, double gain, Generator* gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return nabla::normal_(tensor, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), gen);
}

Tensor& kaiming_uniform_(Tensor& tensor, double a, const std::string& mode, const std::string& nonlinearity,
                         Generator* gen) {
  if (tensor.numel() == 0) return tensor;  // PyTorch warns and leaves an empty tensor alone
  const double fan = fan_for_mode(tensor, mode, "kaiming_uniform_");
  const double bound = calculate_gain(nonlinearity, a) * std::sqrt(3.0 / fan);
  return nabla::uniform_(tensor, -bound, bound, gen);
}

Tensor& kaiming_normal_(Tensor& tensor, double a, const std::string& mode, const std::string& nonlinearity,
                        Generator* gen) {
  if (tensor.numel() == 0) return tensor;
  const double fan = fan_for_mode(tensor, mode, "kaiming_normal_");
  return nabla::normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(fan), gen);
}

Tensor& orthogonal_(Tensor& tensor, double gain, Generator* gen) {
  NABLA_CHECK(tensor.dim() >= 2, "orthogonal_: only tensors with 2 or more dimensions are supported, got shape ",
              tensor.shape());
  if (tensor.numel() == 0) return tensor;
  const int64_t rows = tensor.size(0), cols = tensor.numel() / rows;
  Generator& g = pick(gen);
  std::vector<double> flat(static_cast<size_t>(rows * cols));
  for (double& v : flat) v = g.next_normal();
  // Orthonormalise the columns of the tall orientation (m ≥ n); wide matrices go through Aᵀ.
  const bool wide = rows < cols;
  const int64_t m = wide ? cols : rows, n = wide ? rows : cols;
  std::vector<double> tall(flat.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) (wide ? tall[j * rows + i] : tall[i * cols + j]) = flat[i * cols + j];
  const std::vector<double> q = orthonormal_columns(std::move(tall), m, n);
  std::vector<double> out(flat.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) out[i * cols + j] = gain * (wide ? q[j * rows + i] : q[i * cols + j]);
  return assign(tensor, out);
}

}  // namespace nabla::nn::init
