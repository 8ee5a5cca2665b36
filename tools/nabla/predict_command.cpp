// `nabla predict CHECKPOINT IMAGE…` (a checkpoint or .onnx model): top-k classes with
// probabilities for image files. Images are decoded with stb_image, converted to the model's
// channel count, resized to its input size by area averaging and normalised as in training.
// Fashion-MNIST shows light garments on a dark background; photos of dark objects on white should
// be inverted first.
#include <stb/stb_image.h>

#include <cstdio>
#include <filesystem>

#include "checkpoint.h"
#include "commands.h"
#include "image_data.h"
#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::cli {

namespace {

// Box-filter resize of a (C, H, W) uint8 image to (C, size, size), then (v/255 − mean)/std.
Tensor load_image(const std::string& path, int64_t channels, int64_t size, const Normalization& norm) {
  NABLA_CHECK(std::filesystem::exists(path), "nabla predict: image '", path, "' does not exist");
  int w = 0, h = 0, n = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &w, &h, &n, static_cast<int>(channels));
  if (!pixels) throw Error("nabla predict: cannot decode image '" + path + "': " + stbi_failure_reason());
  Tensor out = empty({1, channels, size, size});
  float* o = out.data_ptr<float>();
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t oy = 0; oy < size; ++oy)
      for (int64_t ox = 0; ox < size; ++ox) {
        const int64_t y0 = oy * h / size, y1 = std::max(y0 + 1, (oy + 1) * h / size);
        const int64_t x0 = ox * w / size, x1 = std::max(x0 + 1, (ox + 1) * w / size);
        double sum = 0;
        for (int64_t y = y0; y < y1; ++y)
          for (int64_t x = x0; x < x1; ++x) sum += pixels[(y * w + x) * channels + c];
        const double v = sum / double((y1 - y0) * (x1 - x0)) / 255.0;
        o[(c * size + oy) * size + ox] = static_cast<float>((v - norm.mean_of(c)) / norm.std_of(c));
      }
  stbi_image_free(pixels);
  return out;
}

}  // namespace

int run_predict(const std::string& checkpoint, const std::vector<std::string>& images, int64_t top_k) {
  NABLA_CHECK(top_k > 0, "nabla predict: --top-k must be positive, got ", top_k);
  // Weights change here only through load_state_dict: inference may keep them converted.
  ops::set_conv_weight_cache(true);
  const LoadedModel m = load_model_checkpoint(checkpoint);
  const auto& names = m.info.class_names;
  const auto& shape = m.spec.data.input_shape;
  NABLA_CHECK(shape.size() == 3 && shape[1] == shape[2], "nabla predict: reads images, but the model of '", checkpoint,
              "' takes inputs of shape ", shape, " (feature vectors: use nabla eval)");
  const int64_t k = std::min(top_k, m.spec.data.num_classes);
  NoGradGuard no_grad;
  for (const auto& path : images) {
    const Tensor x = load_image(path, shape[0], shape[1], m.norm);
    const Tensor probs = softmax((*m.model)(x), 1);
    const auto [values, indices] = topk(probs, k, 1);
    const Tensor v = values.contiguous(), idx = indices.contiguous();
    std::printf("%s\n", path.c_str());
    for (int64_t i = 0; i < k; ++i) {
      const int64_t c = idx.data_ptr<int64_t>()[i];
      std::printf("  %2lld %-12s %6.2f%%\n", static_cast<long long>(c), c < int64_t(names.size()) ? names[c].c_str() : "",
                  100.0 * v.data_ptr<float>()[i]);
    }
  }
  return 0;
}

}  // namespace nabla::cli
