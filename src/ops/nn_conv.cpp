// Convolution kernels at tensor level (ops/nn_kernels.h); the backend setting is nabla/ops/backend.h.
#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>
#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "kernels/cpu/batch_norm_blocked.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_dnnl.h"
#include "kernels/cpu/reduce.h"
#include "nabla/ops/backend.h"
#include "ops/batch_norm_math.h"
#include "ops/device_dispatch.h"
#include "ops/nn_kernels.h"

namespace nabla {
namespace {

Shape with_spatial(int64_t n, int64_t c, const std::array<int64_t, 3>& s, int64_t spatial) {
  Shape out{n, c};
  for (int64_t d = 3 - spatial; d < 3; ++d) out.push_back(s[d]);
  return out;
}

// ---- converted weights kept for inference (ops::set_conv_weight_cache) -----------------------
// One entry per weight tensor, by its data pointer. An entry is valid while the storage it was made
// from is alive (the weak pointer; a new storage at the same address does not match) and its
// version is unchanged. Entries of freed storages are dropped whenever a new entry is added.
struct PackedWeightEntry {
  std::weak_ptr<Storage> storage;
  uint64_t version = 0;
  cpu::ConvBlockedPtr packed;
};

std::mutex g_packed_mutex;
std::unordered_map<const void*, PackedWeightEntry> g_packed;

// The kept conversion of w (float32, keyed by its data pointer), or null when there is none for
// w's current contents.
cpu::ConvBlockedPtr find_packed(const Tensor& w) {
  std::lock_guard<std::mutex> lock(g_packed_mutex);
  auto it = g_packed.find(w.data_ptr<float>());
  if (it == g_packed.end()) return nullptr;
  const std::shared_ptr<Storage> kept = it->second.storage.lock();
  if (!kept || kept != w.impl().storage || it->second.version != kept->version()) return nullptr;
  return it->second.packed;
}

void keep_packed(const Tensor& w, cpu::ConvBlockedPtr packed) {
  std::lock_guard<std::mutex> lock(g_packed_mutex);
  const void* key = w.data_ptr<float>();
  if (!g_packed.count(key))
    std::erase_if(g_packed, [](const auto& entry) { return entry.second.storage.expired(); });
  const auto& storage = w.impl().storage;
  g_packed[key] = PackedWeightEntry{storage, storage->version(), std::move(packed)};
}

// ---- BatchNorm folded into convolutions for inference (ops::conv_batch_norm_forward) ---------
// One entry per convolution weight tensor (by data pointer): the folded weights and bias made from
// the six source tensors (weight, bias, running mean and variance, BatchNorm's weight and bias),
// valid while each source's storage is alive and unwritten and eps is the same.
struct FoldedEntry {
  std::vector<std::weak_ptr<Storage>> sources;
  std::vector<uint64_t> versions;
  double eps = 0;
  Tensor w, b;
  cpu::ConvBlockedPtr packed;
  bool finite = false;  // the weights and bias the link runs on hold no NaN or infinity
};

// Entries are immutable once stored (a call that converts the weights stores a new one), so a call
// holds them by reference count instead of copying.
std::unordered_map<const void*, std::shared_ptr<const FoldedEntry>> g_folded;  // guarded by g_packed_mutex

std::vector<const Tensor*> fold_sources(const Tensor& w, const Tensor& b, const ops::BatchNormFold& bn) {
  return {&w, &b, &bn.running_mean, &bn.running_var, &bn.weight, &bn.bias};
}

// Whether `e` was made from the storages `sources` hold now, unwritten since, with this eps. The
// storages are compared by owner (no reference counts touched): a storage alive in `sources`
// shares its owner only with weak pointers made from it, never with an earlier storage's.
bool fold_is_current(const FoldedEntry& e, const std::vector<const Tensor*>& sources, double eps) {
  if (e.eps != eps) return false;
  static const std::shared_ptr<Storage> none;
  for (size_t i = 0; i < sources.size(); ++i) {
    const std::shared_ptr<Storage>& now = sources[i]->defined() ? sources[i]->impl().storage : none;
    const std::weak_ptr<Storage>& kept = e.sources[i];
    if (kept.owner_before(now) || now.owner_before(kept)) return false;
    if (now && e.versions[i] != now->version()) return false;
  }
  return true;
}

// w' = w·s[k] and b' = (b − mean)·s + β with s = γ / √(var + ε), per output channel k (in double,
// then rounded to T): then conv(x, w') + b' = batch_norm(conv(x, w) + b) with running statistics.
template <class T>
std::pair<Tensor, Tensor> fold_batch_norm(const Tensor& w, const Tensor& b, const ops::BatchNormFold& bn) {
  const int64_t K = w.size(0), per = w.numel() / std::max<int64_t>(K, 1);
  const Tensor mean = bn.running_mean.contiguous(), var = bn.running_var.contiguous();
  const Tensor gamma = bn.weight.defined() ? bn.weight.contiguous() : Tensor();
  const Tensor beta = bn.bias.defined() ? bn.bias.contiguous() : Tensor();
  const Tensor bias = b.defined() ? b.contiguous() : Tensor();
  Tensor wf = empty(w.shape(), w.dtype()), bf = empty({K}, w.dtype());
  const T* src = w.data_ptr<T>();
  T* dst = wf.data_ptr<T>();
  for (int64_t k = 0; k < K; ++k) {
    const double g = gamma.defined() ? double(gamma.data_ptr<T>()[k]) : 1.0;
    const double s = g / std::sqrt(double(var.data_ptr<T>()[k]) + bn.eps);
    for (int64_t i = 0; i < per; ++i) dst[k * per + i] = static_cast<T>(double(src[k * per + i]) * s);
    const double b0 = bias.defined() ? double(bias.data_ptr<T>()[k]) : 0.0;
    const double shift = beta.defined() ? double(beta.data_ptr<T>()[k]) : 0.0;
    bf.data_ptr<T>()[k] = static_cast<T>((b0 - double(mean.data_ptr<T>()[k])) * s + shift);
  }
  return {wf, bf};
}

}  // namespace

namespace ops {

void clear_conv_weight_cache() {
  std::lock_guard<std::mutex> lock(g_packed_mutex);
  g_packed.clear();
  g_folded.clear();
}

size_t conv_weight_cache_entries() {
  std::lock_guard<std::mutex> lock(g_packed_mutex);
  return g_packed.size() + g_folded.size();
}

Tensor conv_batch_norm_chain(const Tensor& x, const std::vector<ConvBatchNormLink>& links, const Tensor& residual,
                             int64_t spatial) {
  NABLA_CHECK(!links.empty(), "conv_batch_norm_chain: no convolutions given");
  for (size_t i = 0; i < links.size(); ++i)
    NABLA_CHECK(links[i].src < static_cast<int>(i + 1) && links[i].add < static_cast<int>(i + 1),
                "conv_batch_norm_chain: link ", i, " reads a value not computed before it (src ", links[i].src,
                ", add ", links[i].add, ")");
  NABLA_CHECK(!residual.defined() || links.back().add < 0,
              "conv_batch_norm_chain: the last link adds both a chain value and the residual");
  const ConvGeometry& last = links.back().g;
  Tensor y = empty(with_spatial(last.batch, last.out_channels, last.out, spatial), x.dtype());
  const Tensor res = residual.defined() ? residual.contiguous() : Tensor();
  if (res.defined())
    NABLA_CHECK(res.shape() == y.shape() && res.dtype() == y.dtype(), "conv_batch_norm_chain: residual of shape ",
                res.shape(), " and dtype ", dtype_name(res.dtype()), " does not match the output's ", y.shape(), " ",
                dtype_name(y.dtype()));
  dispatch_device(x, "conv", [&] {
    load_backend_environment();
    dispatch_floating(x.dtype(), "conv", [&]<class T>() {
      const bool cache = conv_weight_cache();
      std::vector<std::shared_ptr<const FoldedEntry>> entries(links.size());
      std::vector<bool> fresh(links.size());
      std::vector<cpu::ConvBlockedPtr> packed(links.size());  // the kept conversions, replaced by the chain as needed
      std::vector<cpu::ConvChainStep<T>> steps(links.size());
      for (size_t i = 0; i < links.size(); ++i) {
        const ConvBatchNormLink& l = links[i];
        const std::vector<const Tensor*> sources = fold_sources(l.w, l.b, l.bn);
        std::shared_ptr<const FoldedEntry>& e = entries[i];
        if (cache) {
          std::lock_guard<std::mutex> lock(g_packed_mutex);
          auto it = g_folded.find(l.w.data_ptr<T>());
          if (it != g_folded.end() && fold_is_current(*it->second, sources, l.bn.eps)) e = it->second;
        }
        fresh[i] = !e;
        // Without a BatchNorm (no running mean) the link's own weights and bias are used: the entry
        // keeps only their conversion (holding w itself would keep it alive after its module).
        const bool folds = l.bn.running_mean.defined();
        if (fresh[i]) {
          auto made = std::make_shared<FoldedEntry>();
          if (folds) std::tie(made->w, made->b) = fold_batch_norm<T>(l.w, l.b, l.bn);
          made->eps = l.bn.eps;
          for (const Tensor* t : sources) {
            made->sources.push_back(t->defined() ? t->impl().storage : nullptr);
            made->versions.push_back(t->defined() ? t->impl().storage->version() : 0);
          }
          const Tensor& wt = folds ? made->w : l.w;
          const Tensor& bt = folds ? made->b : l.b;
          made->finite = cpu::all_finite(wt.data_ptr<T>(), wt.numel()) &&
                         (!bt.defined() || cpu::all_finite(bt.data_ptr<T>(), l.g.out_channels));
          e = std::move(made);
        }
        packed[i] = e->packed;
        const T* w = folds ? e->w.data_ptr<T>() : l.w.data_ptr<T>();
        const T* b = folds ? e->b.data_ptr<T>() : l.b.defined() ? l.b.data_ptr<T>() : nullptr;
        steps[i] = {l.g, w, b, l.act, cache ? &packed[i] : nullptr, l.src, l.add, e->finite};
      }
      cpu::conv_forward_chain<T>(x.data_ptr<T>(), steps, res.defined() ? res.data_ptr<T>() : nullptr, y.data_ptr<T>());
      if (!cache) return;
      std::lock_guard<std::mutex> lock(g_packed_mutex);
      for (size_t i = 0; i < links.size(); ++i) {
        if (!fresh[i] && packed[i] == entries[i]->packed) continue;
        auto updated = std::make_shared<FoldedEntry>(*entries[i]);
        updated->packed = std::move(packed[i]);
        const void* key = links[i].w.data_ptr<T>();
        if (!g_folded.count(key))
          std::erase_if(g_folded, [](const auto& e) { return e.second->sources[0].expired(); });
        g_folded[key] = std::move(updated);
      }
    });
  });
  return y;
}

Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeometry& g, int64_t spatial,
                    bool reuse_packed_weights, ConvSavedInput* save_input) {
  Tensor y = empty(with_spatial(g.batch, g.out_channels, g.out, spatial), x.dtype());
  dispatch_device(x, "conv", [&] {
    load_backend_environment();
    dispatch_floating(x.dtype(), "conv", [&]<class T>() {
      const T* bias = b.defined() ? b.data_ptr<T>() : nullptr;
      if constexpr (std::is_same_v<T, float>) {
        if (reuse_packed_weights && conv_weight_cache()) {
          cpu::ConvBlockedPtr packed = find_packed(w);
          const cpu::ConvBlocked* before = packed.get();
          cpu::conv_forward<T>(x.data_ptr<T>(), w.data_ptr<T>(), bias, y.data_ptr<T>(), g, &packed);
          if (packed && packed.get() != before) keep_packed(w, std::move(packed));
          return;
        }
      }
      const bool keep = save_input && conv_keep_input();
      cpu::ConvBlockedPtr kept_x;
      cpu::conv_forward<T>(x.data_ptr<T>(), w.data_ptr<T>(), bias, y.data_ptr<T>(), g, nullptr,
                           keep ? &kept_x : nullptr);
      if (save_input) *save_input = std::move(kept_x);
    });
  });
  return y;
}

// ---- convolution → BatchNorm (→ activation) in training, the convolution's output blocked ----------
// The forward keeps conv(x, w) in oneDNN's channel-blocked layout (N, K/B, S, B), B = 16 with
// AVX-512 and 8 with AVX2 (conv_out's shape, which tells the backward its B), and runs
// BatchNorm's passes on it there, writing the plain output; the backward converts the output
// gradient to the blocked layout inside BatchNorm's first pass and hands the input gradient of
// the convolution to oneDNN in that layout. The arithmetic is batch_norm_forward/backward's
// (ops/batch_norm_math.h) with the blocked kernels (kernels/cpu/batch_norm_blocked.h).

std::optional<ConvBatchNormTrain> conv_batch_norm_train_forward(const Tensor& x, const Tensor& w, const ConvGeometry& g,
                                                                int64_t spatial, const Tensor& weight,
                                                                const Tensor& bias, const Tensor& running_mean,
                                                                const Tensor& running_var, double momentum, double eps,
                                                                FusedActivation act, bool keep_x) {
  const int64_t N = g.batch, K = g.out_channels, S = g.out[0] * g.out[1] * g.out[2];
  if (x.dtype() != DType::Float32 || N * S < 2) return std::nullopt;
  ConvBatchNormTrain f;
  const bool ran = dispatch_device(x, "conv_batch_norm", [&] {
    load_backend_environment();
    if (cpu::conv_own_winograd(g)) return false;  // unfused: conv, then BatchNorm on the plain layout
    const int64_t kB = cpu::conv_dnnl_output_block(g);
    if (kB == 0) return false;
    f.conv_out = empty({N, K / kB, S, kB}, DType::Float32);
    cpu::ConvBlockedPtr kept;
    const bool ok = cpu::conv_dnnl_forward_blocked(x.data_ptr<float>(), w.data_ptr<float>(),
                                                   f.conv_out.data_ptr<float>(), g, kB,
                                                   keep_x && conv_keep_input() ? &kept : nullptr);
    f.saved_x = std::move(kept);
    if (!ok) return false;
    const float* y = f.conv_out.data_ptr<float>();
    f.center = empty({K}, DType::Float32);
    f.invstd = empty({K}, DType::Float32);
    f.scale = empty({K}, DType::Float32);
    f.shift = empty({K}, DType::Float32);
    float* center = f.center.data_ptr<float>();
    for (int64_t c = 0; c < K; ++c) center[c] = y[(c / kB) * S * kB + c % kB];  // the channel's first value
    std::vector<double> su(K), suu(K);
    cpu::batch_norm_sums_blocked<float>(y, center, N, K, S, kB, su.data(), suu.data());
    f.offset = detail::batch_statistics<float>(su.data(), suu.data(), center, f.invstd.data_ptr<float>(), K, N * S,
                                               eps, running_mean, running_var, momentum);
    detail::batch_norm_affine<float>(f.invstd.data_ptr<float>(), f.offset, weight, bias, f.scale.data_ptr<float>(),
                                     f.shift.data_ptr<float>(), K);
    f.out = empty(with_spatial(N, K, g.out, spatial), DType::Float32);
    cpu::batch_norm_apply_blocked<float>(y, f.out.data_ptr<float>(), N, K, S, kB, center,
                                         f.scale.data_ptr<float>(), f.shift.data_ptr<float>(), act);
    return true;
  });
  if (!ran) return std::nullopt;
  return f;
}

ConvBatchNormTrainGrads conv_batch_norm_train_backward(const Tensor& gout, const Tensor& x, const Tensor& w,
                                                       const Tensor& weight, const ConvBatchNormTrain& f,
                                                       const ConvGeometry& g, int64_t spatial, FusedActivation act,
                                                       bool need_x, bool need_w, bool need_weight, bool need_bias) {
  const int64_t N = g.batch, K = g.out_channels, S = g.out[0] * g.out[1] * g.out[2];
  const int64_t kB = f.conv_out.shape().back();  // (N, K/B, S, B)
  ConvBatchNormTrainGrads r;
  dispatch_device(gout, "conv_batch_norm", [&] {
    load_backend_environment();
    const float* y = f.conv_out.data_ptr<float>();
    const float* center = f.center.data_ptr<float>();
    // gy: the output gradient in the blocked layout (zeroed where the activation stops it), then in place the
    // convolution's output gradient dy = a·gy + b·(y − center) + k.
    Tensor gy = empty(f.conv_out.shape(), DType::Float32);
    std::vector<double> G(K), P(K);
    cpu::batch_norm_grad_sums_blocked<float>(gout.data_ptr<float>(), y, gy.data_ptr<float>(), N, K, S, kB, center,
                                             act, f.scale.data_ptr<float>(), f.shift.data_ptr<float>(), G.data(),
                                             P.data());
    const detail::BatchNormGradCoefficients<float> k = detail::batch_norm_grad_coefficients<float>(
        f.invstd.data_ptr<float>(), f.offset, weight, G, P, K, N * S, /*training=*/true);
    if (need_weight) r.gweight = from_vector<float>(k.dweight);
    if (need_bias) r.gbias = from_vector<float>(k.dbias);
    if (!need_x && !need_w) return;
    float* dy = gy.data_ptr<float>();
    cpu::batch_norm_input_grad_blocked<float>(dy, y, N, K, S, kB, center, k.a.data(), k.b.data(), k.k.data());
    if (need_x) r.gx = empty(with_spatial(N, g.in_channels, g.in, spatial), DType::Float32);
    if (need_w) r.gw = empty(w.shape(), DType::Float32);
    float* gx = need_x ? r.gx.data_ptr<float>() : nullptr;
    float* gw = need_w ? r.gw.data_ptr<float>() : nullptr;
    const auto* saved = static_cast<const cpu::ConvBlocked*>(f.saved_x.get());
    if (cpu::conv_dnnl_backward_blocked(x.data_ptr<float>(), dy, w.data_ptr<float>(), gx, gw, g, kB, saved)) return;
    // The backward primitives read another layout (or the backend changed since the forward):
    // dy converted to the plain layout (the blocked apply with the identity map), then the
    // ordinary backward.
    Tensor plain = empty(with_spatial(N, K, g.out, spatial), DType::Float32);
    const std::vector<float> zero(K, 0.0f), one(K, 1.0f);
    cpu::batch_norm_apply_blocked<float>(dy, plain.data_ptr<float>(), N, K, S, kB, zero.data(), one.data(),
                                         zero.data());
    cpu::conv_backward<float>(x.data_ptr<float>(), plain.data_ptr<float>(), w.data_ptr<float>(), gx, gw, g, saved);
  });
  return r;
}

Tensor conv_backward_input(const Tensor& gy, const Tensor& w, const ConvGeometry& g, int64_t spatial) {
  Tensor gx = empty(with_spatial(g.batch, g.in_channels, g.in, spatial), gy.dtype());
  dispatch_device(gy, "conv", [&] {
    load_backend_environment();
    dispatch_floating(gy.dtype(), "conv", [&]<class T>() {
      cpu::conv_backward_input<T>(gy.data_ptr<T>(), w.data_ptr<T>(), gx.data_ptr<T>(), g);
    });
  });
  return gx;
}

Tensor conv_backward_weight(const Tensor& x, const Tensor& gy, const Shape& w_shape, const ConvGeometry& g) {
  Tensor gw = empty(w_shape, x.dtype());
  dispatch_device(x, "conv", [&] {
    load_backend_environment();
    dispatch_floating(x.dtype(), "conv", [&]<class T>() {
      cpu::conv_backward_weight<T>(x.data_ptr<T>(), gy.data_ptr<T>(), gw.data_ptr<T>(), g);
    });
  });
  return gw;
}

std::pair<Tensor, Tensor> conv_backward(const Tensor& x, const Tensor& gy, const Tensor& w, const ConvGeometry& g,
                                        int64_t spatial, bool need_x, bool need_w, const ConvSavedInput& saved) {
  Tensor gx = need_x ? empty(with_spatial(g.batch, g.in_channels, g.in, spatial), gy.dtype()) : Tensor();
  Tensor gw = need_w ? empty(w.shape(), x.dtype()) : Tensor();
  dispatch_device(gy, "conv", [&] {
    load_backend_environment();
    dispatch_floating(gy.dtype(), "conv", [&]<class T>() {
      cpu::conv_backward<T>(x.data_ptr<T>(), gy.data_ptr<T>(), w.data_ptr<T>(), need_x ? gx.data_ptr<T>() : nullptr,
                            need_w ? gw.data_ptr<T>() : nullptr, g, static_cast<const cpu::ConvBlocked*>(saved.get()));
    });
  });
  return {gx, gw};
}

Tensor conv_backward_bias(const Tensor& gy) {
  return dispatch_device(gy, "conv", [&] {
    return dispatch_floating(gy.dtype(), "conv", [&]<class T>() {
      Tensor gb = empty({gy.size(1)}, gy.dtype());
      cpu::conv_backward_bias<T>(gy.data_ptr<T>(), gb.data_ptr<T>(), gy.size(0), gy.size(1),
                                 gy.numel() / std::max<int64_t>(gy.size(0) * gy.size(1), 1));
      return gb;
    });
  });
}

void conv_add_bias_(Tensor& y, const Tensor& b) {
  dispatch_device(y, "conv", [&] {
    dispatch_floating(y.dtype(), "conv", [&]<class T>() {
      cpu::conv_add_bias<T>(y.data_ptr<T>(), b.data_ptr<T>(), y.size(0), y.size(1),
                            y.numel() / std::max<int64_t>(y.size(0) * y.size(1), 1));
    });
  });
}

}  // namespace ops
}  // namespace nabla
