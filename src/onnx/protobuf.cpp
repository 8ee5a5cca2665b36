// Protobuf wire format writer and reader (see include/nabla/onnx/protobuf.h).
#include "nabla/onnx/protobuf.h"

#include <cstring>
#include <functional>

#include "nabla/error.h"

namespace nabla::onnx {

void ProtoWriter::varint(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

size_t ProtoWriter::varint_size(uint64_t value) {
  size_t n = 1;
  for (; value >= 0x80; value >>= 7) ++n;
  return n;
}

void ProtoWriter::raw(const void* data, size_t size) { out_.append(static_cast<const char*>(data), size); }

void ProtoWriter::key(uint32_t field, WireType type) {
  varint((static_cast<uint64_t>(field) << 3) | static_cast<uint32_t>(type));
}

void ProtoWriter::int_field(uint32_t field, int64_t value) {
  key(field, WireType::Varint);
  varint(static_cast<uint64_t>(value));  // two's complement: negative values take ten bytes
}

void ProtoWriter::float_field(uint32_t field, float value) {
  key(field, WireType::Fixed32);
  char b[4];
  std::memcpy(b, &value, 4);  // little-endian hosts only (x86-64, aarch64)
  out_.append(b, 4);
}

void ProtoWriter::bytes_field(uint32_t field, std::string_view bytes) {
  bytes_field(field, bytes.data(), bytes.size());
}

void ProtoWriter::bytes_field(uint32_t field, const void* data, size_t size) {
  key(field, WireType::LengthDelimited);
  varint(size);
  out_.append(static_cast<const char*>(data), size);
}

void ProtoWriter::message(uint32_t field, const ProtoWriter& inner) { bytes_field(field, inner.out_); }

void ProtoWriter::packed_ints(uint32_t field, const std::vector<int64_t>& values) {
  ProtoWriter body;
  for (int64_t v : values) body.varint(static_cast<uint64_t>(v));
  bytes_field(field, body.out_);
}

void ProtoWriter::packed_floats(uint32_t field, const std::vector<float>& values) {
  bytes_field(field, values.data(), values.size() * sizeof(float));
}

// ---- reader ----------------------------------------------------------------------------------------

ProtoReader::ProtoReader(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

void ProtoReader::fail(const std::string& problem) const {
  throw Error(what_ + ": " + problem + " at byte " + std::to_string(pos_) + " of " + std::to_string(bytes_.size()));
}

uint64_t ProtoReader::read_varint(size_t& pos) const {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= bytes_.size()) fail("truncated varint");
    const auto b = static_cast<uint8_t>(bytes_[pos++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  fail("varint longer than 10 bytes");
}

bool ProtoReader::next() {
  if (pos_ >= bytes_.size()) return false;
  const uint64_t key = read_varint(pos_);
  field_ = static_cast<uint32_t>(key >> 3);
  if (field_ == 0 || (key >> 3) > 0x1FFFFFFF) fail("invalid field number " + std::to_string(key >> 3));
  const auto t = static_cast<uint32_t>(key & 7);
  auto take = [&](size_t n) {
    if (n > bytes_.size() - pos_)
      fail("field " + std::to_string(field_) + " needs " + std::to_string(n) + " bytes, " +
           std::to_string(bytes_.size() - pos_) + " left");
    const size_t at = pos_;
    pos_ += n;
    return bytes_.substr(at, n);
  };
  switch (t) {
    case 0:
      type_ = WireType::Varint;
      value_ = read_varint(pos_);
      break;
    case 1: {
      type_ = WireType::Fixed64;
      const std::string_view b = take(8);
      std::memcpy(&value_, b.data(), 8);  // little-endian hosts only, as the writer
      break;
    }
    case 2: {
      type_ = WireType::LengthDelimited;
      const uint64_t n = read_varint(pos_);
      if (n > bytes_.size()) fail("length " + std::to_string(n) + " of field " + std::to_string(field_) + " exceeds the message");
      view_ = take(static_cast<size_t>(n));
      break;
    }
    case 5: {
      type_ = WireType::Fixed32;
      const std::string_view b = take(4);
      uint32_t v32 = 0;
      std::memcpy(&v32, b.data(), 4);
      value_ = v32;
      break;
    }
    default:
      fail("unsupported wire type " + std::to_string(t) + " of field " + std::to_string(field_));
  }
  return true;
}

void ProtoReader::expect(WireType t, const char* as) const {
  if (type_ != t) fail("field " + std::to_string(field_) + " is not " + as);
}

int64_t ProtoReader::int_value() const {
  expect(WireType::Varint, "a varint");
  return static_cast<int64_t>(value_);
}

float ProtoReader::float_value() const {
  expect(WireType::Fixed32, "a float");
  const auto v32 = static_cast<uint32_t>(value_);
  float f;
  std::memcpy(&f, &v32, 4);
  return f;
}

double ProtoReader::double_value() const {
  expect(WireType::Fixed64, "a double");
  double d;
  std::memcpy(&d, &value_, 8);
  return d;
}

std::string_view ProtoReader::bytes_value() const {
  expect(WireType::LengthDelimited, "length-delimited");
  return view_;
}

void ProtoReader::append_ints(std::vector<int64_t>& out) const {
  if (type_ == WireType::Varint) {
    out.push_back(static_cast<int64_t>(value_));
    return;
  }
  ProtoReader packed(bytes_value(), what_);
  size_t pos = 0;
  while (pos < packed.bytes_.size()) out.push_back(static_cast<int64_t>(packed.read_varint(pos)));
}

namespace {

// Appends a packed run of fixed-size little-endian values; `fail` reports a length that is not
// a multiple of the value size.
template <class T>
void append_packed(std::string_view b, std::vector<T>& out, const std::function<void(const std::string&)>& fail) {
  if (b.size() % sizeof(T) != 0) fail("packed values of " + std::to_string(b.size()) + " bytes");
  const size_t n = out.size();
  out.resize(n + b.size() / sizeof(T));
  if (!b.empty()) std::memcpy(out.data() + n, b.data(), b.size());
}

}  // namespace

void ProtoReader::append_floats(std::vector<float>& out) const {
  if (type_ == WireType::Fixed32) {
    out.push_back(float_value());
    return;
  }
  append_packed(bytes_value(), out, [this](const std::string& p) { fail(p); });
}

void ProtoReader::append_doubles(std::vector<double>& out) const {
  if (type_ == WireType::Fixed64) {
    out.push_back(double_value());
    return;
  }
  append_packed(bytes_value(), out, [this](const std::string& p) { fail(p); });
}

}  // namespace nabla::onnx
