// Image decoding with stb_image and the ImageFolder dataset.
#include <stb/stb_image.h>

#include <algorithm>
#include <filesystem>

#include "nabla/data/readers.h"
#include "nabla/error.h"

namespace nabla::data {

Tensor read_image(const std::string& path, int channels) {
  NABLA_CHECK(channels >= 0 && channels <= 4 && channels != 2, "read_image: channels must be 0, 1, 3 or 4, got ",
              channels);
  int w = 0, h = 0, file_channels = 0;
  // stbi_load is thread-safe as long as no global stbi_* setting is changed.
  unsigned char* pixels = stbi_load(path.c_str(), &w, &h, &file_channels, channels);
  if (!pixels) {
    const char* reason = stbi_failure_reason();
    throw Error(str_cat("read_image: ", path, ": cannot decode the image (",
                        std::filesystem::exists(path) ? (reason ? reason : "unknown error") : "no such file", ")"));
  }
  const int c = channels == 0 ? file_channels : channels;
  // HWC bytes → CHW bytes; the decoder's buffer is freed with the view that wraps it.
  return from_blob(pixels, {h, w, c}, DType::UInt8, [](void* p) { stbi_image_free(p); }).permute({2, 0, 1}).contiguous();
}

namespace {
bool is_image_file(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  static const char* kExts[] = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".ppm", ".pgm"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}
}  // namespace

ImageFolder::ImageFolder(const std::string& root, int channels) : channels_(channels) {
  NABLA_CHECK(std::filesystem::is_directory(root), "ImageFolder: ", root, " is not a directory");
  NABLA_CHECK(channels >= 0 && channels <= 4 && channels != 2, "ImageFolder: channels must be 0, 1, 3 or 4, got ",
              channels);
  for (const auto& entry : std::filesystem::directory_iterator(root))
    if (entry.is_directory()) classes_.push_back(entry.path().filename().string());
  std::sort(classes_.begin(), classes_.end());
  NABLA_CHECK(!classes_.empty(), "ImageFolder: ", root, " has no class sub-directories");
  for (size_t c = 0; c < classes_.size(); ++c) {
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(std::filesystem::path(root) / classes_[c]))
      if (entry.is_regular_file() && is_image_file(entry.path())) paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
    for (auto& p : paths) files_.emplace_back(std::move(p), static_cast<int64_t>(c));
  }
  NABLA_CHECK(!files_.empty(), "ImageFolder: no image files under ", root);
}

Example ImageFolder::get(int64_t index) const {
  check_index("ImageFolder::get", index, size());
  const auto& [path, label] = files_[index];
  return {read_image(path, channels_).to(DType::Float32), scalar_tensor(static_cast<double>(label), DType::Int64)};
}

}  // namespace nabla::data
