// IDX byte loading for k-NN and the per-class accuracy metric.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "nabla/classic/knn.h"
#include "nabla/error.h"

using namespace nabla;
using namespace nabla::classic;

namespace {

// Writes a uint8 IDX file with the given dims (big-endian sizes) and bytes; returns its path.
std::string write_idx(const std::string& name, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& bytes) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream f(path, std::ios::binary);
  const uint8_t magic[4] = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  f.write(reinterpret_cast<const char*>(magic), 4);
  for (uint32_t d : dims) {
    const uint8_t be[4] = {uint8_t(d >> 24), uint8_t(d >> 16), uint8_t(d >> 8), uint8_t(d)};
    f.write(reinterpret_cast<const char*>(be), 4);
  }
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace

TEST(KnnData, ReadsImagesAsByteRowsWithLimit) {
  std::vector<uint8_t> bytes(3 * 2 * 2);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(10 * i);
  const std::string path = write_idx("nabla_knn_data_images.idx", {3, 2, 2}, bytes);
  const Tensor all = read_idx_images(path);
  EXPECT_EQ(all.dtype(), DType::UInt8);
  EXPECT_EQ(all.shape(), (Shape{3, 4}));
  EXPECT_EQ(all.to_vector<uint8_t>(), bytes);
  const Tensor two = read_idx_images(path, 2);
  EXPECT_EQ(two.shape(), (Shape{2, 4}));
  EXPECT_EQ(two.to_vector<uint8_t>(), std::vector<uint8_t>(bytes.begin(), bytes.begin() + 8));
  EXPECT_EQ(read_idx_images(path, 100).size(0), 3);  // a limit above N keeps all rows
  EXPECT_THROW(read_idx_images(path, -1), Error);
  std::filesystem::remove(path);
}

TEST(KnnData, ReadsLabelsAndRejectsWrongShapes) {
  const std::string labels = write_idx("nabla_knn_data_labels.idx", {4}, {3, 1, 4, 1});
  EXPECT_EQ(read_idx_labels(labels).to_vector<int64_t>(), (std::vector<int64_t>{3, 1, 4, 1}));
  EXPECT_EQ(read_idx_labels(labels, 2).to_vector<int64_t>(), (std::vector<int64_t>{3, 1}));
  try {
    read_idx_images(labels);
    FAIL() << "a label file read as images must raise";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected uint8 images of shape (N, H, W)"), std::string::npos) << e.what();
  }
  const std::string images = write_idx("nabla_knn_data_images2.idx", {1, 2, 2}, {0, 1, 2, 3});
  EXPECT_THROW(read_idx_labels(images), Error);
  std::filesystem::remove(labels);
  std::filesystem::remove(images);
}
