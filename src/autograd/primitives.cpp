// The index of differentiable primitives (see nabla/autograd/primitives.h). g is the gradient of
// the output, y the output, x the input; "sum_to" reduces a broadcast gradient to the input's shape.
#include "nabla/autograd/primitives.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

#include "nabla/error.h"

namespace nabla::autograd {
namespace {

std::vector<Primitive> sorted_table() {
  std::vector<Primitive> t = {
      // ---- arithmetic ----
      {"add", "a: sum_to(g); b: sum_to(alpha·g)", true},
      {"sub", "a: sum_to(g); b: sum_to(−alpha·g)", true},
      {"neg", "−g", true},
      {"mul", "a: sum_to(g·b); b: sum_to(g·a)", true},
      {"div", "a: sum_to(g/b); b: sum_to(−g·a/b²)", true},
      {"pow", "x: g·e·x^(e−1) (0 where e = 0); e: g·y·ln x (0 where x = 0, e ≥ 0)", true},
      {"maximum", "g to the larger input, split evenly on ties", false},
      {"minimum", "g to the smaller input, split evenly on ties", false},
      {"where", "a: sum_to(g where cond); b: sum_to(g where not cond)", true},
      // ---- unary math ----
      {"exp", "g·y", true},
      {"log", "g/x", true},
      {"sqrt", "g/(2y)", true},
      {"rsqrt", "−g·y³/2", true},
      {"abs", "g·sign(x)", true},
      {"sign", "0", true},
      {"clamp", "g where min ≤ x ≤ max, else 0", true},
      {"sigmoid", "g·y·(1 − y)", true},
      {"tanh", "g·(1 − y²)", true},
      {"erf", "g·2/√π·exp(−x²)", true},
      {"relu", "g where y > 0, else 0", true},
      // ---- activations (nn::functional) ----
      {"leaky_relu", "g where x > 0, else slope·g", false},
      {"elu", "g where x > 0, else g·alpha·eˣ", false},
      {"selu", "scale·g where x > 0, else g·scale·alpha·eˣ", false},
      {"gelu", "g·(Φ(x) + x·φ(x)) (or its tanh approximation)", false},
      {"silu", "g·σ(x)·(1 + x·(1 − σ(x)))", false},
      {"softplus", "g·σ(beta·x) (g above the threshold)", false},
      {"hardtanh", "g where min < x < max, else 0", false},
      {"relu6", "g where 0 < x < 6, else 0", false},
      {"hardsigmoid", "g/6 where −3 < x < 3, else 0", false},
      {"hardswish", "0 where x < −3, g·(x/3 + ½) where x ≤ 3, else g", false},
      // ---- reductions ----
      {"sum", "g expanded over the reduced dims", true},
      {"max", "g to the arg-max (dim form) or split evenly among ties (full reduction)", true},
      {"min", "g to the arg-min (dim form) or split evenly among ties (full reduction)", true},
      {"cumsum", "reverse cumulative sum of g along dim", true},
      {"logsumexp", "g·softmax(x) over the reduced dims", false},
      {"softmax", "y·(g − Σ g·y) along dim", true},
      {"log_softmax", "g − softmax(x)·Σ g along dim", true},
      {"sort", "g scattered back through the permutation", true},
      {"topk", "g scattered back to the selected positions", true},
      // ---- linear algebra ----
      {"mm", "a: g·bᵀ; b: aᵀ·g", true},
      {"bmm", "a: g·bᵀ; b: aᵀ·g per batch", true},
      {"matmul", "a: g·bᵀ; b: aᵀ·g per batch, batch dims read through their strides", true},
      {"linear", "x: g·W; W: gᵀ·x; b: Σ g over rows", true},
      // ---- views and copies ----
      {"view", "g reshaped to x's shape", true},
      {"squeeze", "g reshaped to x's shape", true},
      {"unsqueeze", "g reshaped to x's shape", true},
      {"permute", "g permuted back", true},
      {"expand", "sum_to(g, x's shape)", true},
      {"slice", "slice_backward(g): zeros with g in the slice", true},
      {"select", "slice_backward(g): zeros with g at the index", true},
      {"slice_backward", "the slice of g", true},
      {"contiguous", "g", true},
      {"clone", "g", true},
      {"to", "g converted back to x's dtype", true},
      {"copy_", "self: 0; src: sum_to(g) in src's dtype", true},
      {"fill_", "0", true},
      // ---- joining and splitting ----
      {"cat", "the matching slice of g for each input", true},
      {"split", "cat of the pieces' gradients (zeros where a piece got none)", true},
      {"unbind", "stack of the slices' gradients (zeros where a slice got none)", true},
      {"pad", "the interior of g (constant), or g folded back onto the input (reflect, replicate, circular)", false},
      // ---- indexing ----
      {"gather", "scatter_add(zeros, dim, index, g)", true},
      {"scatter", "x: g with the scattered positions zeroed; src: gather(g, dim, index)", true},
      {"scatter_add", "x: g; src: gather(g, dim, index)", true},
      {"index_select", "index_add(zeros, dim, index, g)", true},
      {"index_add", "x: g; source: index_select(g, dim, index)", true},
      {"masked_fill", "g with the masked positions zeroed", true},
      {"embedding", "rows of g added into the used rows of the weight (padding_idx excluded)", false},
      // ---- convolution, pooling, resampling ----
      {"conv1d", "x: transposed convolution of g; w: correlation of x with g; b: Σ g", false},
      {"conv2d", "x: transposed convolution of g; w: correlation of x with g; b: Σ g", false},
      {"conv3d", "x: transposed convolution of g; w: correlation of x with g; b: Σ g", false},
      {"conv_transpose1d", "x: convolution of g; w: correlation of g with x; b: Σ g", false},
      {"conv_transpose2d", "x: convolution of g; w: correlation of g with x; b: Σ g", false},
      {"conv_transpose3d", "x: convolution of g; w: correlation of g with x; b: Σ g", false},
      {"max_pool1d", "g routed to each window's maximum", false},
      {"max_pool2d", "g routed to each window's maximum", false},
      {"max_pool3d", "g routed to each window's maximum", false},
      {"avg_pool1d", "g spread evenly over each window", false},
      {"avg_pool2d", "g spread evenly over each window", false},
      {"avg_pool3d", "g spread evenly over each window", false},
      {"adaptive_avg_pool1d", "g spread evenly over each adaptive window", false},
      {"adaptive_avg_pool2d", "g spread evenly over each adaptive window", false},
      {"adaptive_avg_pool3d", "g spread evenly over each adaptive window", false},
      {"adaptive_max_pool1d", "g routed to each adaptive window's maximum", false},
      {"adaptive_max_pool2d", "g routed to each adaptive window's maximum", false},
      {"adaptive_max_pool3d", "g routed to each adaptive window's maximum", false},
      {"max_unpool2d", "g gathered at the indices", false},
      {"lp_pool1d", "the average-pool rule, inside LP pooling (x^p → avg → ^(1/p))", false},
      {"lp_pool2d", "the average-pool rule, inside LP pooling (x^p → avg → ^(1/p))", false},
      {"upsample_nearest", "g summed back onto the source pixel of each output pixel", false},
      {"upsample_bilinear", "g summed back onto the four source pixels with the bilinear weights", false},
      // ---- normalisation ----
      {"batch_norm", "x: (w/σ)·(g − mean g − x̂·mean(g·x̂)); w: Σ g·x̂; b: Σ g", false},
      {"batch_norm_relu", "batch_norm's rule applied to g masked where the output is 0", false},
      {"batch_norm_relu6", "batch_norm's rule applied to g masked where the output is 0 or 6", false},
      {"conv_batch_norm", "batch_norm(_relu, _relu6)'s rule, then the convolution's (dy in oneDNN's blocked layout)",
       false},
      {"layer_norm", "x: (w/σ)·(g − mean g − x̂·mean(g·x̂)) per row; w: Σ g·x̂; b: Σ g", false},
      {"group_norm", "x: per group as layer_norm; w: Σ g·x̂; b: Σ g", false},
      {"instance_norm", "x: per (sample, channel) as layer_norm; w: Σ g·x̂; b: Σ g", false},
      // ---- recurrent cells ----
      {"lstm_cell", "gi, gh: dc·(g, c, i)·σ'/tanh' per gate with dc = g_c + g_h·o·(1 − tanh²c'); c: dc·f", false},
      {"gru_cell", "gi, gh: per gate through σ'/tanh' (gh_n also ·r); h: g·z", false},
      // ---- losses ----
      {"cross_entropy", "(softmax(x) − smoothed one-hot target)·weight / normaliser", false},
      {"nll_loss", "−weight·g at the target class / normaliser", false},
      {"binary_cross_entropy", "x: g·(x − y)/(x·(1 − x)); y: g·log((1 − x)/x)", false},
      {"binary_cross_entropy_with_logits", "x: g·((1 + (pw − 1)·y)·σ(x) − pw·y); y: −g·x·… ; pw: −g·y·log σ(x)", false},
  };
  std::sort(t.begin(), t.end(), [](const Primitive& a, const Primitive& b) { return std::string_view(a.name) < b.name; });
  return t;
}

}  // namespace

const std::vector<Primitive>& primitives() {
  static const std::vector<Primitive> table = sorted_table();
  return table;
}

namespace {
// Primitives registered at run time (custom ops of a program), by name. The strings are owned here.
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::pair<std::string, Primitive>, std::less<>> entries;
};
Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

const Primitive* find_primitive(std::string_view name) {
  const auto& t = primitives();
  auto it = std::lower_bound(t.begin(), t.end(), name,
                             [](const Primitive& p, std::string_view n) { return std::string_view(p.name) < n; });
  if (it != t.end() && it->name == name) return &*it;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto c = r.entries.find(name);
  return c == r.entries.end() ? nullptr : &c->second.second;
}

void register_primitive(const std::string& name, const std::string& gradient, bool double_differentiable) {
  NABLA_CHECK(!name.empty(), "register_primitive: the name must not be empty");
  const auto& t = primitives();
  NABLA_CHECK(!std::any_of(t.begin(), t.end(), [&](const Primitive& p) { return name == p.name; }),
              "register_primitive: '", name, "' is a built-in primitive");
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto [it, inserted] = r.entries.try_emplace(name);
  if (!inserted) return;  // registering the same custom op twice is harmless
  it->second.first = gradient;
  // The map's nodes never move, so the entry can point into its own key and string.
  it->second.second = Primitive{it->first.c_str(), it->second.first.c_str(), double_differentiable};
}

}  // namespace nabla::autograd
