#pragma once
// The protobuf wire format, written by hand: varints, fixed 32-bit values and length-delimited
// fields. Enough for ONNX's messages (onnx.proto uses no groups and no 64-bit fixed fields
// besides doubles, which nabla does not write). ProtoReader reads the same format back for ONNX
// import, checking every length against the bytes left.
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

/// Reads the fields of one protobuf message in order. Every varint, length and fixed value is
/// checked against the bytes left: a truncated or malformed message raises Error naming `what`
/// (e.g. "model.onnx: GraphProto") and the byte offset; nothing is read out of bounds.
class ProtoReader {
 public:
  /// A reader over `bytes` (not copied: they must outlive the reader and the views it returns).
  ProtoReader(std::string_view bytes, std::string what);
  /// Advances to the next field; false at the end of the message.
  bool next();
  /// Field number and wire type of the current field.
  uint32_t field() const { return field_; }
  WireType type() const { return type_; }
  /// The current field as an integer (varint; int32 and enum values are sign-extended by the writer).
  int64_t int_value() const;
  /// The current field as a float (fixed 32 bits).
  float float_value() const;
  /// The current field as a double (fixed 64 bits).
  double double_value() const;
  /// The current field's bytes (length-delimited): a string, bytes or a nested message.
  std::string_view bytes_value() const;
  /// Appends the current field to `out` as repeated int64: packed (length-delimited) or one varint.
  void append_ints(std::vector<int64_t>& out) const;
  /// Appends the current field to `out` as repeated float: packed or one fixed32.
  void append_floats(std::vector<float>& out) const;
  /// Appends the current field to `out` as repeated double: packed or one fixed64.
  void append_doubles(std::vector<double>& out) const;
  /// What the reader reads, for error messages.
  const std::string& what() const { return what_; }

 private:
  uint64_t read_varint(size_t& pos) const;
  [[noreturn]] void fail(const std::string& problem) const;
  void expect(WireType t, const char* as) const;
  std::string_view bytes_;
  std::string what_;
  size_t pos_ = 0;
  uint32_t field_ = 0;
  WireType type_ = WireType::Varint;
  uint64_t value_ = 0;      // varint or fixed value
  std::string_view view_;  // length-delimited value
};

}  // namespace nabla::onnx
