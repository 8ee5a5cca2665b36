// .npz reader/writer: round trips, np.savez / np.savez_compressed fixtures, ZIP64, corruption.
#include "nabla/io/npz.h"

#include <cstring>

#include "io/io_test_util.h"
#include "io/npz_format.h"
#include "io/zip.h"

using namespace nabla;
using namespace nabla::io_test;

namespace {

std::map<std::string, Tensor> parse(const std::vector<uint8_t>& bytes) {
  return io::load_npz_bytes(bytes.data(), bytes.size(), "test.npz");
}

void expect_abc(const std::map<std::string, Tensor>& m) {
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.at("a").dtype(), DType::Float32);
  EXPECT_EQ(m.at("a").shape(), (Shape{2, 3}));
  EXPECT_EQ(values(m.at("a")), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(m.at("b").dtype(), DType::Int64);
  EXPECT_EQ(m.at("b").to_vector<int64_t>(), (std::vector<int64_t>{10, -20, 30}));
  EXPECT_EQ(m.at("c").dtype(), DType::Bool);
  EXPECT_EQ(m.at("c").dim(), 0);
  EXPECT_EQ(m.at("c").item(), 1.0);
}

uint32_t le32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (static_cast<uint32_t>(b[at + 3]) << 24);
}

std::map<std::string, Tensor> sample() {
  return {{"w", arange(0, 6, 1, DType::Float32).reshape({2, 3})},
          {"b", tensor({-1, 1}, DType::Float64)},
          {"steps", scalar_tensor(7, DType::Int64)},
          {"mask", tensor({1, 0, 1}).to(DType::Bool)},
          {"empty", zeros({0, 2})},
          {"layer.0/weight", tensor({{1, 2}, {3, 4}}).t()}};  // non-contiguous, name with '/'
}

}  // namespace

TEST(Npz, RoundTrip) {
  const auto in = sample();
  TempDir dir;
  io::save_npz(dir.file("m.npz"), in);
  for (const auto& out : {parse(io::save_npz_bytes(in)), io::load_npz(dir.file("m.npz"))}) {
    ASSERT_EQ(out.size(), in.size());
    for (const auto& [name, t] : in) {
      SCOPED_TRACE(name);
      ASSERT_TRUE(out.count(name));
      EXPECT_EQ(out.at(name).dtype(), t.dtype());
      EXPECT_EQ(out.at(name).shape(), t.shape());
      EXPECT_EQ(values(out.at(name)), values(t));
    }
  }
  EXPECT_EQ(values(parse(io::save_npz_bytes(in)).at("layer.0/weight")), (std::vector<double>{1, 3, 2, 4}));
  EXPECT_TRUE(parse(io::save_npz_bytes({})).empty());
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"m.npz"}));
}

TEST(Npz, WritesAValidStoredZip) {
  const auto bytes = io::save_npz_bytes({{"x", tensor({1, 2})}});
  // Local header: signature, version 2.0, no flags, method 0 (stored), name "x.npy".
  EXPECT_EQ(le32(bytes, 0), 0x04034b50u);
  EXPECT_EQ(bytes[4], 20);
  EXPECT_EQ(bytes[8] | (bytes[9] << 8), 0);
  EXPECT_EQ(std::string(bytes.begin() + 30, bytes.begin() + 35), "x.npy");
  // The stored CRC-32 is the CRC of the member (the .npy image that follows the header).
  const uint32_t size = le32(bytes, 18);
  EXPECT_EQ(size, le32(bytes, 22));
  EXPECT_EQ(le32(bytes, 14), io::detail::crc32_of({{bytes.data() + 35, size}}));
  // ... computed as ZIP specifies: the standard check value of CRC-32 over "123456789".
  EXPECT_EQ(io::detail::crc32_of({{"1234", 4}, {"56789", 5}}), 0xCBF43926u);
  // End of central directory: the last 22 bytes, one entry.
  const size_t end = bytes.size() - 22;
  EXPECT_EQ(le32(bytes, end), 0x06054b50u);
  EXPECT_EQ(bytes[end + 10], 1);
  EXPECT_EQ(le32(bytes, end + 16), 35 + size);  // central directory follows the one member
}

TEST(Npz, Zip64RecordsAreReadBack) {
  nabla::io::detail::VectorSink sink;
  nabla::io::detail::write_npz(sink, sample(), /*force_zip64=*/true);
  const auto bytes = sink.take();
  // ZIP64 end record and locator precede the classic end record.
  EXPECT_EQ(le32(bytes, bytes.size() - 22 - 20), 0x07064b50u);
  const auto out = parse(bytes);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(values(out.at("w")), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(out.at("steps").item(), 7.0);
  expect_every_truncation_fails(bytes, [](const uint8_t* p, size_t n) { io::load_npz_bytes(p, n); });
}

TEST(Npz, ReadsNumpyFixtures) {
  expect_abc(io::load_npz(fixture("savez.npz")));             // stored, ZIP64 extras in local headers
  expect_abc(io::load_npz(fixture("savez_compressed.npz")));  // deflate
  const auto big = io::load_npz(fixture("savez_compressed_big.npz"));
  const auto x = big.at("x").to_vector<double>();
  ASSERT_EQ(x.size(), 1000u);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(x[i], static_cast<double>(i));
}

TEST(Npz, MalformedArchivesRaiseErrors) {
  const auto good = read_bytes(fixture("savez.npz"));
  // A flipped data byte is caught by the CRC-32.
  auto bad_crc = good;
  bad_crc[200] ^= 0x01;
  expect_error([&] { parse(bad_crc); }, {"test.npz", "CRC-32 mismatch"});
  // Trailing garbage hides the end-of-central-directory record.
  auto trailing = good;
  trailing.push_back(0);
  expect_error([&] { parse(trailing); }, {"end-of-central-directory"});
  expect_error([] { parse({}); }, {"too small"});
  expect_error([] { parse(std::vector<uint8_t>(100, 0)); }, {"not a ZIP archive"});
  // A member that is not .npy, and an unsupported compression method.
  auto renamed = io::save_npz_bytes({{"x", tensor({1})}});
  auto rename_in = [&](std::vector<uint8_t>& b, const std::string& from, const std::string& to) {
    for (size_t i = 0; i + from.size() <= b.size(); ++i)
      if (std::memcmp(b.data() + i, from.data(), from.size()) == 0) std::memcpy(b.data() + i, to.data(), to.size());
  };
  rename_in(renamed, "x.npy", "x.txt");
  expect_error([&] { parse(renamed); }, {"member 'x.txt' is not a .npy file"});
  auto dup = io::save_npz_bytes({{"x", tensor({1})}, {"y", tensor({2})}});
  rename_in(dup, "y.npy", "x.npy");
  expect_error([&] { parse(dup); }, {"duplicate member 'x.npy'"});
  auto method = io::save_npz_bytes({{"x", tensor({1})}});
  const size_t cd = le32(method, method.size() - 22 + 16);
  method[cd + 10] = 12;  // bzip2
  expect_error([&] { parse(method); }, {"unsupported compression method 12"});
  // A member whose .npy is bad names the member.
  auto npy_bad = io::save_npz_bytes({{"x", tensor({1})}});
  npy_bad[35 + 1] = 'n';  // inside the member's magic
  expect_error([&] { parse(npy_bad); }, {"member 'x.npy'"});
  // A compressed member that claims an impossible size (decompression bomb).
  auto bomb = read_bytes(fixture("savez_compressed.npz"));
  const size_t cd2 = le32(bomb, bomb.size() - 22 + 16);
  bomb[cd2 + 24] = 0xfe;
  bomb[cd2 + 25] = 0xff;
  bomb[cd2 + 26] = 0xff;
  bomb[cd2 + 27] = 0x7f;
  expect_error([&] { parse(bomb); }, {"impossible"});
  expect_error([] { io::load_npz("/nonexistent.npz"); }, {"/nonexistent.npz", "No such file"});
  EXPECT_THROW(io::save_npz_bytes({{"", tensor({1})}}), Error);
}

TEST(Npz, EveryTruncationFails) {
  for (const char* name : {"savez.npz", "savez_compressed.npz"}) {
    SCOPED_TRACE(name);
    expect_every_truncation_fails(read_bytes(fixture(name)), [](const uint8_t* p, size_t n) { io::load_npz_bytes(p, n); });
  }
  expect_every_truncation_fails(io::save_npz_bytes(sample()),
                                [](const uint8_t* p, size_t n) { io::load_npz_bytes(p, n); });
}

TEST(Npz, FlippedBytesNeverCrash) {
  for (const char* name : {"savez.npz", "savez_compressed.npz"}) {
    const auto bytes = read_bytes(fixture(name));
    const int errors =
        corrupt_bytes(bytes, 0, bytes.size(), [](const uint8_t* p, size_t n) { io::load_npz_bytes(p, n); });
    EXPECT_GT(errors, static_cast<int>(bytes.size()));  // the CRC catches nearly every data flip
  }
}
