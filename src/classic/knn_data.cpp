// IDX files as byte matrices and labels for the k-NN byte path.
#include <algorithm>

#include "nabla/classic/knn.h"
#include "nabla/error.h"
#include "nabla/io/idx.h"

namespace nabla::classic {
namespace {

int64_t kept_rows(int64_t available, int64_t limit, const std::string& path, const char* who) {
  NABLA_CHECK(limit >= 0, who, ": expected limit >= 0 (0 = all rows) for '", path, "', got ", limit);
  return limit > 0 ? std::min(limit, available) : available;
}

}  // namespace

ByteMatrix read_idx_byte_matrix(const std::string& path, int64_t limit) {
  io::IdxBytes raw = io::read_idx_u8(path);
  NABLA_CHECK(raw.shape.size() == 3, "read_idx_byte_matrix: ", path, ": expected images of shape (N, H, W), got ",
              raw.shape);
  const int64_t n = kept_rows(raw.shape[0], limit, path, "read_idx_byte_matrix");
  const int64_t d = raw.shape[1] * raw.shape[2];
  raw.data.resize(static_cast<size_t>(n * d));
  return make_byte_matrix(std::move(raw.data), n, d);
}

Tensor read_idx_labels(const std::string& path, int64_t limit) {
  const io::IdxBytes raw = io::read_idx_u8(path);
  NABLA_CHECK(raw.shape.size() == 1, "read_idx_labels: ", path, ": expected labels of shape (N), got ", raw.shape);
  const int64_t n = kept_rows(raw.shape[0], limit, path, "read_idx_labels");
  return from_vector(std::vector<int64_t>(raw.data.begin(), raw.data.begin() + n), Shape{n});
}

}  // namespace nabla::classic
