// Convolution layers over nn::functional's conv ops.
#include "nabla/nn/conv.h"

#include <cmath>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "nabla/random.h"

namespace nabla::nn {
namespace {

namespace F = functional;

IntList expand(const ConvInts& v, int64_t spatial, const char* layer, const char* what, int64_t min) {
  NABLA_CHECK(v.values.size() == 1 || static_cast<int64_t>(v.values.size()) == spatial, layer, ": expected ", what,
              " to be a single integer or a list of ", spatial, " integers, got ", v.values);
  IntList out = v.values.size() == 1 ? IntList(spatial, v.values[0]) : v.values;
  for (int64_t e : out)
    NABLA_CHECK(e >= min, layer, ": ", what, " must be ", min == 0 ? "non-negative" : "positive", ", got ", v.values);
  return out;
}

// Python tuple text: (3,) or (3, 3).
std::string tuple_str(const IntList& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

bool all_equal(const IntList& v, int64_t x) {
  for (int64_t e : v)
    if (e != x) return false;
  return true;
}

}  // namespace

ConvNd::ConvNd(int64_t spatial, const ConvOptions& o)
    : ConvNd(spatial, false, o.in_channels, o.out_channels, o.kernel_size, o.stride, o.padding, o.dilation, 0, o.groups,
             o.bias, o.padding_mode) {}

ConvNd::ConvNd(int64_t spatial, const ConvTransposeOptions& o)
    : ConvNd(spatial, true, o.in_channels, o.out_channels, o.kernel_size, o.stride, o.padding.values, o.dilation,
             o.output_padding, o.groups, o.bias, o.padding_mode) {}

ConvNd::ConvNd(int64_t spatial, bool transposed_, int64_t in_channels_, int64_t out_channels_,
               const ConvInts& kernel_size_, const ConvInts& stride_, const ConvPadding& padding_,
               const ConvInts& dilation_, const ConvInts& output_padding_, int64_t groups_, bool bias_,
               const std::string& padding_mode_)
    : in_channels(in_channels_), out_channels(out_channels_), groups(groups_), transposed(transposed_), spatial_(spatial) {
  const std::string name_str = name();
  const char* layer = name_str.c_str();
  NABLA_CHECK(in_channels > 0 && out_channels > 0, layer, ": in_channels and out_channels must be positive, got ",
              in_channels, " and ", out_channels);
  NABLA_CHECK(groups > 0, layer, ": groups must be a positive integer, got ", groups);
  NABLA_CHECK(in_channels % groups == 0, layer, ": in_channels (", in_channels, ") must be divisible by groups (", groups, ")");
  NABLA_CHECK(out_channels % groups == 0, layer, ": out_channels (", out_channels, ") must be divisible by groups (",
              groups, ")");
  kernel_size = expand(kernel_size_, spatial, layer, "kernel_size", 1);
  stride = expand(stride_, spatial, layer, "stride", 1);
  dilation = expand(dilation_, spatial, layer, "dilation", 1);
  output_padding = expand(output_padding_, spatial, layer, "output_padding", 0);
  padding_mode = padding_mode_from_string(padding_mode_);
  if (padding_.mode.empty()) {
    padding = expand(ConvInts(padding_.values), spatial, layer, "padding", 0);
  } else {
    NABLA_CHECK(padding_.mode == "same" || padding_.mode == "valid", layer, ": invalid padding string '", padding_.mode,
                "', should be one of {'valid', 'same'}");
    NABLA_CHECK(padding_.mode != "same" || all_equal(stride, 1), layer,
                ": padding='same' is not supported for strided convolutions (stride=", tuple_str(stride), ")");
    padding_str = padding_.mode;
    padding = IntList(spatial, 0);
    if (padding_str == "same")
      for (int64_t d = 0; d < spatial; ++d) padding[d] = dilation[d] * (kernel_size[d] - 1) / 2;
  }
  NABLA_CHECK(!transposed || padding_mode == PaddingMode::Zeros, layer,
              ": only \"zeros\" padding mode is supported, got padding_mode='", padding_mode_, "'");

  Shape wshape = transposed ? Shape{in_channels, out_channels / groups} : Shape{out_channels, in_channels / groups};
  wshape.insert(wshape.end(), kernel_size.begin(), kernel_size.end());
  weight = empty(wshape);
  if (bias_) bias = empty({out_channels});
  reset_parameters();
  register_parameter("weight", &weight);
  register_parameter("bias", &bias);
}

void ConvNd::reset_parameters() {
  NoGradGuard no_grad;
  // kaiming_uniform_(a=√5): gain √(2/(1+5)) = √(1/3), bound = gain·√(3/fan_in) = 1/√fan_in.
  int64_t fan_in = weight.size(1);
  for (int64_t k : kernel_size) fan_in *= k;
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  uniform_(weight, -bound, bound);
  if (bias.defined()) uniform_(bias, -bound, bound);
}

std::string ConvNd::name() const { return str_cat(transposed ? "ConvTranspose" : "Conv", spatial_, "d"); }

std::string ConvNd::extra_repr() const {
  std::string s = str_cat(in_channels, ", ", out_channels, ", kernel_size=", tuple_str(kernel_size),
                          ", stride=", tuple_str(stride));
  if (!padding_str.empty())
    s += ", padding=" + padding_str;
  else if (!all_equal(padding, 0))
    s += ", padding=" + tuple_str(padding);
  if (!all_equal(dilation, 1)) s += ", dilation=" + tuple_str(dilation);
  if (!all_equal(output_padding, 0)) s += ", output_padding=" + tuple_str(output_padding);
  if (groups != 1) s += str_cat(", groups=", groups);
  if (!bias.defined()) s += ", bias=False";
  if (padding_mode != PaddingMode::Zeros) s += ", padding_mode=" + nn::to_string(padding_mode);
  return s;
}

void ConvNd::check_input(const Tensor& input) const {
  const int64_t spatial = spatial_dims();
  const int64_t channels = in_channels;
  static const char* kDimNames[3][3] = {{"L"}, {"H", "W"}, {"D", "H", "W"}};
  std::string expected = "[";
  for (int64_t d = 0; d < spatial; ++d) expected += std::string(", ") + kDimNames[spatial - 1][d];
  const std::string batched = str_cat("[N, ", channels, expected.substr(1), "]");
  const std::string unbatched = str_cat("[", channels, expected.substr(1), "]");
  NABLA_CHECK(input.defined(), name(), ": input is an undefined tensor");
  const bool rank_ok = input.dim() == spatial + 1 || input.dim() == spatial + 2;
  const int64_t got_channels = rank_ok ? input.size(input.dim() - spatial - 1) : -1;
  NABLA_CHECK(rank_ok && got_channels == channels, name(), ": expected input of shape ", batched, " or ", unbatched,
              ", got ", input.shape(),
              rank_ok ? str_cat(" (", got_channels, " channels instead of ", channels, ")")
                      : str_cat(" (", input.dim(), " dims instead of ", spatial + 2, " or ", spatial + 1, ")"));
}

Tensor ConvNd::forward(const Tensor& input) {
  check_input(input);
  if (transposed) {
    switch (spatial_) {
      case 1:
        return F::conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation);
      case 2:
        return F::conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation);
      default:
        return F::conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation);
    }
  }
  switch (spatial_) {
    case 1:
      return F::conv1d(input, weight, bias, stride, padding_arg(), dilation, groups, padding_mode);
    case 2:
      return F::conv2d(input, weight, bias, stride, padding_arg(), dilation, groups, padding_mode);
    default:
      return F::conv3d(input, weight, bias, stride, padding_arg(), dilation, groups, padding_mode);
  }
}

std::optional<SummaryGeometry::SpatialGeometry> ConvNd::spatial_geometry() const {
  if (transposed) return std::nullopt;
  return SpatialGeometry{kernel_size, stride, padding, dilation};
}

int64_t ConvNd::multiply_adds(const Shape& input, const Shape& output) const {
  // Positions are counted over the batch too: numel / channels works for batched and unbatched shapes.
  const int64_t out_positions = shape_numel(output) / out_channels;
  const int64_t bias_elems = bias.defined() ? bias.numel() : 0;
  if (!transposed) return (weight.numel() + bias_elems) * out_positions;
  const int64_t in_positions = shape_numel(input) / in_channels;
  return weight.numel() * in_positions + bias_elems * out_positions;
}

}  // namespace nabla::nn
