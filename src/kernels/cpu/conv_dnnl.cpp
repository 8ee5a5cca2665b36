#include "kernels/cpu/conv_dnnl.h"

#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels/cpu/conv_live_taps.h"
#include "kernels/cpu/scratch.h"
#include "nabla/error.h"

namespace nabla::cpu {
namespace {

// ---- backend choice --------------------------------------------------------------------------

// The backend in use; set through the backend API (ops::set_conv_backend, src/ops/backend.cpp),
// which also applies NABLA_CONV_BACKEND. Kernels read no environment.
std::atomic<int> g_backend{static_cast<int>(ConvBackendChoice::Auto)};

// ---- plans -----------------------------------------------------------------------------------

enum class Op { Forward, BackwardData, BackwardWeights };

// One argument of a primitive: the caller's plain layout and the primitive's layout (equal when
// no reorder is needed), with the reorder between them.
struct PlanArg {
  int id;
  bool output;
  dnnl::memory::desc user, inner;
  std::optional<dnnl::reorder> reorder;  // user → inner for inputs, inner → user for outputs
  std::optional<dnnl::reorder> fill;     // user → inner for an output that is also read (a sum post-op)
};

// A created primitive with its arguments; `primitive` is empty when oneDNN rejected the geometry.
struct Plan {
  std::optional<dnnl::primitive> primitive;
  std::vector<PlanArg> args;
  size_t scratchpad_bytes = 0;
  bool winograd = false;  // oneDNN's Winograd kernel (else the direct or a GEMM-based one)
};

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Whether primitives may pick their own (blocked) layouts, reordered in and out of nabla's plain
// ones, or must work on the plain layouts directly. Blocked layouts measured faster (see
// docs/nn-conv.md); ops::set_dnnl_layout (or NABLA_DNNL_LAYOUT=plain) selects plain ones for
// comparison.
std::atomic<bool> g_plain_layout{false};

bool use_any_layout() { return !g_plain_layout.load(); }

// The convolution algorithm setting (ConvAlgorithmChoice); set through ops::set_conv_algorithm.
std::atomic<int> g_algorithm{static_cast<int>(ConvAlgorithmChoice::Auto)};

// Whether oneDNN's Winograd kernels can take `g`: a 2-d 3×3 convolution of stride 1, without
// dilation or groups (oneDNN's F(4×4, 3×3) kernels, and F(2×2, 3×3) for inference at small
// batches; AVX-512 only: elsewhere oneDNN rejects the primitive and the plan falls back to the
// direct algorithm).
bool winograd_geometry(const ConvGeometry& g) {
  if (g.groups != 1 || g.in[0] != 1 || g.out[0] != 1 || g.kernel[0] != 1) return false;
  for (int d = 1; d < 3; ++d)
    if (g.kernel[d] != 3 || g.stride[d] != 1 || g.dilation[d] != 1) return false;
  return true;
}

// Whether Auto takes Winograd for `g`: where it measured faster than the direct kernels in the
// forward and both backward primitives (`NABLA_CONV_ALGORITHM=direct|auto build/bench/conv_bench`,
// docs/nn-conv.md). The training kernel works on 4 × 4 output tiles and transforms the weights on
// every call, so training primitives need at least 64 channels in and out (ResNet-20's 16- and
// 32-channel layers made its training epochs about 12 % slower; a 1-channel stem or DenseNet's
// 12-channel growth convolutions up to 5× slower per call), outputs of at least 4 × 4 and at
// least 512 output positions per weight (batch × height × width): 512 channels at batch 16 and
// 4 × 4 (256) or batch 4 and 7 × 7 (196) ran up to 2.7× slower, VGG-11's 512-channel layers at
// batch 1 up to 40×. Inference primitives (`inference`: the folded chains, whose weights are
// converted once and kept) get oneDNN's F(2×2, 3×3) kernel at small batches, which measured
// faster from 16 channels and down to batch 1 and 4 × 4 outputs (ResNet-18 and ResNet-20 batch-1
// forwards 12–17 % faster) where the 2 × 2 tiles cover the output exactly (even height and
// width), or else where its transformed weights (16 floats per pair of channels) take at most
// 512 KB, half of L2: with partial tiles it computes up to 16× the outputs it keeps, and where
// the weights are large (read once per call at batch 1, 16/9 of the direct kernel's) it lost —
// 128 → 256 and 256 → 256 channels at 7 × 7 0.10 and 0.17–0.20 ms per call against 0.08 and
// 0.14–0.16 direct, 512 at 3 × 3 and 1 × 1 (VGG-11) 0.29 against 0.24 and 0.02 — while ResNet-20's
// 64 channels at 7 × 7 ran about 10 % faster than direct.
bool winograd_pays(const ConvGeometry& g, bool inference) {
  if (inference) {
    const bool whole_tiles = g.out[1] % 2 == 0 && g.out[2] % 2 == 0;
    const bool small_weights = 16 * 4 * g.in_channels * g.out_channels <= 512 * 1024;
    return g.in_channels >= 16 && g.out_channels >= 16 && (whole_tiles || small_weights);
  }
  return g.in_channels >= 64 && g.out_channels >= 64 && g.out[1] >= 4 && g.out[2] >= 4 &&
         g.batch * g.out[1] * g.out[2] >= 512;
}

// The algorithm for `g` under the setting, for an inference or a training primitive.
dnnl::algorithm conv_algorithm_for(const ConvGeometry& g, bool inference) {
  const auto choice = static_cast<ConvAlgorithmChoice>(g_algorithm.load());
  if (choice == ConvAlgorithmChoice::Direct || !use_any_layout() || !winograd_geometry(g))
    return dnnl::algorithm::convolution_direct;
  if (choice == ConvAlgorithmChoice::Auto && !winograd_pays(g, inference)) return dnnl::algorithm::convolution_direct;
  return dnnl::algorithm::convolution_winograd;
}

using dims = dnnl::memory::dims;

// Row-major strides of `d`.
dims plain_strides(const dims& d) {
  dims s(d.size(), 1);
  for (int64_t i = static_cast<int64_t>(d.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * d[i + 1];
  return s;
}

dnnl::memory::desc plain_desc(const dims& d) {
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, plain_strides(d));
}

dnnl::memory::desc any_desc(const dims& d) {
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, dnnl::memory::format_tag::any);
}

// The geometry in oneDNN's terms, with only as many spatial dims as it needs (leading trivial
// dims of nabla's 3-d form dropped: 2-d convolutions run as 2-d primitives).
struct DnnlShapes {
  dims src, weights, dst, bias, strides, dilates, pad_l, pad_r;
  bool valid = true;
};

DnnlShapes dnnl_shapes(const ConvGeometry& g) {
  int first = 0;
  while (first < 2 && g.in[first] == 1 && g.out[first] == 1 && g.kernel[first] == 1 && g.stride[first] == 1 &&
         g.pad[first] == 0 && g.dilation[first] == 1)
    ++first;
  DnnlShapes s;
  s.src = {g.batch, g.in_channels};
  s.dst = {g.batch, g.out_channels};
  if (g.groups > 1)
    s.weights = {g.groups, g.out_channels / g.groups, g.in_channels / g.groups};
  else
    s.weights = {g.out_channels, g.in_channels};
  s.bias = {g.out_channels};
  for (int d = first; d < 3; ++d) {
    s.src.push_back(g.in[d]);
    s.dst.push_back(g.out[d]);
    s.weights.push_back(g.kernel[d]);
    s.strides.push_back(g.stride[d]);
    s.dilates.push_back(g.dilation[d] - 1);
    s.pad_l.push_back(g.pad[d]);
    // The padding after the input is implied by the output size; it may be negative (input
    // elements past the last window), which oneDNN accepts while pad_r + stride > 0.
    const int64_t pad_r = (g.out[d] - 1) * g.stride[d] + g.dilation[d] * (g.kernel[d] - 1) + 1 - g.in[d] - g.pad[d];
    s.pad_r.push_back(pad_r);
    if (pad_r + g.stride[d] <= 0) s.valid = false;
  }
  return s;
}

// Adds an argument to `plan`: `inner` is the layout the primitive chose. An output that is also
// read (`read_output`: the destination of a sum post-op) gets the reorder into `inner` too.
void add_arg(Plan& plan, int id, bool output, const dnnl::memory::desc& user, const dnnl::memory::desc& inner,
             bool read_output = false) {
  PlanArg a{id, output, user, inner, std::nullopt, std::nullopt};
  if (user != inner) {
    auto& e = cpu_engine();
    a.reorder = output ? dnnl::reorder(dnnl::reorder::primitive_desc(e, inner, e, user))
                       : dnnl::reorder(dnnl::reorder::primitive_desc(e, user, e, inner));
    if (output && read_output) a.fill = dnnl::reorder(dnnl::reorder::primitive_desc(e, user, e, inner));
  }
  plan.args.push_back(std::move(a));
}

// What a chained forward adds to the convolution (conv_dnnl_forward_chain), and whether the
// primitive is for inference (every chain link: no backward will read its output, so oneDNN may
// pick other layouts and kernels); none for training.
struct Epilogue {
  FusedActivation act = FusedActivation::None;
  bool residual = false;
  bool inference = false;
  bool any() const { return residual || act != FusedActivation::None; }
  bool for_inference() const { return inference || any(); }
};

// User-managed scratchpad, and the epilogue's post-ops in order: dst += residual (oneDNN's sum
// post-op accumulates into what the destination holds), then the activation.
dnnl::primitive_attr primitive_attr(const Epilogue& epilogue = {}) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (epilogue.any()) {
    dnnl::post_ops ops;
    if (epilogue.residual) ops.append_sum(1.0f);
    if (epilogue.act == FusedActivation::Relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    if (epilogue.act == FusedActivation::Relu6) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, 6.0f);
    attr.set_post_ops(ops);
  }
  return attr;
}

dnnl::primitive_attr user_scratchpad() { return primitive_attr(); }

// The forward primitive; an epilogue makes it an inference primitive with post-ops.
dnnl::convolution_forward::primitive_desc forward_pd(const DnnlShapes& s, dnnl::algorithm algo, bool with_bias,
                                                     bool any, const Epilogue& epilogue = {}) {
  auto md = [any](const dims& d) { return any ? any_desc(d) : plain_desc(d); };
  const auto prop = epilogue.for_inference() ? dnnl::prop_kind::forward_inference : dnnl::prop_kind::forward_training;
  auto desc = with_bias ? dnnl::convolution_forward::desc(prop, algo, md(s.src), md(s.weights), plain_desc(s.bias),
                                                          md(s.dst), s.strides, s.dilates, s.pad_l, s.pad_r)
                        : dnnl::convolution_forward::desc(prop, algo, md(s.src), md(s.weights), md(s.dst), s.strides,
                                                          s.dilates, s.pad_l, s.pad_r);
  return dnnl::convolution_forward::primitive_desc(desc, primitive_attr(epilogue), cpu_engine());
}

// The plan of `op` for `g` with algorithm `algo`; a Winograd plan oneDNN rejects (no AVX-512, an
// unsupported post-op) is made with the direct algorithm instead.
Plan make_plan(Op op, const ConvGeometry& g, bool with_bias, const Epilogue& epilogue, dnnl::algorithm algo) {
  Plan plan;
  const DnnlShapes s = dnnl_shapes(g);
  if (!s.valid) return plan;
  const bool any = use_any_layout();
  auto md = [any](const dims& d) { return any ? any_desc(d) : plain_desc(d); };
  try {
    if (op == Op::Forward) {
      auto pd = forward_pd(s, algo, with_bias, any, epilogue);
      add_arg(plan, DNNL_ARG_SRC, false, plain_desc(s.src), pd.src_desc());
      add_arg(plan, DNNL_ARG_WEIGHTS, false, plain_desc(s.weights), pd.weights_desc());
      if (with_bias) add_arg(plan, DNNL_ARG_BIAS, false, plain_desc(s.bias), pd.bias_desc());
      add_arg(plan, DNNL_ARG_DST, true, plain_desc(s.dst), pd.dst_desc(), epilogue.residual);
      plan.scratchpad_bytes = pd.scratchpad_desc().get_size();
      plan.primitive = dnnl::convolution_forward(pd);
    } else if (op == Op::BackwardData) {
      auto hint = forward_pd(s, algo, false, any);
      dnnl::convolution_backward_data::desc desc(algo, md(s.src), md(s.weights), md(s.dst), s.strides, s.dilates,
                                                 s.pad_l, s.pad_r);
      dnnl::convolution_backward_data::primitive_desc pd(desc, user_scratchpad(), cpu_engine(), hint);
      add_arg(plan, DNNL_ARG_DIFF_DST, false, plain_desc(s.dst), pd.diff_dst_desc());
      add_arg(plan, DNNL_ARG_WEIGHTS, false, plain_desc(s.weights), pd.weights_desc());
      add_arg(plan, DNNL_ARG_DIFF_SRC, true, plain_desc(s.src), pd.diff_src_desc());
      plan.scratchpad_bytes = pd.scratchpad_desc().get_size();
      plan.primitive = dnnl::convolution_backward_data(pd);
    } else {
      auto hint = forward_pd(s, algo, false, any);
      dnnl::convolution_backward_weights::desc desc(algo, md(s.src), md(s.weights), md(s.dst), s.strides, s.dilates,
                                                    s.pad_l, s.pad_r);
      dnnl::convolution_backward_weights::primitive_desc pd(desc, user_scratchpad(), cpu_engine(), hint);
      add_arg(plan, DNNL_ARG_SRC, false, plain_desc(s.src), pd.src_desc());
      add_arg(plan, DNNL_ARG_DIFF_DST, false, plain_desc(s.dst), pd.diff_dst_desc());
      add_arg(plan, DNNL_ARG_DIFF_WEIGHTS, true, plain_desc(s.weights), pd.diff_weights_desc());
      plan.scratchpad_bytes = pd.scratchpad_desc().get_size();
      plan.primitive = dnnl::convolution_backward_weights(pd);
    }
    plan.winograd = algo == dnnl::algorithm::convolution_winograd;
  } catch (const dnnl::error&) {
    if (algo != dnnl::algorithm::convolution_direct)
      return make_plan(op, g, with_bias, epilogue, dnnl::algorithm::convolution_direct);
    return Plan{};  // unsupported here: the caller falls back to im2col
  }
  return plan;
}

constexpr size_t kMaxCachedPlans = 512;

// The threads a primitive made now splits its work for (one inside a parallel region).
int64_t plan_threads() { return omp_in_parallel() ? 1 : omp_get_max_threads(); }

// Appends every field of `g` to a cache key.
void append_geometry(std::vector<int64_t>& key, const ConvGeometry& g) {
  key.insert(key.end(), {g.batch, g.in_channels, g.out_channels, g.groups});
  for (const auto* a : {&g.in, &g.out, &g.kernel, &g.stride, &g.pad, &g.dilation})
    key.insert(key.end(), a->begin(), a->end());
}

// The cached plan for (op, geometry, bias, epilogue, threads, algorithm). oneDNN sizes its work
// split by the number of threads available when a primitive is created, so that number is part of
// the key.
std::shared_ptr<const Plan> cached_plan(Op op, const ConvGeometry& g, bool with_bias, const Epilogue& epilogue = {}) {
  const dnnl::algorithm algo = conv_algorithm_for(g, epilogue.for_inference());
  std::vector<int64_t> key{static_cast<int64_t>(op), with_bias, static_cast<int64_t>(epilogue.act),
                           epilogue.residual, epilogue.for_inference(), plan_threads(),
                           static_cast<int64_t>(algo)};
  append_geometry(key, g);
  static std::mutex mutex;
  static std::map<std::vector<int64_t>, std::shared_ptr<const Plan>> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto plan = std::make_shared<const Plan>(make_plan(op, g, with_bias, epilogue, algo));
  std::lock_guard<std::mutex> lock(mutex);
  // Bounded: a workload with ever new shapes (variable-length sequences) must not grow it forever.
  if (cache.size() >= kMaxCachedPlans) cache.clear();
  return cache.emplace(key, plan).first->second;
}

// Bytes from nabla's caching allocator (64-byte aligned, reused across calls).
using Buffer = Scratch<std::byte>;

// Converts the input argument `a` from the caller's layout at `user` into the primitive's layout at
// `inner` (a buffer of a.inner.get_size() bytes); returns the converted memory.
dnnl::memory convert_input(const PlanArg& a, const void* user, void* inner, dnnl::stream& stream) {
  dnnl::memory from(a.user, cpu_engine(), const_cast<void*>(user));
  dnnl::memory to(a.inner, cpu_engine(), inner);
  a.reorder->execute(stream, from, to);
  return to;
}

}  // namespace

// A tensor in a primitive's layout `desc`, with its oneDNN memory object.
struct ConvBlocked {
  explicit ConvBlocked(const dnnl::memory::desc& d)
      : desc(d), buffer(static_cast<int64_t>(d.get_size())), memory(d, cpu_engine(), buffer.get()) {}
  dnnl::memory::desc desc;
  Buffer buffer;
  dnnl::memory memory;
};

namespace {

// The input argument `a` converted from the caller's layout at `user` into a new buffer to keep.
ConvBlockedPtr convert_to_keep(const PlanArg& a, const void* user, dnnl::stream& stream) {
  auto kept = std::make_shared<ConvBlocked>(a.inner);
  convert_input(a, user, kept->buffer.get(), stream);
  return kept;
}

// A kept tensor as oneDNN memory.
dnnl::memory memory_of(const ConvBlocked& t) { return t.memory; }

// Runs `plan` on the caller's buffers (one pointer per plan argument, in the plan's order).
// `given` holds arguments already in the primitive's layout (by argument id): inputs are used as
// they are instead of being reordered from the caller's pointer again; an output is computed
// there (it may hold what a sum post-op reads) and then reordered to the caller's pointer, unless
// that pointer is null (the output stays where it is, for the next convolution of a chain).
void execute(const Plan& plan, const std::vector<void*>& pointers, dnnl::stream& stream,
             const std::unordered_map<int, dnnl::memory>& given = {}) {
  auto& engine = cpu_engine();
  std::unordered_map<int, dnnl::memory> args;
  std::vector<std::unique_ptr<Buffer>> buffers;
  struct WriteBack {
    const dnnl::reorder* reorder;
    dnnl::memory inner, user;
  };
  std::vector<WriteBack> write_back;  // reordered outputs
  for (size_t i = 0; i < plan.args.size(); ++i) {
    const PlanArg& a = plan.args[i];
    if (auto it = given.find(a.id); it != given.end()) {
      args.emplace(a.id, it->second);
      if (a.output && a.reorder && pointers[i])
        write_back.push_back({&*a.reorder, it->second, dnnl::memory(a.user, engine, pointers[i])});
      continue;
    }
    dnnl::memory user(a.user, engine, pointers[i]);
    if (!a.reorder) {
      args.emplace(a.id, user);
      continue;
    }
    buffers.push_back(std::make_unique<Buffer>(static_cast<int64_t>(a.inner.get_size())));
    dnnl::memory inner(a.inner, engine, buffers.back()->get());
    if (a.output)
      write_back.push_back({&*a.reorder, inner, user});
    else
      a.reorder->execute(stream, user, inner);
    args.emplace(a.id, inner);
  }
  Buffer scratchpad(static_cast<int64_t>(plan.scratchpad_bytes));
  if (plan.scratchpad_bytes)
    args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(dnnl::memory::desc({static_cast<int64_t>(plan.scratchpad_bytes)},
                                                                      dnnl::memory::data_type::u8,
                                                                      dnnl::memory::format_tag::a),
                                                   engine, scratchpad.get()));
  plan.primitive->execute(stream, args);
  for (WriteBack& w : write_back) w.reorder->execute(stream, w.inner, w.user);
  stream.wait();
}

void execute(const Plan& plan, const std::vector<void*>& pointers) {
  dnnl::stream stream(cpu_engine());
  execute(plan, pointers, stream);
}

// The argument `id` of `plan` (every plan has each of its ids once).
const PlanArg& plan_arg(const Plan& plan, int id) {
  for (const PlanArg& a : plan.args)
    if (a.id == id) return a;
  throw Error("conv: oneDNN plan has no argument " + std::to_string(id));
}

// Whether `plan` reads converted weights and `packed` (may be null) holds them in its layout: then
// the weights themselves are not read.
bool packed_fits(const Plan& plan, const ConvBlockedPtr& packed) {
  const PlanArg& weights = plan_arg(plan, DNNL_ARG_WEIGHTS);
  return weights.reorder && packed && packed->desc == weights.inner;
}

// Gives `plan` its weights from *packed (may be null: nothing kept) when the primitive reads them
// converted: the same reorder execute() would run, done once into a buffer the caller keeps and
// reused while it matches the primitive's layout.
void give_packed_weights(const Plan& plan, const float* w, ConvBlockedPtr* packed, dnnl::stream& stream,
                         std::unordered_map<int, dnnl::memory>& given) {
  const PlanArg& weights = plan_arg(plan, DNNL_ARG_WEIGHTS);
  if (!packed || !weights.reorder) return;
  if (!packed_fits(plan, *packed)) *packed = convert_to_keep(weights, w, stream);
  given.emplace(DNNL_ARG_WEIGHTS, memory_of(**packed));
}

// Adds x_blocked to `given` as the SRC of the weight-gradient plan `plan` when it is in the
// plan's layout.
void give_blocked_src(const Plan& plan, const ConvBlocked* x_blocked, std::unordered_map<int, dnnl::memory>& given) {
  if (x_blocked && x_blocked->desc == plan_arg(plan, DNNL_ARG_SRC).inner)
    given.emplace(DNNL_ARG_SRC, memory_of(*x_blocked));
}

// Whether oneDNN should run `g` under the current backend choice.
bool dnnl_selected(const ConvGeometry& g) {
  if (g.batch == 0) return false;
  switch (conv_backend_choice()) {
    case ConvBackendChoice::Auto:  // oneDNN measured faster on every benchmarked shape (docs/nn-conv.md)
    case ConvBackendChoice::OneDnn: return true;
    case ConvBackendChoice::Im2col: return false;
  }
  return false;
}

// With keep_x (may be null): x's conversion for the forward `plan` goes into a buffer the caller
// keeps (*keep_x) when the weight gradient reads the same layout, and is given to the forward;
// the backward then skips converting x again (one reorder of x per step less).
void give_kept_input(const Plan& plan, const ConvGeometry& g, const float* x, ConvBlockedPtr* keep_x,
                     dnnl::stream& stream, std::unordered_map<int, dnnl::memory>& given) {
  if (!keep_x) return;
  keep_x->reset();
  const PlanArg& src = plan_arg(plan, DNNL_ARG_SRC);
  auto backward = cached_plan(Op::BackwardWeights, g, false);
  if (src.reorder && backward->primitive && plan_arg(*backward, DNNL_ARG_SRC).inner == src.inner) {
    *keep_x = convert_to_keep(src, x, stream);
    given.emplace(DNNL_ARG_SRC, memory_of(**keep_x));
  }
}

// The channel-blocked layout of batch_norm_blocked.h with block 8 or 16 for a (N, C, spatial…)
// tensor of `d`'s dims, or an empty desc when C is not a multiple of the block.
dnnl::memory::desc channel_blocked_desc(const dims& d, int64_t block) {
  using tag = dnnl::memory::format_tag;
  if (d.size() < 3 || d.size() > 5 || (block != 8 && block != 16) || d[1] % block != 0) return {};
  const tag t = block == 16 ? (d.size() == 3 ? tag::nCw16c : d.size() == 4 ? tag::nChw16c : tag::nCdhw16c)
                            : (d.size() == 3 ? tag::nCw8c : d.size() == 4 ? tag::nChw8c : tag::nCdhw8c);
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, t);
}

}  // namespace

ConvBackendChoice conv_backend_choice() { return static_cast<ConvBackendChoice>(g_backend.load()); }

void set_conv_backend_choice(ConvBackendChoice choice) { g_backend.store(static_cast<int>(choice)); }

bool dnnl_plain_layout() { return g_plain_layout.load(); }

void set_dnnl_plain_layout(bool plain) { g_plain_layout.store(plain); }

ConvAlgorithmChoice conv_algorithm_choice() { return static_cast<ConvAlgorithmChoice>(g_algorithm.load()); }

void set_conv_algorithm_choice(ConvAlgorithmChoice choice) { g_algorithm.store(static_cast<int>(choice)); }

bool conv_dnnl_has_winograd() {
  static const bool has = [] {
    const auto isa = static_cast<int>(dnnl::get_effective_cpu_isa());
    const auto avx512 = static_cast<int>(dnnl::cpu_isa::avx512_core);
    return (isa & avx512) == avx512;
  }();
  return has;
}

bool conv_dnnl_winograd(const ConvGeometry& g, bool inference) {
  if (!dnnl_selected(g)) return false;
  auto plan = cached_plan(Op::Forward, g, false, Epilogue{FusedActivation::None, false, inference});
  return plan->primitive && plan->winograd;
}

bool conv_dnnl_forward(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g,
                       ConvBlockedPtr* packed, ConvBlockedPtr* keep_x) {
  if (!dnnl_selected(g)) return false;
  auto plan = cached_plan(Op::Forward, g, bias != nullptr);
  if (!plan->primitive || (!w && !(packed && packed_fits(*plan, *packed)))) return false;
  std::vector<void*> ptrs{const_cast<float*>(x), const_cast<float*>(w)};
  if (bias) ptrs.push_back(const_cast<float*>(bias));
  ptrs.push_back(y);
  dnnl::stream stream(cpu_engine());
  std::unordered_map<int, dnnl::memory> given;
  give_packed_weights(*plan, w, packed, stream, given);
  give_kept_input(*plan, g, x, keep_x, stream, given);
  execute(*plan, ptrs, stream, given);
  return true;
}

int64_t conv_dnnl_output_block(const ConvGeometry& g) {
  if (const LiveTaps live = live_taps(g); live.cropped) return conv_dnnl_output_block(live.g);  // as conv_forward
  if (!dnnl_selected(g)) return 0;
  auto plan = cached_plan(Op::Forward, g, false);
  if (!plan->primitive) return 0;
  const PlanArg& dst = plan_arg(*plan, DNNL_ARG_DST);
  for (int64_t block : {16, 8}) {
    const dnnl::memory::desc blocked = channel_blocked_desc(dnnl_shapes(g).dst, block);
    if (!blocked.is_zero() && dst.inner == blocked) return block;
  }
  return 0;
}

bool conv_dnnl_forward_blocked(const float* x, const float* w, float* y_blocked, const ConvGeometry& g, int64_t block,
                               ConvBlockedPtr* keep_x) {
  if (const LiveTaps live = live_taps(g); live.cropped)  // on the live taps, as conv_forward
    return conv_dnnl_forward_blocked(x, LiveTapWeights<float>(g, live, w, false).w(), y_blocked, live.g, block, keep_x);
  if (!dnnl_selected(g)) return false;
  auto plan = cached_plan(Op::Forward, g, false);
  if (!plan->primitive) return false;
  const dnnl::memory::desc blocked = channel_blocked_desc(dnnl_shapes(g).dst, block);
  const PlanArg& dst = plan_arg(*plan, DNNL_ARG_DST);
  if (blocked.is_zero() || dst.inner != blocked) return false;
  dnnl::stream stream(cpu_engine());
  std::unordered_map<int, dnnl::memory> given{{DNNL_ARG_DST, dnnl::memory(blocked, cpu_engine(), y_blocked)}};
  give_kept_input(*plan, g, x, keep_x, stream, given);
  // A null destination pointer: the output stays where `given` put it (no conversion).
  execute(*plan, {const_cast<float*>(x), const_cast<float*>(w), nullptr}, stream, given);
  return true;
}

bool conv_dnnl_backward_blocked(const float* x, const float* gy_blocked, const float* w, float* gx, float* gw,
                                const ConvGeometry& g, int64_t block, const ConvBlocked* x_blocked) {
  if (const LiveTaps live = live_taps(g); live.cropped) {  // on the live taps, as conv_backward
    const LiveTapWeights<float> lw(g, live, gx ? w : nullptr, gw != nullptr);
    if (!conv_dnnl_backward_blocked(x, gy_blocked, lw.w(), gx, lw.grad(), live.g, block, x_blocked)) return false;
    lw.write_grad(gw);
    return true;
  }
  if (!dnnl_selected(g)) return false;
  const dnnl::memory::desc blocked = channel_blocked_desc(dnnl_shapes(g).dst, block);
  if (blocked.is_zero()) return false;
  auto data = gx ? cached_plan(Op::BackwardData, g, false) : nullptr;
  auto weights = gw ? cached_plan(Op::BackwardWeights, g, false) : nullptr;
  for (const auto& plan : {data, weights})
    if (plan && (!plan->primitive || plan_arg(*plan, DNNL_ARG_DIFF_DST).inner != blocked)) return false;
  dnnl::stream stream(cpu_engine());
  std::unordered_map<int, dnnl::memory> given{
      {DNNL_ARG_DIFF_DST, dnnl::memory(blocked, cpu_engine(), const_cast<float*>(gy_blocked))}};
  if (data) execute(*data, {nullptr, const_cast<float*>(w), gx}, stream, given);
  if (weights) {
    give_blocked_src(*weights, x_blocked, given);
    execute(*weights, {const_cast<float*>(x), nullptr, gw}, stream, given);
  }
  return true;
}

namespace {

// ---- inference chains ------------------------------------------------------------------------
// A chain call's oneDNN objects are made on the first call of its structure (the steps'
// geometries, biases, activations and wiring, the residual, kept weights, threads and settings)
// and reused by the later calls of that structure in the same thread: a call points the memory
// objects at its buffers and runs the recorded actions. Making them on every call (memory
// objects, argument maps, plan lookups) cost about a tenth of MobileNet v2's batch-1 latency on
// 2 threads (docs/models.md, "Speed").

// Where a call points a memory object of a recipe; Packed: the step's kept conversion of its
// weights, whose own memory object is used.
enum class Source { Input, Output, Residual, Buffer, Weights, Bias, Scratchpad, Packed };

struct Bound {
  dnnl::memory mem;
  Source source;
  size_t at;                 // Buffer: byte offset in the call's buffer; Weights, Bias, Packed: the step
  void* pointer = nullptr;  // where mem points now (set again only when a call's pointer differs)
};

// A primitive (a convolution or a reorder) on recorded memory objects, or a copy of `bytes`
// between two of them (no primitive).
struct Action {
  std::optional<dnnl::primitive> primitive;
  std::vector<std::pair<int, size_t>> args;  // (argument id, index into ChainRecipe::memories)
  size_t from = 0, to = 0, bytes = 0;
};

struct ChainRecipe {
  std::vector<std::shared_ptr<const Plan>> plans;
  std::vector<LiveTaps> live;
  std::vector<bool> packed;  // step i reads the kept conversion of its weights
  std::vector<Bound> memories;
  std::vector<Action> actions;
  size_t buffer_bytes = 0, scratchpad_bytes = 0;
};

// The recipe of `steps` (with a residual or not); null when oneDNN does not apply to every step.
std::unique_ptr<ChainRecipe> make_chain_recipe(const std::vector<ConvChainStep<float>>& steps, bool residual) {
  auto r = std::make_unique<ChainRecipe>();
  const size_t n = steps.size();
  for (size_t i = 0; i < n; ++i) {  // each step on its live taps (conv_live_taps.h): the cropped geometry's plan
    const ConvChainStep<float>& step = steps[i];
    r->live.push_back(live_taps(step.g));
    const ConvGeometry& g = r->live.back().g;
    if (!dnnl_selected(g)) return nullptr;
    const bool sum = step.add >= 0 || (i + 1 == n && residual);
    r->plans.push_back(cached_plan(Op::Forward, g, step.bias != nullptr, Epilogue{step.act, sum, true}));
    if (!r->plans.back()->primitive) return nullptr;
    r->packed.push_back(step.packed && plan_arg(*r->plans.back(), DNNL_ARG_WEIGHTS).reorder);
  }
  auto& engine = cpu_engine();
  auto memory = [&](const dnnl::memory::desc& d, Source source, size_t at = 0) {
    r->memories.push_back({source == Source::Packed ? dnnl::memory() : dnnl::memory(d, engine, nullptr), source, at});
    return r->memories.size() - 1;
  };
  auto buffer = [&](const dnnl::memory::desc& d) {
    const size_t at = (r->buffer_bytes + 63) / 64 * 64;
    r->buffer_bytes = at + d.get_size();
    return memory(d, Source::Buffer, at);
  };
  auto desc = [&](size_t m) { return r->memories[m].mem.get_desc(); };
  auto reorder = [&](const dnnl::primitive& p, size_t from, size_t to) {
    r->actions.push_back({p, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}}});
  };
  // `from` written into `to`: a copy when the layouts agree, else a reorder.
  auto copy = [&](size_t from, size_t to) {
    if (desc(from) == desc(to))
      r->actions.push_back({std::nullopt, {}, from, to, desc(to).get_size()});
    else
      reorder(dnnl::reorder(dnnl::reorder::primitive_desc(engine, desc(from), engine, desc(to))), from, to);
  };
  // values[0] is x in the plain layout; values[k] the output of step k − 1 in its primitive's layout.
  std::vector<size_t> values{memory(plan_arg(*r->plans[0], DNNL_ARG_SRC).user, Source::Input)};
  for (size_t i = 0; i < n; ++i) {
    const ConvChainStep<float>& step = steps[i];
    const Plan& plan = *r->plans[i];
    const bool last = i + 1 == n;
    Action conv{*plan.primitive, {}};
    const PlanArg& src = plan_arg(plan, DNNL_ARG_SRC);
    size_t in = values[step.src < 0 ? i : static_cast<size_t>(step.src)];
    if (desc(in) != src.inner) {
      const size_t to = buffer(src.inner);
      if (src.reorder && desc(in) == src.user)
        reorder(*src.reorder, in, to);  // the plan's own conversion
      else
        copy(in, to);
      in = to;
    }
    conv.args.push_back({DNNL_ARG_SRC, in});
    for (int id : {DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS}) {
      if (id == DNNL_ARG_BIAS && !step.bias) continue;
      const PlanArg& a = plan_arg(plan, id);
      const Source source = id == DNNL_ARG_WEIGHTS ? Source::Weights : Source::Bias;
      size_t m = 0;
      if (id == DNNL_ARG_WEIGHTS && r->packed[i]) {
        m = memory(a.inner, Source::Packed, i);
      } else {
        m = memory(a.user, source, i);
        if (a.reorder) {
          const size_t to = buffer(a.inner);
          reorder(*a.reorder, m, to);
          m = to;
        }
      }
      conv.args.push_back({id, m});
    }
    // The destination: a new value in the primitive's layout, or y (through the plan's reorder
    // when the primitive's layout is not plain). A sum post-op adds the convolution to what the
    // destination holds: the value step.add, or the caller's residual after the last step.
    const PlanArg& dst = plan_arg(plan, DNNL_ARG_DST);
    const size_t d = !last || dst.reorder ? buffer(dst.inner) : memory(dst.user, Source::Output);
    if (step.add >= 0) {
      copy(values[static_cast<size_t>(step.add)], d);
    } else if (last && residual) {
      const size_t from = memory(dst.user, Source::Residual);
      if (dst.reorder)
        reorder(*dst.fill, from, d);
      else
        copy(from, d);
    }
    conv.args.push_back({DNNL_ARG_DST, d});
    if (plan.scratchpad_bytes) {
      const dnnl::memory::desc bytes({static_cast<int64_t>(plan.scratchpad_bytes)}, dnnl::memory::data_type::u8,
                                     dnnl::memory::format_tag::a);
      conv.args.push_back({DNNL_ARG_SCRATCHPAD, memory(bytes, Source::Scratchpad)});
      r->scratchpad_bytes = std::max(r->scratchpad_bytes, plan.scratchpad_bytes);
    }
    r->actions.push_back(std::move(conv));
    if (last && dst.reorder) reorder(*dst.reorder, d, memory(dst.user, Source::Output));
    values.push_back(d);
  }
  return r;
}

// The recipe for `steps` made in this thread (null: oneDNN does not apply), made on first use.
ChainRecipe* chain_recipe(const std::vector<ConvChainStep<float>>& steps, bool residual) {
  std::vector<int64_t> key{plan_threads(), g_backend.load(), g_plain_layout.load(), g_algorithm.load(), residual};
  for (const ConvChainStep<float>& s : steps) {
    key.insert(key.end(), {s.bias != nullptr, static_cast<int64_t>(s.act), s.packed != nullptr, s.src, s.add});
    append_geometry(key, s.g);
  }
  // Bounded: the recipes hold their plans' primitives.
  thread_local std::map<std::vector<int64_t>, std::unique_ptr<ChainRecipe>> recipes;
  auto it = recipes.find(key);
  if (it == recipes.end()) {
    if (recipes.size() >= 64) recipes.clear();
    it = recipes.emplace(std::move(key), make_chain_recipe(steps, residual)).first;
  }
  return it->second.get();
}

}  // namespace

bool conv_dnnl_forward_chain(const float* x, const std::vector<ConvChainStep<float>>& steps, const float* residual,
                             float* y) {
  if (steps.empty()) return false;
  ChainRecipe* r = chain_recipe(steps, residual != nullptr);
  if (!r) return false;
  const size_t n = steps.size();
  dnnl::stream stream(cpu_engine());
  // The weights each step reads: the kept conversion (made or remade here when it does not fit the
  // primitive), else w, cropped to the live taps where the plan's geometry is cropped.
  std::vector<const void*> weights(n);
  std::vector<std::optional<LiveTapWeights<float>>> cropped(n);
  for (size_t i = 0; i < n; ++i) {
    const ConvChainStep<float>& step = steps[i];
    const bool fits = r->packed[i] && packed_fits(*r->plans[i], *step.packed);
    if (r->live[i].cropped && !fits) cropped[i].emplace(step.g, r->live[i], step.w, false);
    const float* w = cropped[i] ? cropped[i]->w() : step.w;
    if (r->packed[i] && !fits) *step.packed = convert_to_keep(plan_arg(*r->plans[i], DNNL_ARG_WEIGHTS), w, stream);
    weights[i] = w;
  }
  Buffer buffer(static_cast<int64_t>(r->buffer_bytes)), scratchpad(static_cast<int64_t>(r->scratchpad_bytes));
  std::vector<void*> pointers;
  std::vector<dnnl_memory_t> handles;
  for (Bound& b : r->memories) {
    if (b.source == Source::Packed) {
      const dnnl::memory& kept = (*steps[b.at].packed)->memory;
      pointers.push_back(kept.get_data_handle());
      handles.push_back(kept.get());
      continue;
    }
    const void* p = nullptr;
    switch (b.source) {
      case Source::Input: p = x; break;
      case Source::Output: p = y; break;
      case Source::Residual: p = residual; break;
      case Source::Buffer: p = buffer.get() + b.at; break;
      case Source::Weights: p = weights[b.at]; break;
      case Source::Bias: p = steps[b.at].bias; break;
      case Source::Scratchpad: p = scratchpad.get(); break;
      case Source::Packed: break;
    }
    pointers.push_back(const_cast<void*>(p));
    if (b.pointer != pointers.back()) b.mem.set_data_handle(pointers.back());
    b.pointer = pointers.back();
    handles.push_back(b.mem.get());
  }
  std::vector<dnnl_exec_arg_t> args;
  for (const Action& a : r->actions) {
    if (!a.primitive) {
      std::memcpy(pointers[a.to], pointers[a.from], a.bytes);
      continue;
    }
    args.clear();
    for (const auto& [id, m] : a.args) args.push_back({id, handles[m]});
    const dnnl_status_t status =
        dnnl_primitive_execute(a.primitive->get(), stream.get(), static_cast<int>(args.size()), args.data());
    if (status != dnnl_success) throw Error("conv: oneDNN chain step failed (status " + std::to_string(status) + ")");
  }
  stream.wait();
  return true;
}

bool conv_dnnl_backward_input(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  if (!dnnl_selected(g)) return false;
  auto plan = cached_plan(Op::BackwardData, g, false);
  if (!plan->primitive) return false;
  execute(*plan, {const_cast<float*>(gy), const_cast<float*>(w), gx});
  return true;
}

bool conv_dnnl_backward_weight(const float* x, const float* gy, float* gw, const ConvGeometry& g,
                               const ConvBlocked* x_blocked) {
  if (!dnnl_selected(g)) return false;
  auto plan = cached_plan(Op::BackwardWeights, g, false);
  if (!plan->primitive) return false;
  dnnl::stream stream(cpu_engine());
  std::unordered_map<int, dnnl::memory> given;
  give_blocked_src(*plan, x_blocked, given);
  execute(*plan, {const_cast<float*>(x), const_cast<float*>(gy), gw}, stream, given);
  return true;
}

bool conv_dnnl_backward(const float* x, const float* gy, const float* w, float* gx, float* gw, const ConvGeometry& g,
                        const ConvBlocked* x_blocked) {
  if (!dnnl_selected(g)) return false;
  auto data = cached_plan(Op::BackwardData, g, false);
  auto weights = cached_plan(Op::BackwardWeights, g, false);
  if (!data->primitive || !weights->primitive) return false;
  // Both primitives read gy; when both want it in the same (blocked) layout, it is reordered once.
  const PlanArg& gy_data = plan_arg(*data, DNNL_ARG_DIFF_DST);
  const PlanArg& gy_weights = plan_arg(*weights, DNNL_ARG_DIFF_DST);
  dnnl::stream stream(cpu_engine());
  std::unordered_map<int, dnnl::memory> given;
  std::optional<Buffer> gy_inner;
  if (gy_data.reorder && gy_data.inner == gy_weights.inner) {
    gy_inner.emplace(static_cast<int64_t>(gy_data.inner.get_size()));
    given.emplace(DNNL_ARG_DIFF_DST, convert_input(gy_data, gy, gy_inner->get(), stream));
  }
  give_blocked_src(*weights, x_blocked, given);  // the data plan reads no SRC
  execute(*data, {const_cast<float*>(gy), const_cast<float*>(w), gx}, stream, given);
  execute(*weights, {const_cast<float*>(x), const_cast<float*>(gy), gw}, stream, given);
  return true;
}

}  // namespace nabla::cpu
