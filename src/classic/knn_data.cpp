// IDX files as uint8 image rows and int64 labels for k-NN.
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

// The uint8 array of an IDX file with `dims` dims, or an Error naming `who` and the file.
io::IdxArray read_u8_idx(const std::string& path, size_t dims, const char* who, const char* expected) {
  io::IdxArray raw = io::read_idx(path);
  NABLA_CHECK(raw.data.dtype() == DType::UInt8 && raw.shape.size() == dims, who, ": ", path, ": expected uint8 ",
              expected, ", got ", dtype_name(raw.data.dtype()), " of shape ", raw.shape);
  return raw;
}

}  // namespace

Tensor read_idx_images(const std::string& path, int64_t limit) {
  const io::IdxArray raw = read_u8_idx(path, 3, "read_idx_images", "images of shape (N, H, W)");
  const int64_t n = kept_rows(raw.shape[0], limit, path, "read_idx_images");
  return raw.data.slice(0, 0, n).reshape({n, raw.shape[1] * raw.shape[2]}).contiguous();
}

Tensor read_idx_labels(const std::string& path, int64_t limit) {
  const io::IdxArray raw = read_u8_idx(path, 1, "read_idx_labels", "labels of shape (N)");
  const int64_t n = kept_rows(raw.shape[0], limit, path, "read_idx_labels");
  return raw.data.slice(0, 0, n).to(DType::Int64);
}

}  // namespace nabla::classic
