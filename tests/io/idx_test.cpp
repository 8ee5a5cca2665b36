// IDX reader: every element type, gzip, exact-size validation, corruption, Fashion-MNIST.
#include "nabla/io/idx.h"

#include <filesystem>

#include "io/io_test_util.h"

using namespace nabla;
using namespace nabla::io_test;

namespace {

io::IdxArray parse(const std::vector<uint8_t>& bytes) { return io::read_idx_bytes(bytes.data(), bytes.size(), "test-idx"); }

/// Header for type `code` and big-endian dims.
std::vector<uint8_t> header(uint8_t code, const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> out = {0, 0, code, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(d >> s));
  return out;
}

const std::vector<double> kImages = {0,  10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110,
                                     120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 220, 230};

}  // namespace

TEST(Idx, ReadsEveryElementType) {
  io::IdxArray a = io::read_idx(fixture("labels-idx1-ubyte"));
  EXPECT_EQ(a.type_code, io::kIdxUInt8);
  EXPECT_EQ(a.shape, (Shape{5}));
  EXPECT_EQ(a.data.dtype(), DType::UInt8);  // the file's dtype
  EXPECT_EQ(a.data.to_vector<int64_t>(), (std::vector<int64_t>{3, 0, 9, 1, 7}));

  a = io::read_idx(fixture("images-idx3-ubyte"));
  EXPECT_EQ(a.shape, (Shape{2, 3, 4}));
  EXPECT_EQ(a.data.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(values(a.data), kImages);

  a = io::read_idx(fixture("i8-idx1"));
  EXPECT_EQ(a.type_code, io::kIdxInt8);
  EXPECT_EQ(a.data.to_vector<int64_t>(), (std::vector<int64_t>{-128, -1, 0, 127}));
  a = io::read_idx(fixture("i16-idx1"));
  EXPECT_EQ(a.data.to_vector<int64_t>(), (std::vector<int64_t>{-32768, 258, 32767}));
  a = io::read_idx(fixture("i32-idx2"));
  EXPECT_EQ(a.shape, (Shape{2, 2}));
  EXPECT_EQ(a.data.dtype(), DType::Int32);
  EXPECT_EQ(a.data.to_vector<int64_t>(), (std::vector<int64_t>{-2, 65536, 16777216, 2147483647}));
  a = io::read_idx(fixture("f32-idx1"));
  EXPECT_EQ(a.data.dtype(), DType::Float32);
  EXPECT_EQ(a.data.to_vector<float>(), (std::vector<float>{1.5f, -0.25f, 1e30f}));
  a = io::read_idx(fixture("f64-idx1"));
  EXPECT_EQ(a.data.dtype(), DType::Float64);
  EXPECT_EQ(values(a.data), (std::vector<double>{3.141592653589793, -1e-300}));
  // 0-d (no dims): one element.
  auto scalar = header(0x08, {});
  scalar.push_back(42);
  EXPECT_EQ(parse(scalar).data.dim(), 0);
  EXPECT_EQ(parse(scalar).data.item(), 42);
}

TEST(Idx, ReadsGzipAndRawBytes) {
  for (const char* name : {"images-idx3-ubyte", "images-idx3-ubyte.gz"}) {
    const io::IdxArray a = io::read_idx(fixture(name));
    EXPECT_EQ(a.shape, (Shape{2, 3, 4}));
    EXPECT_EQ(a.data.dtype(), DType::UInt8);
    EXPECT_EQ(values(a.data), kImages);
  }
  // Concatenated gzip members decompress as one stream (as `cat a.gz b.gz` makes).
  const auto gz = read_bytes(fixture("images-idx3-ubyte.gz"));
  const auto plain = read_bytes(fixture("images-idx3-ubyte"));
  EXPECT_THROW(parse([&] { auto twice = gz; twice.insert(twice.end(), gz.begin(), gz.end()); return twice; }()),
               Error);  // twice the data: oversized
  const auto in_memory = io::read_idx_bytes(plain.data(), plain.size());
  EXPECT_EQ(in_memory.data.to_vector<uint8_t>().size(), 24u);
}

TEST(Idx, SizeMismatchesNameFileAndSizes) {
  const std::string path = fixture("images-idx3-ubyte");
  auto plain = read_bytes(path);
  auto shorter = plain;
  shorter.pop_back();
  expect_error([&] { parse(shorter); }, {"idx: test-idx", "truncated", "[2, 3, 4]", "need 24", "has 23"});
  auto longer = plain;
  longer.push_back(0);
  expect_error([&] { parse(longer); }, {"oversized", "need 24", "has 25"});
  TempDir dir;
  write_bytes(dir.file("cut-idx3-ubyte"), shorter);
  expect_error([&] { io::read_idx(dir.file("cut-idx3-ubyte")); }, {dir.file("cut-idx3-ubyte"), "truncated"});
  expect_error([] { parse({0, 0, 0x08}); }, {"truncated header"});
  expect_error([] { parse({0, 0, 0x08, 2, 0, 0, 0, 1}); }, {"truncated header"});
  expect_error([] { parse({1, 0, 0x08, 1, 0, 0, 0, 1, 5}); }, {"bad magic number 0x01000801"});
  expect_error([] { parse({0, 0, 0x0A, 1, 0, 0, 0, 1, 5}); }, {"unknown element type code 0x0A"});
  expect_error([&] { parse(header(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF})); }, {"too many elements"});
  // Found by the fuzzer: no elements, but strides beyond int64 (UB in the tensor core).
  expect_error([&] { parse(header(0x08, {0, 0x08080808, 0x08080808, 0x08080808})); }, {"too many elements"});
  expect_error([] { io::read_idx("/nonexistent-idx3-ubyte"); }, {"/nonexistent-idx3-ubyte", "No such file"});
  // gzip problems.
  auto gz = read_bytes(fixture("images-idx3-ubyte.gz"));
  auto gz_garbage = gz;
  gz_garbage.push_back('x');
  gz_garbage.push_back('y');
  expect_error([&] { parse(gz_garbage); }, {"after the end of the gzip stream"});
  auto gz_bad = gz;
  gz_bad[gz.size() - 6] ^= 0xff;  // CRC-32 in the gzip trailer
  expect_error([&] { parse(gz_bad); }, {"corrupt gzip data"});
}

TEST(Idx, EveryTruncationFails) {
  for (const char* name : {"labels-idx1-ubyte", "images-idx3-ubyte", "images-idx3-ubyte.gz", "i32-idx2", "f64-idx1"}) {
    SCOPED_TRACE(name);
    const auto bytes = read_bytes(fixture(name));
    expect_every_truncation_fails(bytes, [](const uint8_t* p, size_t n) { io::read_idx_bytes(p, n); });
  }
}

TEST(Idx, FlippedBytesNeverCrash) {
  // Plain: every flip in the 16-byte header (magic, type, ndim, dims) breaks the size check.
  const auto plain = read_bytes(fixture("images-idx3-ubyte"));
  corrupt_bytes(plain, 0, plain.size(), [](const uint8_t* p, size_t n) { io::read_idx_bytes(p, n); });
  // gzip: the header's mtime/flags bytes may be harmless, the deflate data and CRC are not.
  const auto gz = read_bytes(fixture("images-idx3-ubyte.gz"));
  EXPECT_GT(corrupt_bytes(gz, 0, gz.size(), [](const uint8_t* p, size_t n) { io::read_idx_bytes(p, n); }),
            static_cast<int>(gz.size() * 2));
}

TEST(Idx, FashionMnist) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(dir + "/train-labels-idx1-ubyte.gz")) GTEST_SKIP() << dir << " is absent";
  const io::IdxArray images = io::read_idx(dir + "/train-images-idx3-ubyte.gz");
  EXPECT_EQ(images.shape, (Shape{60000, 28, 28}));
  EXPECT_EQ(images.data.dtype(), DType::UInt8);
  EXPECT_EQ(images.data.numel(), 60000 * 28 * 28);
  const io::IdxArray labels = io::read_idx(dir + "/train-labels-idx1-ubyte.gz");
  ASSERT_EQ(labels.shape, (Shape{60000}));
  std::vector<int> counts(10, 0);
  for (uint8_t l : labels.data.to_vector<uint8_t>()) {
    ASSERT_LT(l, 10);
    ++counts[l];
  }
  EXPECT_EQ(counts, std::vector<int>(10, 6000));
  const io::IdxArray test_labels = io::read_idx(dir + "/t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(test_labels.shape, (Shape{10000}));
  EXPECT_EQ(test_labels.data.dtype(), DType::UInt8);
}

// Found by the fuzzer: a shape with a zero dim and a huge extent is an empty uint8 array (the
// data size check multiplies the dims without overflowing).
TEST(IdxRegression, EmptyShapeWithHugeExtentIsEmpty) {
  const uint8_t bytes[] = {0, 0, 8, 3, 0, 0, 0, 0, 0x41, 0, 0, 0, 0, 0x31, 0x2a, 0};
  try {
    const nabla::io::IdxArray a = nabla::io::read_idx_bytes(bytes, sizeof bytes);
    EXPECT_EQ(a.data.numel(), 0);
    EXPECT_EQ(a.data.dtype(), nabla::DType::UInt8);
  } catch (const nabla::Error&) {
    // rejecting it is as good: what matters is no crash and no huge allocation
  }
}
