// IDX reader (MNIST, Fashion-MNIST, …), plain or gzip-compressed.
#include "nabla/io/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "io/decode.h"
#include "io/io_util.h"

namespace nabla::io {
namespace detail {
namespace {

struct IdxHeader {
  uint8_t type;
  std::vector<uint64_t> dims;
  uint64_t header_size;  // 4 + 4 * ndim
  uint64_t data_size;    // product of dims × element size
};

const char* idx_type_name(uint8_t type) {
  switch (type) {
    case kIdxUInt8: return "uint8";
    case kIdxInt8: return "int8";
    case kIdxInt16: return "int16";
    case kIdxInt32: return "int32";
    case kIdxFloat32: return "float32";
    case kIdxFloat64: return "float64";
  }
  return "unknown";
}

ElementFormat idx_format(uint8_t type) {
  switch (type) {
    case kIdxUInt8: return {ElementFormat::UInt, 1, true};
    case kIdxInt8: return {ElementFormat::Int, 1, true};
    case kIdxInt16: return {ElementFormat::Int, 2, true};
    case kIdxInt32: return {ElementFormat::Int, 4, true};
    case kIdxFloat32: return {ElementFormat::Float, 4, true};
    default: return {ElementFormat::Float, 8, true};
  }
}

/// "0x00000803" for messages.
std::string hex_bytes(const uint8_t* p, size_t n) {
  static const char digits[] = "0123456789ABCDEF";
  std::string s = "0x";
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

/// Parses magic and dims from the first `size` bytes; nullopt when they are not all there yet.
std::optional<IdxHeader> parse_header(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  if (size < 4) return std::nullopt;
  ctx.check(data[0] == 0 && data[1] == 0, "bad magic number ", hex_bytes(data, 4),
            " (an IDX file starts with two zero bytes)");
  IdxHeader h;
  h.type = data[2];
  ctx.check(std::strcmp(idx_type_name(h.type), "unknown") != 0, "unknown element type code ",
            hex_bytes(data + 2, 1), " (expected 08, 09, 0B, 0C, 0D or 0E)");
  const size_t ndim = data[3];
  h.header_size = 4 + 4 * ndim;
  if (size < h.header_size) return std::nullopt;
  for (size_t d = 0; d < ndim; ++d) h.dims.push_back(load_be32(data + 4 + 4 * d));
  h.data_size = checked_nbytes(h.dims, idx_format(h.type).size, ctx);
  return h;
}

/// Decompresses a gzip image (one or more members). Stops with an "oversized" error as soon as
/// the output exceeds what the IDX header inside announces.
std::vector<uint8_t> gunzip(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  z_stream zs{};
  ctx.check(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, "cannot initialise zlib");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&zs};
  std::vector<uint8_t> out;
  std::optional<uint64_t> expected;  // header + data size, once the header is decompressed
  size_t used = 0;
  const uint8_t* in = data;
  uint64_t in_left = size;
  constexpr uint64_t kInChunk = uint64_t{1} << 30;
  auto refill = [&] {
    if (zs.avail_in == 0 && in_left > 0) {
      const uint64_t n = std::min(in_left, kInChunk);
      zs.next_in = const_cast<Bytef*>(in);
      zs.avail_in = static_cast<uInt>(n);
      in += n;
      in_left -= n;
    }
  };
  for (;;) {
    refill();
    // Grow geometrically, from 64 KiB up to 1 GiB per step (avail_out is 32-bit).
    const size_t chunk = std::min(std::max(out.size(), size_t{1} << 16), size_t{1} << 30);
    out.resize(used + chunk);
    zs.next_out = out.data() + used;
    zs.avail_out = static_cast<uInt>(chunk);
    const int ret = inflate(&zs, Z_NO_FLUSH);
    const size_t produced = chunk - zs.avail_out;
    used += produced;
    if (!expected) {
      if (auto h = parse_header(out.data(), used, ctx)) expected = h->header_size + h->data_size;
    }
    if (expected && used > *expected)
      ctx.fail("oversized: the header announces ", *expected, " bytes, the decompressed data has more");
    if (ret == Z_STREAM_END) {
      if (zs.avail_in == 0 && in_left == 0) break;
      refill();
      // Another gzip member may follow (as `cat a.gz b.gz` makes); anything else is garbage.
      ctx.check(zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b, "unexpected bytes after the end "
                "of the gzip stream");
      ctx.check(inflateReset(&zs) == Z_OK, "cannot reset zlib");
      continue;
    }
    if (ret == Z_BUF_ERROR && produced == 0 && zs.avail_in == 0 && in_left == 0)
      ctx.fail("gzip data is truncated");
    if (ret != Z_OK && ret != Z_BUF_ERROR) ctx.fail("corrupt gzip data (", zs.msg ? zs.msg : "zlib error", ")");
  }
  out.resize(used);
  return out;
}

bool is_gzip(const uint8_t* data, size_t size) { return size >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

/// Validates the header and that the data size matches the dims exactly.
IdxHeader checked_header(const uint8_t* data, size_t size, bool gz, const ErrorContext& ctx) {
  const std::optional<IdxHeader> h = parse_header(data, size, ctx);
  ctx.check(h.has_value(), "truncated header (", size, gz ? " bytes after decompression)" : " bytes)");
  const uint64_t available = size - h->header_size;
  const char* where = gz ? " after decompression" : "";
  ctx.check(available >= h->data_size, "truncated: dims ", h->dims, " of ", idx_type_name(h->type), " need ",
            h->data_size, " data bytes, the file has ", available, where);
  ctx.check(available == h->data_size, "oversized: dims ", h->dims, " of ", idx_type_name(h->type), " need ",
            h->data_size, " data bytes, the file has ", available, where);
  return *h;
}

IdxArray parse_idx(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  std::vector<uint8_t> inflated;
  const bool gz = is_gzip(data, size);
  if (gz) {
    inflated = gunzip(data, size, ctx);
    data = inflated.data();
    size = inflated.size();
  }
  const IdxHeader h = checked_header(data, size, gz, ctx);
  Shape shape(h.dims.begin(), h.dims.end());
  Tensor t = decode_elements(data + h.header_size, shape, idx_format(h.type), ctx);
  return IdxArray{t, h.type, shape};
}

}  // namespace
}  // namespace detail

IdxArray read_idx(const std::string& path) {
  const std::vector<uint8_t> bytes = detail::read_file(path, "idx");
  return detail::parse_idx(bytes.data(), bytes.size(), detail::ErrorContext{"idx: " + path});
}

IdxArray read_idx_bytes(const uint8_t* data, size_t size, const std::string& source) {
  return detail::parse_idx(data, size, detail::ErrorContext{"idx: " + source});
}

}  // namespace nabla::io
