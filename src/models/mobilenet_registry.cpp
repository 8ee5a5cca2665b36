// The registry lines of the MobileNets (zoo_entries.h).
#include "nabla/models/mobilenet.h"
#include "nabla/models/zoo_common.h"

namespace nabla::models {

std::vector<ModelEntry> mobilenet_entries() {
  using Factory = std::shared_ptr<nn::UnaryModule> (*)(int64_t, int64_t, bool, double, double);
  struct Line {
    const char* name;
    const char* help;
    Factory factory;
  };
  const Line lines[] = {
      {"mobilenet_v1", "MobileNet v1 (Howard et al. 2017), depthwise-separable convolutions",
       [](int64_t k, int64_t c, bool s, double w, double d) -> std::shared_ptr<nn::UnaryModule> {
         return mobilenet_v1(k, c, s, w, d);
       }},
      {"mobilenet_v2", "MobileNet v2 (torchvision), inverted residuals with linear bottlenecks",
       [](int64_t k, int64_t c, bool s, double w, double d) -> std::shared_ptr<nn::UnaryModule> {
         return mobilenet_v2(k, c, s, w, d);
       }},
      {"mobilenet_v3_large", "MobileNet v3 large (torchvision), squeeze-excitation and hardswish",
       [](int64_t k, int64_t c, bool s, double w, double d) -> std::shared_ptr<nn::UnaryModule> {
         return mobilenet_v3_large(k, c, s, w, d);
       }},
      {"mobilenet_v3_small", "MobileNet v3 small (torchvision), squeeze-excitation and hardswish",
       [](int64_t k, int64_t c, bool s, double w, double d) -> std::shared_ptr<nn::UnaryModule> {
         return mobilenet_v3_small(k, c, s, w, d);
       }},
  };
  std::vector<ModelEntry> out;
  for (const Line& line : lines) {
    const std::string model = line.name;
    const Factory f = line.factory;
    out.push_back(make_entry<MobileNetOptions>(model, line.help, [model, f](const DataShape& shape, const MobileNetOptions& o) {
      return f(shape.num_classes, image_channels(shape, model), use_small_stem(o.stem, shape, model), o.width_mult,
               o.dropout);
    }));
  }
  return out;
}

}  // namespace nabla::models
