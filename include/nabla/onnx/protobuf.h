#pragma once
// The protobuf wire format, written by hand: varints, fixed 32-bit values and length-delimited
// fields. Enough for ONNX's messages (onnx.proto uses no groups and no 64-bit fixed fields
// besides doubles, which nabla does not write). The reader for ONNX import will sit beside it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nabla::onnx {

/// Wire types of protobuf field keys.
enum class WireType : uint32_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

/// Appends protobuf fields to a byte buffer. A nested message is written into its own ProtoWriter
/// and added with message(); sizes are then known, so no back-patching is needed.
class ProtoWriter {
 public:
  /// Appends `value` as a base-128 varint (300 → AC 02); negative int64 take ten bytes, as protobuf.
  void varint(uint64_t value);
  /// Appends the key of field `field` with wire type `type`.
  void key(uint32_t field, WireType type);
  /// Field `field` as a varint (int32, int64, enum, bool).
  void int_field(uint32_t field, int64_t value);
  /// Field `field` as a float (fixed 32 bits, little-endian).
  void float_field(uint32_t field, float value);
  /// Field `field` as length-delimited bytes (string, bytes).
  void bytes_field(uint32_t field, std::string_view bytes);
  /// Field `field` as length-delimited raw bytes.
  void bytes_field(uint32_t field, const void* data, size_t size);
  /// Field `field` holding the nested message written by `inner`.
  void message(uint32_t field, const ProtoWriter& inner);
  /// Field `field` as a packed repeated varint list (one length-delimited field).
  void packed_ints(uint32_t field, const std::vector<int64_t>& values);
  /// Field `field` as a packed repeated float list.
  void packed_floats(uint32_t field, const std::vector<float>& values);

  /// Appends bytes as they are (the payload of a length-delimited field whose key and length were
  /// written with key() and varint(): lets a big payload be copied once, straight into its place).
  void raw(const void* data, size_t size);
  /// Reserves room for `size` bytes in all.
  void reserve(size_t size) { out_.reserve(size); }
  /// Number of bytes of the varint encoding of `value`.
  static size_t varint_size(uint64_t value);

  /// The bytes written so far.
  const std::string& bytes() const { return out_; }
  /// Moves the bytes out (the writer is empty afterwards).
  std::string take() { return std::move(out_); }
  /// Number of bytes written so far.
  size_t size() const { return out_.size(); }

 private:
  std::string out_;
};

}  // namespace nabla::onnx
