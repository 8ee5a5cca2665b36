// NumPy .npy reader and writer. Format: "\x93NUMPY", major, minor, header length (2 bytes in
// version 1, 4 in versions 2 and 3, little-endian), a Python dict literal such as
// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" padded with spaces and a
// newline, then the elements.
#include "nabla/io/npy.h"

#include <cstring>

#include "io/decode.h"
#include "io/npy_format.h"

namespace nabla::io {
namespace detail {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// The header text for messages: at most 120 characters, non-printables escaped.
std::string printable(const char* p, size_t n) {
  std::string out = "\"";
  for (size_t i = 0; i < n && i < 120; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  out += n > 120 ? "...\"" : "\"";
  return out;
}

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<uint64_t> shape;
};

/// Parses the header dict: exactly the keys 'descr', 'fortran_order', 'shape' in any order,
/// Python literal syntax (single or double quotes, True/False, tuples with optional trailing
/// comma, integers with an optional Python 2 'L' suffix), whitespace anywhere.
class HeaderParser {
 public:
  HeaderParser(const char* text, size_t size, const ErrorContext& ctx)
      : begin_(text), p_(text), end_(text + size), ctx_(ctx) {}

  NpyHeader parse() {
    NpyHeader h;
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    expect('{');
    while (!consume('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        check_once(seen_descr, key);
        skip_ws();
        if (p_ < end_ && *p_ == '[') fail("structured dtypes (a list 'descr') are not supported");
        h.descr = string_literal();
      } else if (key == "fortran_order") {
        check_once(seen_fortran, key);
        h.fortran_order = boolean();
      } else if (key == "shape") {
        check_once(seen_shape, key);
        h.shape = tuple();
      } else {
        fail("unexpected key '", key, "'");
      }
      if (consume(',')) continue;
      expect('}');
      break;
    }
    skip_ws();
    if (p_ != end_) fail("unexpected text after the closing '}'");
    if (!seen_descr || !seen_fortran || !seen_shape)
      fail("header must contain the keys 'descr', 'fortran_order' and 'shape'");
    return h;
  }

 private:
  template <class... Args>
  [[noreturn]] void fail(const Args&... args) const {
    ctx_.fail("invalid header ", printable(begin_, static_cast<size_t>(end_ - begin_)), ": ", args...);
  }
  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool consume(char c) {
    skip_ws();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail("expected '", c, "' at offset ", p_ - begin_);
  }
  void check_once(bool& seen, const std::string& key) {
    if (seen) fail("duplicate key '", key, "'");
    seen = true;
  }
  std::string string_literal() {
    skip_ws();
    if (p_ >= end_ || (*p_ != '\'' && *p_ != '"')) fail("expected a string at offset ", p_ - begin_);
    const char quote = *p_++;
    std::string s;
    while (p_ < end_ && *p_ != quote) {
      if (*p_ == '\\') fail("escape sequences are not supported in strings");
      s += *p_++;
    }
    if (p_ >= end_) fail("unterminated string");
    ++p_;
    return s;
  }
  bool boolean() {
    skip_ws();
    auto match = [&](const char* word) {
      const size_t n = std::strlen(word);
      if (static_cast<size_t>(end_ - p_) >= n && std::memcmp(p_, word, n) == 0) {
        p_ += n;
        return true;
      }
      return false;
    };
    if (match("True")) return true;
    if (match("False")) return false;
    fail("'fortran_order' must be True or False");
  }
  uint64_t integer() {
    skip_ws();
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') fail("expected a non-negative integer at offset ", p_ - begin_);
    uint64_t v = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      if (!checked_mul(v, 10, &v) || !checked_add(v, static_cast<uint64_t>(*p_ - '0'), &v))
        fail("shape entry too large");
      ++p_;
    }
    if (p_ < end_ && *p_ == 'L') ++p_;  // Python 2 long literal
    return v;
  }
  std::vector<uint64_t> tuple() {
    expect('(');
    std::vector<uint64_t> dims;
    while (!consume(')')) {
      dims.push_back(integer());
      if (consume(',')) continue;
      expect(')');
      // "(3)" is the integer 3 in Python, not a tuple: numpy rejects it too.
      if (dims.size() == 1) fail("a 1-d shape needs a trailing comma, as in (3,)");
      break;
    }
    return dims;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const ErrorContext& ctx_;
};

/// Maps a descr such as '<f4' or '|u1' to a stored element format.
ElementFormat parse_descr(const std::string& descr, const ErrorContext& ctx) {
  auto unsupported = [&]() -> ElementFormat {
    ctx.fail("unsupported dtype '", descr,
             "' (supported: bool, int8/16/32/64, uint8/16/32/64, float16/32/64)");
  };
  if (descr.size() < 3) return unsupported();
  const char order = descr[0];
  const char kind = descr[1];
  const std::string width = descr.substr(2);
  if (order != '<' && order != '>' && order != '|' && order != '=') return unsupported();
  int size = 0;
  if (width == "1") size = 1;
  else if (width == "2") size = 2;
  else if (width == "4") size = 4;
  else if (width == "8") size = 8;
  else return unsupported();
  if (order == '|' && size > 1) ctx.fail("dtype '", descr, "' has no byte order ('<' or '>')");
  ElementFormat fmt{ElementFormat::Float, static_cast<uint8_t>(size), order == '>'};
  switch (kind) {
    case 'b':
      if (size != 1) return unsupported();
      fmt.kind = ElementFormat::Bool;
      break;
    case 'i': fmt.kind = ElementFormat::Int; break;
    case 'u': fmt.kind = ElementFormat::UInt; break;
    case 'f':
      if (size == 1) return unsupported();
      fmt.kind = ElementFormat::Float;
      break;
    default: return unsupported();
  }
  return fmt;
}

const char* descr_of(DType dt) {
  switch (dt) {
    case DType::Float32: return "<f4";
    case DType::Float64: return "<f8";
    case DType::Int64: return "<i8";
    case DType::Bool: return "|b1";
    case DType::UInt8: return "|u1";
    case DType::Int32: return "<i4";
    case DType::Float16: return "<f2";
    case DType::BFloat16:
      throw Error("save_npy: bfloat16 has no NumPy dtype; convert with .to(DType::Float32) or save as safetensors");
  }
  throw Error("npy: unknown dtype");
}

}  // namespace

Tensor parse_npy(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  ctx.check(size >= kMagicSize + 2 && std::memcmp(data, kMagic, kMagicSize) == 0,
            "not a .npy file (missing the \\x93NUMPY magic)");
  const uint8_t major = data[6], minor = data[7];
  ctx.check((major == 1 || major == 2 || major == 3) && minor == 0, "unsupported format version ", int(major),
            ".", int(minor), " (supported: 1.0, 2.0, 3.0)");
  const size_t len_size = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + len_size;
  ctx.check(size >= prefix, "file truncated in the header length (", size, " bytes)");
  const uint64_t header_len = major == 1 ? load_le16(data + 8) : load_le32(data + 8);
  ctx.check(header_len <= size - prefix, "header of ", header_len, " bytes exceeds the file size of ", size,
            " bytes");
  const NpyHeader h =
      HeaderParser(reinterpret_cast<const char*>(data + prefix), static_cast<size_t>(header_len), ctx).parse();
  const ElementFormat fmt = parse_descr(h.descr, ctx);

  const uint64_t nbytes = checked_nbytes(h.shape, fmt.size, ctx);
  const uint64_t offset = prefix + header_len;
  const uint64_t available = size - offset;
  ctx.check(available >= nbytes, "truncated: shape ", h.shape, " of dtype '", h.descr, "' needs ", nbytes,
            " data bytes, the file has ", available);
  ctx.check(available == nbytes, "oversized: shape ", h.shape, " of dtype '", h.descr, "' needs ", nbytes,
            " data bytes, the file has ", available);

  Shape shape(h.shape.begin(), h.shape.end());
  if (!h.fortran_order || shape.size() < 2) return decode_elements(data + offset, shape, fmt, ctx);
  // Column-major data is the row-major layout of the reversed shape; permuting the dims back
  // and copying gives the C-order array.
  Shape reversed(shape.rbegin(), shape.rend());
  Tensor t = decode_elements(data + offset, reversed, fmt, ctx);
  IntList perm;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) perm.push_back(d);
  return t.permute(perm).contiguous();
}

std::string npy_preamble(const Tensor& t) {
  std::string dict = str_cat("{'descr': '", descr_of(t.dtype()), "', 'fortran_order': False, 'shape': (");
  for (size_t i = 0; i < t.shape().size(); ++i) dict += str_cat(i ? ", " : "", t.shape()[i]);
  dict += t.shape().size() == 1 ? ",), }" : "), }";
  // Pad with spaces and a final newline so that magic + version + length + header is a
  // multiple of 64 (numpy's alignment); version 2.0 only when the length needs 4 bytes.
  auto padded_total = [&](size_t len_size) {
    const size_t unpadded = kMagicSize + 2 + len_size + dict.size() + 1;
    return (unpadded + 63) / 64 * 64;
  };
  size_t len_size = 2;
  if (padded_total(2) - kMagicSize - 4 > 65535) len_size = 4;
  const size_t total = padded_total(len_size);
  const size_t header_len = total - kMagicSize - 2 - len_size;
  dict.append(header_len - dict.size() - 1, ' ');
  dict += '\n';

  std::string out(kMagic, kMagicSize);
  out.push_back(static_cast<char>(len_size == 2 ? 1 : 2));
  out.push_back(0);
  if (len_size == 2) store_le16(out, static_cast<uint16_t>(header_len));
  else store_le32(out, static_cast<uint32_t>(header_len));
  return out + dict;
}

}  // namespace detail

namespace {
void write_npy(detail::ByteSink& sink, const Tensor& tensor) {
  const Tensor t = detail::contiguous_data(tensor);
  sink.write(detail::npy_preamble(t));
  sink.write(t.raw_data(), detail::npy_data_size(t));
}
}  // namespace

Tensor load_npy(const std::string& path) {
  const std::vector<uint8_t> bytes = detail::read_file(path, "npy");
  return detail::parse_npy(bytes.data(), bytes.size(), detail::ErrorContext{"npy: " + path});
}

Tensor load_npy_bytes(const uint8_t* data, size_t size, const std::string& source) {
  return detail::parse_npy(data, size, detail::ErrorContext{"npy: " + source});
}

void save_npy(const std::string& path, const Tensor& tensor) {
  detail::AtomicFileSink sink(path, "npy");
  write_npy(sink, tensor);
  sink.commit();
}

std::vector<uint8_t> save_npy_bytes(const Tensor& tensor) {
  detail::VectorSink sink;
  write_npy(sink, tensor);
  return sink.take();
}

}  // namespace nabla::io
