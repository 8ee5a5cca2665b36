#include "nabla/optim/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "optim/update_util.h"

namespace nabla::optim {
namespace {

using Vec = std::vector<double>;

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
double abs_max(const Vec& a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}
double abs_sum(const Vec& a) {
  double s = 0;
  for (double v : a) s += std::abs(v);
  return s;
}
// a += alpha·b
void axpy(Vec& a, double alpha, const Vec& b) {
  for (size_t i = 0; i < a.size(); ++i) a[i] += alpha * b[i];
}

// Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to the bounds (default:
// the interval between x1 and x2); the bisection point when the cubic has no minimum.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         const double* bounds = nullptr) {
  const double lo = bounds ? bounds[0] : std::min(x1, x2);
  const double hi = bounds ? bounds[1] : std::max(x1, x2);
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return std::min(std::max(min_pos, lo), hi);
  }
  return (lo + hi) / 2.0;
}

struct Evaluation {
  double f;
  Vec g;
};

struct LineSearchResult {
  double f;
  Vec g;
  double t;
  int64_t evals;
};

// Strong-Wolfe line search along d from the point where the loss is f and the gradient g
// (gtd = gᵀd < 0): brackets a step satisfying f(t) ≤ f + c1·t·gtd and |g(t)ᵀd| ≤ −c2·gtd, then
// zooms into the bracket by cubic interpolation (the algorithm of torch.optim.lbfgs._strong_wolfe).
template <class Obj>
LineSearchResult strong_wolfe(Obj&& obj, double t, const Vec& d, double f, const Vec& g, double gtd,
                              double c1 = 1e-4, double c2 = 0.9, double tolerance_change = 1e-9,
                              int64_t max_ls = 25) {
  const double d_norm = abs_max(d);
  Evaluation e = obj(t);
  int64_t evals = 1;
  double gtd_new = dot(e.g, d);
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  Vec g_prev = g;
  bool done = false;
  int64_t ls_iter = 0;
  std::vector<double> bracket, bracket_f, bracket_gtd;
  std::vector<Vec> bracket_g;
  while (ls_iter < max_ls) {
    if (e.f > f + c1 * t * gtd || (ls_iter > 1 && e.f >= f_prev)) {
      bracket = {t_prev, t}, bracket_f = {f_prev, e.f}, bracket_g = {g_prev, e.g}, bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      bracket = {t}, bracket_f = {e.f}, bracket_g = {e.g};
      done = true;
      break;
    }
    if (gtd_new >= 0) {
      bracket = {t_prev, t}, bracket_f = {f_prev, e.f}, bracket_g = {g_prev, e.g}, bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    // Extrapolate: somewhere in [t + 0.01(t − t_prev), 10t].
    const double bounds[2] = {t + 0.01 * (t - t_prev), t * 10};
    const double tmp = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, e.f, gtd_new, bounds);
    t_prev = tmp, f_prev = e.f, g_prev = e.g, gtd_prev = gtd_new;
    e = obj(t);
    ++evals;
    gtd_new = dot(e.g, d);
    ++ls_iter;
  }
  if (ls_iter == max_ls) {
    bracket = {0, t}, bracket_f = {f, e.f}, bracket_g = {g, e.g};
  }

  // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
  bool insuf_progress = false;
  size_t low = bracket_f.front() <= bracket_f.back() ? 0 : 1, high = 1 - low;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    const double b_max = std::max(bracket[0], bracket[1]), b_min = std::min(bracket[0], bracket[1]);
    const double eps = 0.1 * (b_max - b_min);
    if (std::min(b_max - t, t - b_min) < eps) {
      // Too close to an end: move away unless the previous step already made progress there.
      if (insuf_progress || t >= b_max || t <= b_min) {
        t = std::abs(t - b_max) < std::abs(t - b_min) ? b_max - eps : b_min + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    e = obj(t);
    ++evals;
    gtd_new = dot(e.g, d);
    ++ls_iter;
    if (e.f > f + c1 * t * gtd || e.f >= bracket_f[low]) {
      bracket[high] = t, bracket_f[high] = e.f, bracket_g[high] = e.g, bracket_gtd[high] = gtd_new;
      low = bracket_f[0] <= bracket_f[1] ? 0 : 1, high = 1 - low;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low], bracket_f[high] = bracket_f[low], bracket_g[high] = bracket_g[low],
        bracket_gtd[high] = bracket_gtd[low];
      }
      bracket[low] = t, bracket_f[low] = e.f, bracket_g[low] = e.g, bracket_gtd[low] = gtd_new;
    }
  }
  return {bracket_f[low], bracket_g[low], bracket[low], evals};
}

Tensor vec_tensor(const Vec& v) { return from_vector<double>(v, Shape{static_cast<int64_t>(v.size())}); }
Vec tensor_vec(const Tensor& t) { return t.to_vector<double>(); }

// History of (s, y) pairs as a (k, n) float64 tensor and back.
Tensor rows_tensor(const std::deque<Vec>& rows, int64_t n) {
  Vec flat;
  for (const Vec& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  return from_vector<double>(flat, Shape{static_cast<int64_t>(rows.size()), n});
}
std::deque<Vec> tensor_rows(const Tensor& t) {
  std::deque<Vec> rows;
  const Vec flat = t.to_vector<double>();
  const int64_t k = t.size(0), n = t.size(1);
  for (int64_t i = 0; i < k; ++i) rows.emplace_back(flat.begin() + i * n, flat.begin() + (i + 1) * n);
  return rows;
}

}  // namespace

namespace {
// PyTorch's default max_eval (None): max_iter·5/4.
LBFGSOptions with_max_eval(LBFGSOptions o) {
  if (o.max_eval <= 0) o.max_eval = o.max_iter * 5 / 4;
  return o;
}
}  // namespace

LBFGS::LBFGS(std::vector<Tensor> params, LBFGSOptions options) : OptimizerWith(with_max_eval(std::move(options))) {
  init_groups(single_group(std::move(params)));
}

std::span<const StateEntry> LBFGS::state_entries() const {
  // All on the first parameter; the vectors span every parameter, so none has its shape.
  static constexpr StateEntry entries[] = {{"d", false},        {"t", false},        {"old_dirs", false},
                                           {"old_stps", false}, {"ro", false},       {"H_diag", false},
                                           {"prev_flat_grad", false}, {"prev_loss", false}, {"n_iter", false},
                                           {"func_evals", false}};
  return entries;
}

void LBFGS::validate(const LBFGSOptions& o) const {
  NABLA_CHECK(o.line_search_fn.empty() || o.line_search_fn == "strong_wolfe",
              "LBFGS: only 'strong_wolfe' is supported as line_search_fn, got '", o.line_search_fn, "'");
  check_option(o.lr >= 0, name(), "learning rate", o.lr, "must be >= 0");
  check_option(o.max_iter >= 1, name(), "max_iter", static_cast<double>(o.max_iter), "must be >= 1");
  check_option(o.max_eval >= 1, name(), "max_eval", static_cast<double>(o.max_eval), "must be >= 1");
  check_option(o.history_size >= 1, name(), "history_size", static_cast<double>(o.history_size), "must be >= 1");
  check_option(o.tolerance_grad >= 0, name(), "tolerance_grad", o.tolerance_grad, "must be >= 0");
  check_option(o.tolerance_change >= 0, name(), "tolerance_change", o.tolerance_change, "must be >= 0");
}

void LBFGS::step() {
  throw Error("LBFGS: step() needs a closure that re-evaluates the loss and its gradients: step(closure)");
}

Tensor LBFGS::step(const std::function<Tensor()>& closure) {
  NABLA_CHECK(static_cast<bool>(closure), "LBFGS: step() needs a closure that re-evaluates the loss");
  NABLA_CHECK(groups_.size() == 1, "LBFGS: doesn't support per-parameter options (parameter groups), got ",
              groups_.size(), " groups");
  const LBFGSOptions& o = groups_[0].options;
  const double lr = o.lr, tolerance_grad = o.tolerance_grad, tolerance_change = o.tolerance_change;
  const int64_t max_iter = o.max_iter, max_eval = o.max_eval;
  const size_t history_size = static_cast<size_t>(o.history_size);
  const bool strong_wolfe_search = o.line_search_fn == "strong_wolfe";
  const std::vector<Tensor>& params = groups_[0].params;
  int64_t numel = 0;
  for (const Tensor& p : params) numel += p.numel();

  auto evaluate = [&]() {
    autograd::EnableGradGuard enable;
    Tensor l = closure();
    NABLA_CHECK(l.defined() && l.numel() == 1, "LBFGS: the closure must return the loss as a one-element tensor");
    return l;
  };
  auto gather_flat_grad = [&]() {
    Vec flat;
    flat.reserve(numel);
    for (const Tensor& p : params) {
      const Tensor g = p.grad();
      if (!g.defined()) {
        flat.insert(flat.end(), p.numel(), 0.0);
      } else {
        const Vec v = g.to_vector<double>();
        flat.insert(flat.end(), v.begin(), v.end());
      }
    }
    return flat;
  };
  // p ← p + step·update, parameter by parameter over the flat vector.
  auto add_to_params = [&](double step, const Vec& update) {
    int64_t offset = 0;
    for (const Tensor& p : params) {
      const int64_t n = p.numel();
      Vec part(update.begin() + offset, update.begin() + offset + n);
      Tensor u = from_vector<double>(part, p.shape()).to(p.dtype());
      NoGradGuard no_grad;
      Tensor dst = p;
      dst.add_(u, step);
      offset += n;
    }
  };
  auto clone_params = [&]() {
    std::vector<Tensor> copies;
    for (const Tensor& p : params) copies.push_back(p.detach().clone());
    return copies;
  };
  auto set_params = [&](const std::vector<Tensor>& values) {
    NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      Tensor dst = params[i];
      dst.copy_(values[i]);
    }
  };

  ParamState& st = state(params[0]);
  auto scalar = [&](const char* key, double fallback) {
    auto it = st.find(key);
    return it == st.end() ? fallback : it->second.item();
  };
  double func_evals = scalar("func_evals", 0), state_n_iter = scalar("n_iter", 0);

  const Tensor orig_loss = evaluate();
  double loss = orig_loss.item();
  int64_t current_evals = 1;
  func_evals += 1;
  Vec flat_grad = gather_flat_grad();
  bool opt_cond = abs_max(flat_grad) <= tolerance_grad;
  auto save_counters = [&]() {
    st["func_evals"] = scalar_tensor(func_evals, DType::Float64);
    st["n_iter"] = scalar_tensor(state_n_iter, DType::Float64);
  };
  if (opt_cond) {
    save_counters();
    return orig_loss;
  }

  // Restore the direction, step and curvature history of previous calls.
  Vec d = st.count("d") ? tensor_vec(st["d"]) : Vec();
  double t = scalar("t", 0);
  std::deque<Vec> old_dirs = st.count("old_dirs") ? tensor_rows(st["old_dirs"]) : std::deque<Vec>();
  std::deque<Vec> old_stps = st.count("old_stps") ? tensor_rows(st["old_stps"]) : std::deque<Vec>();
  std::deque<double> ro;
  if (st.count("ro"))
    for (double v : tensor_vec(st["ro"])) ro.push_back(v);
  double h_diag = scalar("H_diag", 1);
  Vec prev_flat_grad = st.count("prev_flat_grad") ? tensor_vec(st["prev_flat_grad"]) : Vec();
  double prev_loss = scalar("prev_loss", 0);

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    ++n_iter;
    state_n_iter += 1;
    if (state_n_iter == 1) {
      d = flat_grad;
      for (double& v : d) v = -v;
      old_dirs.clear(), old_stps.clear(), ro.clear();
      h_diag = 1;
    } else {
      // Curvature pair: y = g_k − g_{k−1}, s = t·d; kept only when yᵀs > 1e−10 (positive curvature).
      Vec y = flat_grad;
      axpy(y, -1.0, prev_flat_grad);
      Vec s = d;
      for (double& v : s) v *= t;
      const double ys = dot(y, s);
      if (ys > 1e-10) {
        if (old_dirs.size() == history_size) old_dirs.pop_front(), old_stps.pop_front(), ro.pop_front();
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(1.0 / ys);
        h_diag = ys / dot(y, y);
      }
      // Two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate.
      const size_t num_old = old_dirs.size();
      Vec al(num_old);
      Vec q = flat_grad;
      for (double& v : q) v = -v;
      for (size_t i = num_old; i-- > 0;) {
        al[i] = dot(old_stps[i], q) * ro[i];
        axpy(q, -al[i], old_dirs[i]);
      }
      d = q;
      for (double& v : d) v *= h_diag;
      for (size_t i = 0; i < num_old; ++i) {
        const double be_i = dot(old_dirs[i], d) * ro[i];
        axpy(d, al[i] - be_i, old_stps[i]);
      }
    }
    prev_flat_grad = flat_grad;
    prev_loss = loss;
    t = state_n_iter == 1 ? std::min(1.0, 1.0 / abs_sum(flat_grad)) * lr : lr;
    const double gtd = dot(flat_grad, d);
    if (gtd > -tolerance_change) break;  // not a descent direction

    int64_t ls_func_evals = 0;
    if (strong_wolfe_search) {
      const std::vector<Tensor> x_init = clone_params();
      auto obj = [&](double step) {
        add_to_params(step, d);
        const double f = evaluate().item();
        Vec g = gather_flat_grad();
        set_params(x_init);
        return Evaluation{f, std::move(g)};
      };
      LineSearchResult r = strong_wolfe(obj, t, d, loss, flat_grad, gtd);
      loss = r.f, flat_grad = std::move(r.g), t = r.t, ls_func_evals = r.evals;
      add_to_params(t, d);
      opt_cond = abs_max(flat_grad) <= tolerance_grad;
    } else {
      add_to_params(t, d);
      if (n_iter != max_iter) {
        loss = evaluate().item();
        flat_grad = gather_flat_grad();
        opt_cond = abs_max(flat_grad) <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    func_evals += static_cast<double>(ls_func_evals);

    if (n_iter == max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;
    if (abs_max(d) * std::abs(t) <= tolerance_change) break;
    if (std::abs(loss - prev_loss) < tolerance_change) break;
  }

  st["d"] = vec_tensor(d);
  st["t"] = scalar_tensor(t, DType::Float64);
  st["old_dirs"] = rows_tensor(old_dirs, numel);
  st["old_stps"] = rows_tensor(old_stps, numel);
  st["ro"] = vec_tensor(Vec(ro.begin(), ro.end()));
  st["H_diag"] = scalar_tensor(h_diag, DType::Float64);
  st["prev_flat_grad"] = vec_tensor(prev_flat_grad);
  st["prev_loss"] = scalar_tensor(prev_loss, DType::Float64);
  save_counters();
  return orig_loss;
}

}  // namespace nabla::optim
