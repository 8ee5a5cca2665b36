#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nabla/error.h"
#include "nabla/ops.h"
#include "nabla/train/summary_writer.h"

using namespace nabla;

namespace {

// A minimal protobuf reader for the test: the fields of one message as (field, wire type, bytes).
struct Field {
  int number, wire;
  uint64_t varint = 0;
  std::string bytes;  // length-delimited payload, or the 4/8 raw bytes of fixed32/fixed64
};

uint64_t read_varint(const std::string& s, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t b = static_cast<uint8_t>(s.at(pos++));
    v |= uint64_t(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
}

std::vector<Field> parse_message(const std::string& s) {
  std::vector<Field> out;
  size_t pos = 0;
  while (pos < s.size()) {
    const uint64_t key = read_varint(s, pos);
    Field f{static_cast<int>(key >> 3), static_cast<int>(key & 7)};
    if (f.wire == 0) f.varint = read_varint(s, pos);
    else if (f.wire == 1) f.bytes = s.substr(pos, 8), pos += 8;
    else if (f.wire == 5) f.bytes = s.substr(pos, 4), pos += 4;
    else if (f.wire == 2) {
      const uint64_t len = read_varint(s, pos);
      f.bytes = s.substr(pos, len);
      pos += len;
    } else {
      throw std::runtime_error("unexpected wire type");
    }
    out.push_back(f);
  }
  return out;
}

const Field& field(const std::vector<Field>& fields, int number) {
  for (const auto& f : fields)
    if (f.number == number) return f;
  throw std::runtime_error("missing field " + std::to_string(number));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(SummaryWriter, Crc32cKnownValues) {
  // The CRC-32C check value (RFC 3720 / iSCSI): "123456789" → 0xE3069283.
  EXPECT_EQ(train::crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(train::crc32c("", 0), 0u);
  // 32 zero bytes → 0x8A9136AA (RFC 3720 appendix B.4).
  const std::string zeros(32, '\0');
  EXPECT_EQ(train::crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
}

TEST(SummaryWriter, RecordsRoundTripWithCrcsAndDecodableEvents) {
  const auto dir = std::filesystem::temp_directory_path() / ("nabla_tb_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string path;
  {
    train::SummaryWriter tb(dir.string());
    path = tb.path();
    tb.add_scalar("loss/train", 0.5, 7);
    tb.add_histogram("weights", arange(0, 10, 1.0, DType::Float32), 8, 5);
    tb.add_image_png("img", {0x89, 'P', 'N', 'G'}, 2, 3, 1, 9);
  }
  EXPECT_NE(path.find("events.out.tfevents."), std::string::npos);
  const std::string bytes = slurp(path);
  const auto records = train::read_tfrecords(bytes, path);
  ASSERT_EQ(records.size(), 4u);

  // First event: the file version.
  EXPECT_EQ(field(parse_message(records[0]), 3).bytes, "brain.Event:2");

  // Scalar: Event{step=7, summary{value{tag, simple_value}}}.
  const auto scalar = parse_message(records[1]);
  EXPECT_EQ(field(scalar, 2).varint, 7u);
  const auto value = parse_message(field(parse_message(field(scalar, 5).bytes), 1).bytes);
  EXPECT_EQ(field(value, 1).bytes, "loss/train");
  float simple;
  std::memcpy(&simple, field(value, 2).bytes.data(), 4);
  EXPECT_FLOAT_EQ(simple, 0.5f);

  // Histogram of 0..9 in 5 buckets: min 0, max 9, num 10, sum 45, sum of squares 285, 2 per bucket.
  const auto hv = parse_message(field(parse_message(field(parse_message(records[2]), 5).bytes), 1).bytes);
  const auto histo = parse_message(field(hv, 5).bytes);
  auto as_double = [](const std::string& b, size_t i = 0) {
    double d;
    std::memcpy(&d, b.data() + 8 * i, 8);
    return d;
  };
  EXPECT_EQ(as_double(field(histo, 1).bytes), 0.0);
  EXPECT_EQ(as_double(field(histo, 2).bytes), 9.0);
  EXPECT_EQ(as_double(field(histo, 3).bytes), 10.0);
  EXPECT_EQ(as_double(field(histo, 4).bytes), 45.0);
  EXPECT_EQ(as_double(field(histo, 5).bytes), 285.0);
  const std::string buckets = field(histo, 7).bytes;
  ASSERT_EQ(buckets.size(), 5u * 8);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(as_double(buckets, i), 2.0);

  // Image: height, width, colorspace, encoded bytes.
  const auto iv = parse_message(field(parse_message(field(parse_message(records[3]), 5).bytes), 1).bytes);
  const auto image = parse_message(field(iv, 4).bytes);
  EXPECT_EQ(field(image, 1).varint, 2u);
  EXPECT_EQ(field(image, 2).varint, 3u);
  EXPECT_EQ(field(image, 3).varint, 1u);
  EXPECT_EQ(field(image, 4).bytes, std::string("\x89PNG"));

  // A flipped byte in the data or a truncated file is detected, naming the offset.
  std::string corrupt = bytes;
  corrupt[bytes.size() - 6] ^= 0x01;
  EXPECT_THROW(train::read_tfrecords(corrupt, "x"), Error);
  EXPECT_THROW(train::read_tfrecords(bytes.substr(0, bytes.size() - 2), "x"), Error);
  std::filesystem::remove_all(dir);
}

TEST(SummaryWriter, FrameLayout) {
  const std::string rec = train::tfrecord_frame("abc");
  ASSERT_EQ(rec.size(), 8u + 4 + 3 + 4);
  uint64_t len;
  std::memcpy(&len, rec.data(), 8);
  EXPECT_EQ(len, 3u);
  EXPECT_EQ(rec.substr(12, 3), "abc");
  EXPECT_EQ(train::read_tfrecords(rec + rec).size(), 2u);
}
