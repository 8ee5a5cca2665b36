#pragma once
// Cross-entropy kernels: fused softmax cross-entropy over (N, C) rows, negative log-likelihood
// over (N, C, D) class-major blocks, and the elementwise binary cross-entropies. All arrays are
// contiguous row-major; broadcasting and dtype checks happen in the callers (nn/functional/loss.cpp).
#include <cstdint>

namespace nabla::cpu {

/// Fused log_softmax + pick for logits x (N, C), int64 targets (N), optional class weights w (C)
/// (null: all ones) and label smoothing ε. For a row n with t = target[n] ≠ ignore_index:
///   lse_n  = log Σ_c e^(x_nc)
///   loss_n = (1 − ε)·w_t·(lse_n − x_nt) + (ε/C)·Σ_c w_c·(lse_n − x_nc)
///   row_weight_n = w_t
/// An ignored row gets loss 0 and row_weight 0. Targets must already be validated.
template <class T>
void softmax_cross_entropy_forward(const T* x, const int64_t* target, const T* weight, int64_t N, int64_t C,
                                   int64_t ignore_index, double label_smoothing, T* loss, T* lse, T* row_weight);

/// Gradient of the rows above: with p = e^(x − lse), s_n = g[n·g_stride]·factor and
/// A_n = (1 − ε)·w_t + (ε/C)·Σ_c w_c,
///   dx_nc = s_n·(p_nc·A_n − (1 − ε)·w_t·[c = t] − (ε/C)·w_c)        (0 for ignored rows).
/// g_stride is 0 when the output gradient is one scalar (mean/sum), 1 for reduction none.
template <class T>
void softmax_cross_entropy_backward(const T* x, const int64_t* target, const T* weight, const T* lse, const T* g,
                                    int64_t g_stride, T factor, int64_t N, int64_t C, int64_t ignore_index,
                                    double label_smoothing, T* dx);

/// Negative log-likelihood for log-probabilities x (N, C, D) (D = product of trailing dims, 1 for
/// (N, C) input) and targets (N, D): out[n, d] = −w_t·x[n, t, d] with t = target[n, d];
/// row_weight[n, d] = w_t. Ignored positions give 0 in both.
template <class T>
void nll_forward(const T* x, const int64_t* target, const T* weight, int64_t N, int64_t C, int64_t D,
                 int64_t ignore_index, T* out, T* row_weight);

/// dx (N, C, D), which the caller zero-fills: dx[n, t, d] = −w_t·g[(n·D + d)·g_stride]·factor.
template <class T>
void nll_backward(const int64_t* target, const T* weight, const T* g, int64_t g_stride, T factor, int64_t N,
                  int64_t C, int64_t D, int64_t ignore_index, T* dx);

/// Binary cross-entropy of probabilities x and targets y (both n): each log is clamped to ≥ −100
/// as in PyTorch, loss = −(y·log x + (1 − y)·log(1 − x)).
template <class T>
void binary_cross_entropy_forward(const T* x, const T* y, T* loss, int64_t n);

/// dx = g·(x − y)/max(x(1 − x), 1e−12) (PyTorch's guard); dy = g·(log(1 − x) − log x) with the
/// clamped logs. dx or dy may be null when not needed.
template <class T>
void binary_cross_entropy_backward(const T* g, const T* x, const T* y, T* dx, T* dy, int64_t n);

/// Binary cross-entropy on logits x with targets y and optional pos_weight pw (all n):
///   loss = (1 − y)·x + l·softplus(−x),  l = 1 + (pw − 1)·y  (l = 1 without pw),
/// softplus(−x) = max(−x, 0) + log1p(e^(−|x|)) (stable for large |x|).
template <class T>
void bce_with_logits_forward(const T* x, const T* y, const T* pw, T* loss, int64_t n);

/// Derivatives of the loss above, each optional (null pointer: skip):
///   dx  = g·(l·σ(x) − pw·y)
///   dy  = g·(−x + (pw − 1)·softplus(−x))
///   dpw = g·y·softplus(−x)
template <class T>
void bce_with_logits_backward(const T* g, const T* x, const T* y, const T* pw, T* dx, T* dy, T* dpw, int64_t n);

}  // namespace nabla::cpu
