// The hand-written protobuf writer against encodings from the protobuf documentation.
#include "nabla/onnx/protobuf.h"

#include <gtest/gtest.h>

namespace nabla::onnx {
namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(OnnxProtobuf, Varints) {
  const std::pair<uint64_t, const char*> cases[] = {
      {0, "00"},      {1, "01"},      {127, "7F"},         {128, "80 01"},
      {150, "96 01"}, {300, "AC 02"}, {16384, "80 80 01"}, {~uint64_t{0}, "FF FF FF FF FF FF FF FF FF 01"}};
  for (const auto& [value, expected] : cases) {
    ProtoWriter w;
    w.varint(value);
    EXPECT_EQ(hex(w.bytes()), expected) << value;
  }
}

TEST(OnnxProtobuf, Fields) {
  ProtoWriter a;
  a.int_field(1, 150);  // the documentation's Test1 { a: 150 }
  EXPECT_EQ(hex(a.bytes()), "08 96 01");
  ProtoWriter b;
  b.bytes_field(2, "testing");
  EXPECT_EQ(hex(b.bytes()), "12 07 74 65 73 74 69 6E 67");
  ProtoWriter c;
  c.message(3, a);  // Test3 { c: Test1 { a: 150 } }
  EXPECT_EQ(hex(c.bytes()), "1A 03 08 96 01");
  ProtoWriter d;
  d.packed_ints(4, {3, 270, 86942});
  EXPECT_EQ(hex(d.bytes()), "22 06 03 8E 02 9E A7 05");
  ProtoWriter e;
  e.float_field(2, 1.0f);
  EXPECT_EQ(hex(e.bytes()), "15 00 00 80 3F");
  ProtoWriter f;
  f.int_field(3, -1);  // negative int64: ten-byte two's complement varint
  EXPECT_EQ(hex(f.bytes()), "18 FF FF FF FF FF FF FF FF FF 01");
  ProtoWriter g;
  g.packed_floats(7, {1.0f, -2.0f});
  EXPECT_EQ(hex(g.bytes()), "3A 08 00 00 80 3F 00 00 00 C0");
}

}  // namespace
}  // namespace nabla::onnx
