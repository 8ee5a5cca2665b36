// Exporters of the model zoo's blocks and models whose forward is not a plain chain of children.
// Each mirrors its module's forward (src/models/*.cpp) node by node; keep them in step.
#include <cmath>

#include "graph_builder.h"
#include "nabla/error.h"
#include "nabla/models/alexnet.h"
#include "nabla/models/cifar_resnet.h"
#include "nabla/models/densenet.h"
#include "nabla/models/googlenet.h"
#include "nabla/models/mobilenet.h"
#include "nabla/models/resnet.h"
#include "nabla/models/shufflenet.h"
#include "nabla/models/squeezenet.h"
#include "nabla/models/vgg.h"
#include "nabla/models/vit.h"

namespace nabla::onnx {

namespace {

using models::BasicBlock;

// The child `name` of `m`, or null when it has none (optional children such as downsample).
nn::Module* child(nn::Module& m, const std::string& name) {
  for (auto& [n, c] : m.named_children())
    if (n == name) return c.get();
  return nullptr;
}

// Runs the children `names` of `m` one after another on `x` (absent optional ones are skipped).
std::string chain(GraphBuilder& g, nn::Module& m, const std::string& path, std::string x,
                  const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (nn::Module* c = child(m, n)) x = g.run_child(*c, path, n, x);
  return x;
}

std::string relu(GraphBuilder& g, const std::string& path, const std::string& x) { return g.node("Relu", {x}, path); }

std::string flatten(GraphBuilder& g, const std::string& path, const std::string& x) {
  return g.node("Flatten", {x}, path, {{"axis", int64_t{1}}});
}

std::string global_mean(GraphBuilder& g, const std::string& path, const std::string& x) {  // x.mean({2, 3})
  return flatten(g, path, g.node("GlobalAveragePool", {x}, path));
}

std::string add(GraphBuilder& g, const std::string& path, const std::string& a, const std::string& b) {
  return g.node("Add", {a, b}, path);
}

std::string concat(GraphBuilder& g, const std::string& path, const std::vector<std::string>& xs) {
  return g.node("Concat", xs, path, {{"axis", int64_t{1}}});
}

// ResNet's BasicBlock / Bottleneck: relu(convs(x) + downsample(x)).
std::string residual_block(GraphBuilder& g, nn::Module& m, const std::string& path, const std::string& x, int convs) {
  std::string h = x;
  for (int i = 1; i <= convs; ++i) {
    const std::string k = std::to_string(i);
    h = chain(g, m, path, h, {"conv" + k, "bn" + k});
    if (i < convs) h = g.run_child(*child(m, "relu"), path, "relu", h);
  }
  const std::string shortcut = child(m, "downsample") ? chain(g, m, path, x, {"downsample"}) : x;
  return g.run_child(*child(m, "relu"), path, "relu", add(g, path, h, shortcut));
}

// x.slice(2, 0, H, 2).slice(3, 0, W, 2), then zero channels on both sides.
std::string pad_shortcut(GraphBuilder& g, models::PadShortcut& m, const std::string& path, const std::string& x) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  const std::string sub = g.node("Slice",
                                 {x, g.ints(path + "/starts", {0, 0}), g.ints(path + "/ends", {big, big}),
                                  g.ints(path + "/axes", {2, 3}), g.ints(path + "/steps", {2, 2})},
                                 path);
  const int64_t extra = m.out_channels - m.in_channels;
  return g.node("Pad", {sub, g.ints(path + "/pads", {0, extra / 2, 0, 0, 0, extra - extra / 2, 0, 0})}, path);
}

// (N, C, H, W) → (N, g, C/g, H, W) → swap 1 and 2 → (N, C, H, W).
std::string channel_shuffle(GraphBuilder& g, const std::string& path, const std::string& x, const Shape& s,
                            int64_t groups) {
  const int64_t C = s[1], H = s[2], W = s[3];
  std::string y = g.node("Reshape", {x, g.ints(path + "/split_shape", {0, groups, C / groups, H, W})}, path);
  y = g.node("Transpose", {y}, path, {{"perm", std::vector<int64_t>{0, 2, 1, 3, 4}}});
  return g.node("Reshape", {y, g.ints(path + "/merge_shape", {0, C, H, W})}, path);
}

std::string shuffle_block(GraphBuilder& g, models::ShuffleInvertedResidual& m, const std::string& path,
                          const std::string& x) {
  const Shape& out_shape = g.shapes(m, path).output;
  std::string out;
  if (m.stride == 1) {  // chunk(x, 2, 1): the first half passes, the second goes through branch2
    const auto halves = g.node_n("Split", {x}, 2, path, {{"axis", int64_t{1}}});
    out = concat(g, path, {halves[0], chain(g, m, path, halves[1], {"branch2"})});
  } else {
    out = concat(g, path, {chain(g, m, path, x, {"branch1"}), chain(g, m, path, x, {"branch2"})});
  }
  return channel_shuffle(g, path, out, out_shape, 2);
}

std::string dense_block(GraphBuilder& g, models::DenseBlock& m, const std::string& path, const std::string& x) {
  std::vector<std::string> features = {x};
  for (auto& [name, layer] : m.named_children())
    features.push_back(g.run_child(*layer, path, name, features.size() == 1 ? x : concat(g, path, features)));
  return concat(g, path, features);
}

// GoogLeNet's transform_input: channel c becomes x·(std_c/0.5) + (mean_c − 0.5)/0.5.
std::string googlenet_transform(GraphBuilder& g, const std::string& path, const std::string& x) {
  const double mean[3] = {0.485, 0.456, 0.406}, std_[3] = {0.229, 0.224, 0.225};
  std::vector<float> scale, shift;
  for (int c = 0; c < 3; ++c) {
    scale.push_back(static_cast<float>(std_[c] / 0.5));
    shift.push_back(static_cast<float>((mean[c] - 0.5) / 0.5));
  }
  const std::string y = g.node("Mul", {x, g.floats(path + "/transform_scale", scale, {1, 3, 1, 1})}, path);
  return g.node("Add", {y, g.floats(path + "/transform_shift", shift, {1, 3, 1, 1})}, path);
}

std::string googlenet(GraphBuilder& g, models::GoogLeNet& m, const std::string& path, const std::string& x) {
  std::string h = m.config.transform_input ? googlenet_transform(g, path, x) : x;
  // The auxiliary heads run only in training; export is eval-only.
  h = chain(g, m, path, h,
            {"conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b", "maxpool3", "inception4a",
             "inception4b", "inception4c", "inception4d", "inception4e", "maxpool4", "inception5a", "inception5b",
             "avgpool"});
  return chain(g, m, path, flatten(g, path, h), {"dropout", "fc"});
}

std::string encoder_block(GraphBuilder& g, models::EncoderBlock& m, const std::string& path, const std::string& x) {
  const std::string h = chain(g, m, path, x, {"ln_1"});
  const std::string attn = export_self_attention(g, *m.self_attention, child_path(path, "self_attention"), h);
  const std::string a = chain(g, m, path, attn, {"dropout", "drop_path"});
  const std::string y = add(g, path, a, x);
  const std::string z = chain(g, m, path, y, {"ln_2", "mlp", "drop_path"});
  return add(g, path, y, z);
}

std::string vision_transformer(GraphBuilder& g, models::VisionTransformer& m, const std::string& path,
                               const std::string& x) {
  const int64_t hidden = m.config.hidden_dim;
  // (N, C, H, W) → (N, hidden, g, g) → (N, hidden, g·g) → (N, g·g, hidden)
  std::string t = chain(g, m, path, x, {"conv_proj"});
  t = g.node("Reshape", {t, g.ints(path + "/tokens_shape", {0, hidden, -1})}, path);
  t = g.node("Transpose", {t}, path, {{"perm", std::vector<int64_t>{0, 2, 1}}});
  // class_token.expand(N, 1, hidden), N read from the input at run time.
  const std::string n =
      g.node("Gather", {g.node("Shape", {x}, path), g.ints(path + "/zero", {0})}, path, {{"axis", int64_t{0}}});
  const std::string shape =
      g.node("Concat", {n, g.ints(path + "/token_shape", {1, hidden})}, path, {{"axis", int64_t{0}}});
  const std::string cls = g.node("Expand", {g.param(path, "class_token", m.class_token), shape}, path);
  t = concat(g, path, {cls, t});
  t = g.run_child(*m.encoder, path, "encoder", t);
  // out.select(1, 0): the class token's output.
  const std::string first = g.node("Gather", {t, g.ints(path + "/first", {0})}, path, {{"axis", int64_t{1}}});
  const std::string squeezed = g.node("Squeeze", {first, g.ints(path + "/axis1", {1})}, path);
  return chain(g, m, path, squeezed, {"heads"});
}

}  // namespace

std::optional<std::string> export_zoo(GraphBuilder& g, nn::Module& module, const std::string& path,
                                      const std::string& x) {
  using namespace models;
  if (dynamic_cast<BasicBlock*>(&module)) return residual_block(g, module, path, x, 2);
  if (dynamic_cast<Bottleneck*>(&module)) return residual_block(g, module, path, x, 3);
  if (dynamic_cast<ResNet*>(&module) || dynamic_cast<CifarResNet*>(&module)) {
    std::string h = chain(g, module, path, x,
                          {"conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool"});
    return chain(g, module, path, flatten(g, path, h), {"fc"});
  }
  if (auto* m = dynamic_cast<PadShortcut*>(&module)) return pad_shortcut(g, *m, path, x);
  if (dynamic_cast<WideBasic*>(&module)) {
    const std::string a = chain(g, module, path, x, {"bn1", "relu"});
    std::string h = chain(g, module, path, a, {"conv1", "bn2", "relu", "dropout", "conv2"});
    return add(g, path, h, child(module, "shortcut") ? chain(g, module, path, a, {"shortcut"}) : x);
  }
  if (dynamic_cast<WideResNet*>(&module)) {
    std::string h = chain(g, module, path, x, {"conv1", "layer1", "layer2", "layer3", "bn", "relu", "avgpool"});
    return chain(g, module, path, flatten(g, path, h), {"fc"});
  }
  if (dynamic_cast<VGG*>(&module) || dynamic_cast<AlexNet*>(&module)) {
    std::string h = chain(g, module, path, x, {"features", "avgpool"});
    return chain(g, module, path, flatten(g, path, h), {"classifier"});
  }
  if (dynamic_cast<Fire*>(&module)) {
    const std::string s = chain(g, module, path, x, {"squeeze", "squeeze_activation"});
    return concat(g, path,
                  {chain(g, module, path, s, {"expand1x1", "expand1x1_activation"}),
                   chain(g, module, path, s, {"expand3x3", "expand3x3_activation"})});
  }
  if (dynamic_cast<SqueezeNet*>(&module))
    return flatten(g, path, chain(g, module, path, x, {"features", "classifier"}));
  if (dynamic_cast<DenseLayer*>(&module))  // dropout is the identity in eval mode
    return chain(g, module, path, x, {"norm1", "relu1", "conv1", "norm2", "relu2", "conv2"});
  if (auto* m = dynamic_cast<DenseBlock*>(&module)) return dense_block(g, *m, path, x);
  if (dynamic_cast<Transition*>(&module)) return chain(g, module, path, x, {"norm", "relu", "conv", "pool"});
  if (dynamic_cast<DenseNet*>(&module)) {
    const std::string f = relu(g, path, chain(g, module, path, x, {"features"}));
    return chain(g, module, path, global_mean(g, path, f), {"classifier"});
  }
  if (dynamic_cast<BasicConv2d*>(&module)) return relu(g, path, chain(g, module, path, x, {"conv", "bn"}));
  if (dynamic_cast<Inception*>(&module)) {
    return concat(g, path,
                  {chain(g, module, path, x, {"branch1"}), chain(g, module, path, x, {"branch2"}),
                   chain(g, module, path, x, {"branch3"}), chain(g, module, path, x, {"branch4"})});
  }
  if (auto* m = dynamic_cast<GoogLeNet*>(&module)) return googlenet(g, *m, path, x);
  if (dynamic_cast<DepthwiseSeparableConv*>(&module)) return chain(g, module, path, x, {"depthwise", "pointwise"});
  if (auto* m = dynamic_cast<InvertedResidual*>(&module)) {
    const std::string y = chain(g, module, path, x, {"conv"});
    return m->use_res_connect ? add(g, path, x, y) : y;
  }
  if (auto* m = dynamic_cast<InvertedResidualV3*>(&module)) {
    const std::string y = chain(g, module, path, x, {"block"});
    return m->use_res_connect ? add(g, path, y, x) : y;
  }
  if (dynamic_cast<SqueezeExcitation*>(&module)) {
    const std::string scale = chain(g, module, path, x, {"avgpool", "fc1", "activation", "fc2", "scale_activation"});
    return g.node("Mul", {scale, x}, path);
  }
  if (dynamic_cast<MobileNetV1*>(&module) || dynamic_cast<MobileNetV2*>(&module))
    return chain(g, module, path, global_mean(g, path, chain(g, module, path, x, {"features"})), {"classifier"});
  if (dynamic_cast<MobileNetV3*>(&module)) {
    const std::string h = chain(g, module, path, x, {"features", "avgpool"});
    return chain(g, module, path, flatten(g, path, h), {"classifier"});
  }
  if (auto* m = dynamic_cast<ChannelShuffle*>(&module))
    return channel_shuffle(g, path, x, g.shapes(*m, path).input, m->groups);
  if (auto* m = dynamic_cast<ShuffleInvertedResidual*>(&module)) return shuffle_block(g, *m, path, x);
  if (dynamic_cast<ShuffleNetV2*>(&module)) {
    const std::string h = chain(g, module, path, x, {"conv1", "maxpool", "stage2", "stage3", "stage4", "conv5"});
    return chain(g, module, path, global_mean(g, path, h), {"fc"});
  }
  if (dynamic_cast<MLPBlock*>(&module)) return chain(g, module, path, x, {"0", "1", "2", "3", "4"});
  if (auto* m = dynamic_cast<EncoderBlock*>(&module)) return encoder_block(g, *m, path, x);
  if (auto* m = dynamic_cast<Encoder*>(&module)) {
    const std::string h = add(g, path, x, g.param(path, "pos_embedding", m->pos_embedding));
    return chain(g, module, path, h, {"dropout", "layers", "ln"});
  }
  if (auto* m = dynamic_cast<VisionTransformer*>(&module)) return vision_transformer(g, *m, path, x);
  return std::nullopt;
}

}  // namespace nabla::onnx
