// ShuffleNet v2: channel shuffle, the unit, the network, its factories and registry lines.
#include "nabla/models/shufflenet.h"

#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/pool.h"
#include "nabla/nn/shape_layers.h"
#include "nabla/ops.h"
#include "cnn_util.h"

namespace nabla::models {
namespace {

std::shared_ptr<nn::Conv2d> conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                                 int64_t groups = 1) {
  return std::make_shared<nn::Conv2d>(in, out, kernel, stride, padding, 1, groups, /*bias=*/false);
}

std::shared_ptr<ShuffleNetV2> make(const std::vector<int64_t>& channels, int64_t num_classes, int64_t in_channels,
                                   bool small_input) {
  return std::make_shared<ShuffleNetV2>(std::vector<int64_t>{4, 8, 4}, channels, num_classes, in_channels, small_input);
}

}  // namespace

Tensor channel_shuffle(const Tensor& x, int64_t groups) {
  NABLA_CHECK(x.dim() == 4, "channel_shuffle: expected input of shape (N, C, H, W), got ", x.shape());
  NABLA_CHECK(groups > 0 && x.size(1) % groups == 0, "channel_shuffle: channels (", x.size(1),
              ") of input of shape ", x.shape(), " must be divisible by groups (", groups, ")");
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.reshape({n, groups, c / groups, h, w}).transpose(1, 2).contiguous().view({n, c, h, w});
}

ChannelShuffle::ChannelShuffle(int64_t groups) : groups(groups) {
  NABLA_CHECK(groups > 0, "ChannelShuffle: groups must be positive, got ", groups);
}

ShuffleInvertedResidual::ShuffleInvertedResidual(int64_t in_channels, int64_t out_channels, int64_t stride)
    : stride(stride) {
  NABLA_CHECK(stride >= 1 && stride <= 3, "ShuffleNetV2 InvertedResidual: stride must be 1, 2 or 3, got ", stride);
  const int64_t b = out_channels / 2;
  NABLA_CHECK(stride > 1 || in_channels == 2 * b, "ShuffleNetV2 InvertedResidual: with stride 1, in_channels (",
              in_channels, ") must equal 2·(out_channels/2) = ", 2 * b);
  branch1 = std::make_shared<nn::Sequential>();
  if (stride > 1) {
    branch1->push_back(conv(in_channels, in_channels, 3, stride, 1, in_channels));
    branch1->push_back(std::make_shared<nn::BatchNorm2d>(in_channels));
    branch1->push_back(conv(in_channels, b, 1, 1, 0));
    branch1->push_back(std::make_shared<nn::BatchNorm2d>(b));
    branch1->push_back(std::make_shared<nn::ReLU>());
  }
  register_module("branch1", branch1);
  branch2 = std::make_shared<nn::Sequential>();
  branch2->push_back(conv(stride > 1 ? in_channels : b, b, 1, 1, 0));
  branch2->push_back(std::make_shared<nn::BatchNorm2d>(b));
  branch2->push_back(std::make_shared<nn::ReLU>());
  branch2->push_back(conv(b, b, 3, stride, 1, b));
  branch2->push_back(std::make_shared<nn::BatchNorm2d>(b));
  branch2->push_back(conv(b, b, 1, 1, 0));
  branch2->push_back(std::make_shared<nn::BatchNorm2d>(b));
  branch2->push_back(std::make_shared<nn::ReLU>());
  register_module("branch2", branch2);
}

Tensor ShuffleInvertedResidual::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4, "ShuffleNetV2 InvertedResidual: expected input of shape (N, C, H, W), got ", x.shape());
  Tensor out;
  if (stride == 1) {
    const auto halves = chunk(x, 2, 1);
    out = cat({halves[0], (*branch2)(halves[1])}, 1);
  } else {
    out = cat({(*branch1)(x), (*branch2)(x)}, 1);
  }
  return channel_shuffle(out, 2);
}

ShuffleNetV2::ShuffleNetV2(const std::vector<int64_t>& stages_repeats, const std::vector<int64_t>& stages_out_channels,
                           int64_t num_classes, int64_t in_channels, bool small_input) {
  NABLA_CHECK(stages_repeats.size() == 3, "ShuffleNetV2: expected stages_repeats as 3 positive ints, got ",
              stages_repeats.size());
  NABLA_CHECK(stages_out_channels.size() == 5, "ShuffleNetV2: expected stages_out_channels as 5 positive ints, got ",
              stages_out_channels.size());
  NABLA_CHECK(num_classes > 0, "ShuffleNetV2: num_classes must be positive, got ", num_classes);
  NABLA_CHECK(in_channels > 0, "ShuffleNetV2: in_channels must be positive, got ", in_channels);
  int64_t channels = stages_out_channels[0];
  conv1 = std::make_shared<nn::Sequential>();
  conv1->push_back(conv(in_channels, channels, 3, small_input ? 1 : 2, 1));
  conv1->push_back(std::make_shared<nn::BatchNorm2d>(channels));
  conv1->push_back(std::make_shared<nn::ReLU>());
  register_module("conv1", conv1);
  if (small_input) maxpool = std::make_shared<nn::Identity>();
  else maxpool = std::make_shared<nn::MaxPool2d>(3, 2, 1);
  register_module("maxpool", maxpool);
  std::shared_ptr<nn::Sequential>* stages[3] = {&stage2, &stage3, &stage4};
  for (size_t s = 0; s < 3; ++s) {
    const int64_t out = stages_out_channels[s + 1];
    auto seq = std::make_shared<nn::Sequential>();
    seq->push_back(std::make_shared<ShuffleInvertedResidual>(channels, out, 2));
    for (int64_t i = 1; i < stages_repeats[s]; ++i) seq->push_back(std::make_shared<ShuffleInvertedResidual>(out, out, 1));
    *stages[s] = register_module("stage" + std::to_string(s + 2), seq);
    channels = out;
  }
  const int64_t last = stages_out_channels[4];
  conv5 = std::make_shared<nn::Sequential>();
  conv5->push_back(conv(channels, last, 1, 1, 0));
  conv5->push_back(std::make_shared<nn::BatchNorm2d>(last));
  conv5->push_back(std::make_shared<nn::ReLU>());
  register_module("conv5", conv5);
  fc = register_module("fc", std::make_shared<nn::Linear>(last, num_classes));
}

Tensor ShuffleNetV2::forward(const Tensor& x) {
  Tensor y = (*maxpool)((*conv1)(x));
  y = (*conv5)((*stage4)((*stage3)((*stage2)(y))));
  return (*fc)(detail::global_average(y));
}

std::shared_ptr<ShuffleNetV2> shufflenet_v2_x0_5(int64_t num_classes, int64_t in_channels, bool small_input) {
  return make({24, 48, 96, 192, 1024}, num_classes, in_channels, small_input);
}
std::shared_ptr<ShuffleNetV2> shufflenet_v2_x1_0(int64_t num_classes, int64_t in_channels, bool small_input) {
  return make({24, 116, 232, 464, 1024}, num_classes, in_channels, small_input);
}
std::shared_ptr<ShuffleNetV2> shufflenet_v2_x1_5(int64_t num_classes, int64_t in_channels, bool small_input) {
  return make({24, 176, 352, 704, 1024}, num_classes, in_channels, small_input);
}
std::shared_ptr<ShuffleNetV2> shufflenet_v2_x2_0(int64_t num_classes, int64_t in_channels, bool small_input) {
  return make({24, 244, 488, 976, 2048}, num_classes, in_channels, small_input);
}

std::vector<ModelEntry> shufflenet_entries() {
  using Factory = std::shared_ptr<ShuffleNetV2> (*)(int64_t, int64_t, bool);
  const std::pair<const char*, Factory> models[] = {{"shufflenet_v2_x0_5", shufflenet_v2_x0_5},
                                                    {"shufflenet_v2_x1_0", shufflenet_v2_x1_0},
                                                    {"shufflenet_v2_x1_5", shufflenet_v2_x1_5},
                                                    {"shufflenet_v2_x2_0", shufflenet_v2_x2_0}};
  std::vector<ModelEntry> out;
  for (const auto& [name, factory] : models) {
    const std::string model = name;
    const Factory f = factory;
    out.push_back(make_entry<ShuffleNetOptions>(
        model, "ShuffleNet v2 (torchvision), channel split and shuffle units",
        [model, f](const DataShape& shape, const ShuffleNetOptions& o) {
          return f(shape.num_classes, image_channels(shape, model), use_small_stem(o.stem, shape, model));
        }));
  }
  return out;
}

}  // namespace nabla::models
