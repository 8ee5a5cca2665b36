// CIFAR-10 and CIFAR-100 binary files.
#include <filesystem>

#include "nabla/data/readers.h"
#include "nabla/error.h"
#include "io/io_util.h"

namespace nabla::data {

namespace {
constexpr int64_t kCifarPixels = 3 * 32 * 32;
}

void CIFAR10::read_records(const std::string& path, int64_t label_bytes, int64_t label_offset, int64_t num_classes,
                           std::vector<uint8_t>& pixels, std::vector<int64_t>& labels) {
  std::vector<uint8_t> bytes = io::detail::read_file(path, "CIFAR");
  const int64_t record = label_bytes + kCifarPixels;
  const int64_t size = static_cast<int64_t>(bytes.size());
  NABLA_CHECK(size > 0, "CIFAR: ", path, ": the file is empty");
  NABLA_CHECK(size % record == 0, "CIFAR: ", path, ": truncated record at offset ", size - size % record, " (",
              size % record, " of ", record, " bytes; the file has ", size, " bytes, not a multiple of ", record, ")");
  const int64_t n = size / record;
  pixels.reserve(pixels.size() + n * kCifarPixels);
  for (int64_t r = 0; r < n; ++r) {
    const uint8_t* rec = bytes.data() + r * record;
    const int64_t label = rec[label_offset];
    NABLA_CHECK(label < num_classes, "CIFAR: ", path, ": label ", label, " at offset ", r * record + label_offset,
                " (record ", r, ") is outside [0, ", num_classes, ")");
    labels.push_back(label);
    pixels.insert(pixels.end(), rec + label_bytes, rec + record);
  }
}

CIFAR10::CIFAR10(const std::string& root, bool train) {
  std::vector<std::string> names;
  if (train)
    for (int k = 1; k <= 5; ++k) names.push_back("data_batch_" + std::to_string(k) + ".bin");
  else
    names.push_back("test_batch.bin");
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  for (const auto& name : names)
    read_records((std::filesystem::path(root) / name).string(), 1, 0, 10, pixels, labels);
  const int64_t n = static_cast<int64_t>(labels.size());
  set_tensors(from_vector(pixels, Shape{n, 3, 32, 32}), from_vector(labels, Shape{n}));
}

Example CIFAR10::get(int64_t index) const {
  Example e = TensorDataset::get(index);
  e.input = e.input.to(DType::Float32);
  return e;
}

bool CIFAR10::get_batch(const std::vector<int64_t>& indices, Batch& out) const {
  TensorDataset::get_batch(indices, out);
  out.input = out.input.to(DType::Float32);
  return true;
}

std::vector<std::string> CIFAR10::classes() {
  return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
}

CIFAR100::CIFAR100(const std::string& root, bool train, bool coarse_labels) {
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  read_records((std::filesystem::path(root) / (train ? "train.bin" : "test.bin")).string(), 2, coarse_labels ? 0 : 1,
               coarse_labels ? 20 : 100, pixels, labels);
  const int64_t n = static_cast<int64_t>(labels.size());
  set_tensors(from_vector(pixels, Shape{n, 3, 32, 32}), from_vector(labels, Shape{n}));
}

}  // namespace nabla::data
