#pragma once
// Private helpers shared by the file readers and writers of nabla::io: error context, byte-order
// loads and stores, overflow-checked sizes, whole-file reads, and byte sinks (memory or an
// atomically replaced file).
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "nabla/error.h"
#include "nabla/tensor.h"

namespace nabla::io::detail {

static_assert(std::endian::native == std::endian::little, "nabla::io assumes a little-endian host");

/// Prefix of every error a reader raises: "npy: /path/x.npy" or "npz: /p.npz: member 'a.npy'".
struct ErrorContext {
  std::string prefix;

  template <class... Args>
  [[noreturn]] void fail(const Args&... args) const {
    throw Error(str_cat(prefix, ": ", args...));
  }
  template <class... Args>
  void check(bool cond, const Args&... args) const {
    if (!cond) fail(args...);
  }
};

inline uint16_t load_le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t load_le64(const uint8_t* p) {
  return static_cast<uint64_t>(load_le32(p)) | (static_cast<uint64_t>(load_le32(p + 4)) << 32);
}
inline uint32_t load_be32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}
inline void store_le16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
inline void store_le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void store_le64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

/// a * b, or false when it overflows uint64_t.
inline bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_mul_overflow(a, b, out); }
/// a + b, or false when it overflows uint64_t.
inline bool checked_add(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_add_overflow(a, b, out); }

/// Largest element count a reader accepts: keeps numel * 8 bytes and int64 shapes far from overflow.
constexpr uint64_t kMaxElements = uint64_t{1} << 56;

/// Product of `dims` times `elem_size` in bytes; fails through `ctx` on overflow or absurd sizes.
uint64_t checked_nbytes(const std::vector<uint64_t>& dims, uint64_t elem_size, const ErrorContext& ctx);

/// Reads a whole file; a missing or unreadable file raises Error "<fmt>: <path>: <strerror>".
std::vector<uint8_t> read_file(const std::string& path, const char* fmt);

/// The tensor's elements as one row-major block (copies only when `t` is not contiguous).
Tensor contiguous_data(const Tensor& t);

/// Where a writer puts its bytes.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const void* data, size_t size) = 0;
  void write(const std::string& s) { write(s.data(), s.size()); }
  /// Bytes written so far.
  uint64_t position() const { return position_; }

 protected:
  uint64_t position_ = 0;
};

/// Collects the bytes in memory.
class VectorSink final : public ByteSink {
 public:
  void write(const void* data, size_t size) override;
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

/// Writes "<path>.tmp.<pid>"; commit() flushes, fsyncs and renames it over `path`. Destroyed
/// without commit() (an exception on the way), it removes the temporary file, so a failed or
/// interrupted save never leaves a half-written file at `path`.
class AtomicFileSink final : public ByteSink {
 public:
  AtomicFileSink(std::string path, const char* fmt);
  ~AtomicFileSink() override;
  AtomicFileSink(const AtomicFileSink&) = delete;
  AtomicFileSink& operator=(const AtomicFileSink&) = delete;
  void write(const void* data, size_t size) override;
  void commit();

 private:
  void flush_buffer();
  void write_fd(const uint8_t* data, size_t size);
  [[noreturn]] void fail_errno(const char* what);

  std::string path_, tmp_path_;
  const char* fmt_;
  int fd_ = -1;
  bool committed_ = false;
  std::vector<uint8_t> buffer_;
};

}  // namespace nabla::io::detail
