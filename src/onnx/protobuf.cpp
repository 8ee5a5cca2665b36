// Protobuf wire format writer (see include/nabla/onnx/protobuf.h).
#include "nabla/onnx/protobuf.h"

#include <cstring>

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

}  // namespace nabla::onnx
