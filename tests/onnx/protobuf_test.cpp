// The hand-written protobuf writer against encodings from the protobuf documentation, and the
// reader against the writer and against malformed bytes.
#include "nabla/onnx/protobuf.h"

#include <gtest/gtest.h>

#include "error_of.h"

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

TEST(OnnxProtobuf, ReaderReadsWhatTheWriterWrites) {
  ProtoWriter inner;
  inner.int_field(1, 150);
  ProtoWriter w;
  w.int_field(1, -5);
  w.float_field(2, 0.25f);
  w.bytes_field(3, "name");
  w.message(4, inner);
  w.packed_ints(5, {1, 300, -2});
  w.packed_floats(6, {1.5f, -2.0f});
  w.int_field(5, 7);  // a repeated field may also come unpacked
  ProtoReader r(w.bytes(), "test");
  std::vector<int64_t> ints;
  std::vector<float> floats;
  int fields = 0;
  while (r.next()) {
    ++fields;
    switch (r.field()) {
      case 1: EXPECT_EQ(r.int_value(), -5); break;
      case 2: EXPECT_EQ(r.float_value(), 0.25f); break;
      case 3: EXPECT_EQ(r.bytes_value(), "name"); break;
      case 4: {
        ProtoReader n(r.bytes_value(), "inner");
        ASSERT_TRUE(n.next());
        EXPECT_EQ(n.field(), 1u);
        EXPECT_EQ(n.int_value(), 150);
        EXPECT_FALSE(n.next());
        break;
      }
      case 5: r.append_ints(ints); break;
      case 6: r.append_floats(floats); break;
      default: ADD_FAILURE() << "field " << r.field();
    }
  }
  EXPECT_EQ(fields, 7);
  EXPECT_EQ(ints, (std::vector<int64_t>{1, 300, -2, 7}));
  EXPECT_EQ(floats, (std::vector<float>{1.5f, -2.0f}));
}

TEST(OnnxProtobuf, ReaderRejectsMalformedBytes) {
  auto first_error = [](const std::string& bytes) {
    return testing::error_of([&] {
      ProtoReader r(bytes, "m.onnx: GraphProto");
      while (r.next()) {
      }
    });
  };
  EXPECT_NE(first_error("\x08\x96").find("truncated varint"), std::string::npos);  // varint cut short
  EXPECT_NE(first_error("\x12\x09testing").find("needs 9 bytes, 7 left"), std::string::npos);
  EXPECT_NE(first_error("\x0B").find("wire type 3"), std::string::npos);  // groups are not used by ONNX
  EXPECT_NE(first_error(std::string("\x00\x01", 2)).find("field number 0"), std::string::npos);
  EXPECT_NE(first_error("\x15\x01\x02").find("m.onnx: GraphProto"), std::string::npos);  // fixed32 cut short
  ProtoWriter w;
  w.int_field(1, 3);
  ProtoReader r(w.bytes(), "t");
  ASSERT_TRUE(r.next());
  EXPECT_NE(testing::error_of([&] { r.bytes_value(); }).find("not length-delimited"), std::string::npos);
}

}  // namespace
}  // namespace nabla::onnx
