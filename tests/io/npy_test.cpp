// .npy reader/writer: round trips, NumPy-written fixtures, header syntax, corruption, atomic writes.
#include "nabla/io/npy.h"

#include <cmath>
#include <cstring>

#include "io/io_test_util.h"

using namespace nabla;
using namespace nabla::io_test;

namespace {

/// A .npy image with a hand-written header (padded to 64 bytes) followed by `data`.
std::vector<uint8_t> make_npy(const std::string& dict, const std::vector<uint8_t>& data, int major = 1) {
  const size_t len_size = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((6 + 2 + len_size + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  for (size_t i = 0; i < len_size; ++i) out.push_back(static_cast<uint8_t>((header.size() >> (8 * i)) & 0xff));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <class T>
std::vector<uint8_t> raw(const std::vector<T>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

Tensor parse(const std::vector<uint8_t>& bytes) { return io::load_npy_bytes(bytes.data(), bytes.size(), "test.npy"); }

std::string header_text(const std::vector<uint8_t>& npy) {
  const size_t len = npy[8] | (npy[9] << 8);
  return std::string(npy.begin() + 10, npy.begin() + 10 + static_cast<std::ptrdiff_t>(len));
}

}  // namespace

TEST(Npy, RoundTripEveryDtypeAndShape) {
  const std::vector<Shape> shapes = {{}, {0}, {1}, {5}, {2, 3}, {0, 3}, {2, 0, 4}, {1, 2, 1, 3}};
  TempDir dir;
  for (DType dt : {DType::Float32, DType::Float64, DType::Float16, DType::Int64, DType::Int32, DType::UInt8, DType::Bool}) {
    for (const Shape& shape : shapes) {
      const int64_t n = shape_numel(shape);
      // Values that survive every dtype: -3, -1.5, 0, 1.5, ... (bool: alternating).
      std::vector<double> v(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i)
        v[i] = dt == DType::Bool ? (i % 3 == 1) : dt == DType::UInt8 ? i * 37 : (i - 2) * (is_integral(dt) ? 7 : 1.5);
      const Tensor t = from_vector(v, shape).to(dt);
      const Tensor back = parse(io::save_npy_bytes(t));
      EXPECT_EQ(back.dtype(), dt);
      EXPECT_EQ(back.shape(), shape);
      EXPECT_EQ(values(back), values(t)) << dtype_name(dt) << " " << shape_str(shape);

      const std::string path = dir.file("t.npy");
      io::save_npy(path, t);
      const Tensor from_file = io::load_npy(path);
      EXPECT_EQ(from_file.shape(), shape);
      EXPECT_EQ(values(from_file), values(t));
    }
  }
}

TEST(Npy, WritesNumpyHeaderLayout) {
  const auto bytes = io::save_npy_bytes(zeros({2, 3}));
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(std::memcmp(bytes.data(), "\x93NUMPY\x01\x00", 8), 0);
  const std::string h = header_text(bytes);
  EXPECT_EQ(h.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u) << h;
  EXPECT_EQ(h.back(), '\n');
  EXPECT_EQ((10 + h.size()) % 64, 0u);  // data starts 64-byte aligned
  EXPECT_EQ(bytes.size(), 10 + h.size() + 6 * 4);
  EXPECT_EQ(header_text(io::save_npy_bytes(zeros({3}, DType::Int64))).rfind(
                "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", 0),
            0u);
  EXPECT_EQ(header_text(io::save_npy_bytes(scalar_tensor(1, DType::Float64))).rfind(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 0),
            0u);
  EXPECT_EQ(header_text(io::save_npy_bytes(zeros({2}, DType::Bool))).rfind("{'descr': '|b1'", 0), 0u);
}

TEST(Npy, UsesVersion2WhenTheHeaderNeedsIt) {
  // 10000 dims of size 1 make a header of ~30 KB; 30000 dims pass the 65535-byte limit of 1.0.
  const Tensor small = zeros(Shape(10000, 1));
  EXPECT_EQ(io::save_npy_bytes(small)[6], 1);
  const Tensor big = zeros(Shape(30000, 1));
  const auto bytes = io::save_npy_bytes(big);
  EXPECT_EQ(bytes[6], 2);
  const Tensor back = parse(bytes);
  EXPECT_EQ(back.dim(), 30000);
  EXPECT_EQ(back.numel(), 1);
}

TEST(Npy, NonContiguousTensorsAreWrittenInLogicalOrder) {
  const Tensor a = arange(0, 6, 1, DType::Float32).reshape({2, 3});
  EXPECT_EQ(values(parse(io::save_npy_bytes(a.t()))), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(parse(io::save_npy_bytes(a.t())).shape(), (Shape{3, 2}));
  EXPECT_EQ(values(parse(io::save_npy_bytes(a.slice(1, 0, 3, 2)))), (std::vector<double>{0, 2, 3, 5}));
  EXPECT_EQ(values(parse(io::save_npy_bytes(a.select(1, 2)))), (std::vector<double>{2, 5}));
  const Tensor e = tensor({1, 2}).reshape({2, 1}).expand({2, 3});
  EXPECT_EQ(values(parse(io::save_npy_bytes(e))), (std::vector<double>{1, 1, 1, 2, 2, 2}));
  // A tensor that requires grad is saved by value.
  Tensor w = ones({2});
  w.requires_grad_();
  EXPECT_EQ(values(parse(io::save_npy_bytes(w))), (std::vector<double>{1, 1}));
}

TEST(Npy, ReadsNumpyFixtures) {
  Tensor t = io::load_npy(fixture("f4_2x3.npy"));
  EXPECT_EQ(t.dtype(), DType::Float32);
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(t), (std::vector<double>{-1, -0.5, 0, 0.5, 1, 1.5}));

  t = io::load_npy(fixture("f8_scalar.npy"));
  EXPECT_EQ(t.dtype(), DType::Float64);
  EXPECT_EQ(t.dim(), 0);
  EXPECT_EQ(t.item(), 3.25);

  t = io::load_npy(fixture("i8_empty_0x3.npy"));
  EXPECT_EQ(t.dtype(), DType::Int64);
  EXPECT_EQ(t.shape(), (Shape{0, 3}));

  t = io::load_npy(fixture("b1_4.npy"));
  EXPECT_EQ(t.dtype(), DType::Bool);
  EXPECT_EQ(t.to_vector<bool>(), (std::vector<bool>{true, false, false, true}));

  t = io::load_npy(fixture("u1_3.npy"));  // the stored dtype is kept
  EXPECT_EQ(t.dtype(), DType::UInt8);
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 255}));

  t = io::load_npy(fixture("i4_4.npy"));
  EXPECT_EQ(t.dtype(), DType::Int32);
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{-2147483648LL, -1, 0, 2147483647}));

  t = io::load_npy(fixture("f2_3.npy"));
  EXPECT_EQ(t.dtype(), DType::Float16);
  EXPECT_EQ(values(t), (std::vector<double>{1.0, -2.5, 65504.0}));

  t = io::load_npy(fixture("f8_fortran_2x3.npy"));  // column-major on disk → C order
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(values(t), (std::vector<double>{1, 2, 3, 4, 5, 6}));

  t = io::load_npy(fixture("f4_bigendian_3.npy"));  // '>f4' is byte-swapped
  EXPECT_EQ(t.dtype(), DType::Float32);
  EXPECT_EQ(values(t), (std::vector<double>{1.5, -2.0, 3.0}));
  t = io::load_npy(fixture("i8_bigendian_2.npy"));
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{1, -2}));

  t = io::load_npy(fixture("f4_v2_2.npy"));  // format 2.0
  EXPECT_EQ(values(t), (std::vector<double>{7, 8}));
  t = io::load_npy(fixture("i8_v3_2x1x2.npy"));  // format 3.0
  EXPECT_EQ(t.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(Npy, HeaderSyntaxVariants) {
  const auto data = raw<float>({1, 2, 3, 4, 5, 6});
  for (const std::string dict : {
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
           "{'shape': (2, 3), 'descr': '<f4', 'fortran_order': False}",
           "{\"fortran_order\":False,\"shape\":(2,3),\"descr\":\"<f4\"}",
           "{ 'descr' : '<f4' ,\n 'fortran_order' : False ,\t'shape' : ( 2 , 3 , ) , }",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",  // Python 2 numpy
       }) {
    for (int major : {1, 2, 3}) {
      const Tensor t = parse(make_npy(dict, data, major));
      EXPECT_EQ(t.shape(), (Shape{2, 3})) << dict;
      EXPECT_EQ(values(t), (std::vector<double>{1, 2, 3, 4, 5, 6})) << dict;
    }
  }
  EXPECT_EQ(parse(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", data)).shape(), (Shape{6}));
  EXPECT_EQ(parse(make_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}", data)).to_vector<float>(),
            (std::vector<float>{1, 3, 5, 2, 4, 6}));
  // Other integer widths and orders.
  EXPECT_EQ(parse(make_npy("{'descr': '>i2', 'fortran_order': False, 'shape': (2,)}", {0xff, 0xfe, 0x01, 0x02}))
                .to_vector<int64_t>(),
            (std::vector<int64_t>{-2, 258}));
  EXPECT_EQ(parse(make_npy("{'descr': '|i1', 'fortran_order': False, 'shape': (2,)}", {0x80, 0x7f}))
                .to_vector<int64_t>(),
            (std::vector<int64_t>{-128, 127}));
  EXPECT_EQ(parse(make_npy("{'descr': '<u4', 'fortran_order': False, 'shape': (1,)}", {0xff, 0xff, 0xff, 0xff}))
                .to_vector<int64_t>(),
            (std::vector<int64_t>{4294967295LL}));
  // Bool bytes other than 0/1 read as true (and are stored as 1).
  const Tensor b = parse(make_npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}", {0, 2, 255}));
  EXPECT_EQ(b.to_vector<bool>(), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(static_cast<const uint8_t*>(b.raw_data())[1], 1);
}

TEST(Npy, MalformedInputsRaiseErrors) {
  const auto f4x2 = raw<float>({1, 2});
  auto bad = [&](const std::string& dict, const std::vector<std::string>& parts,
                 const std::vector<uint8_t>& data = raw<float>({1, 2})) {
    expect_error([&] { parse(make_npy(dict, data)); }, parts);
  };
  bad("{'descr': '<f4', 'fortran_order': False}", {"test.npy", "'shape'"});
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", {"unexpected key 'extra'"});
  bad("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", {"duplicate key 'descr'"});
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", {"trailing comma"});
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", {"non-negative integer"});
  bad("{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}", {"True or False"});
  bad("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", {"unsupported dtype '<c8'"});
  bad("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", {"unsupported dtype '|O'"});
  bad("{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}", {"unsupported dtype"});
  bad("{'descr': '|f4', 'fortran_order': False, 'shape': (2,)}", {"no byte order"});
  bad("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,)}", {"structured"});
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", {"after the closing"});
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", {"expected '}'"});
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", {"too large"});
  bad("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}",
      {"too many elements"});
  bad("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296, 4294967296)}",
      {"too many elements"}, {});  // empty, but its strides would overflow
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", {"truncated", "needs 12", "has 8"});
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", {"oversized", "needs 4", "has 8"});
  bad("{'descr': '<u8', 'fortran_order': False, 'shape': (1,)}", {"does not fit in int64"},
      std::vector<uint8_t>(8, 0xff));
  // Magic, version, header length.
  auto good = make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", f4x2);
  auto v4 = good;
  v4[6] = 4;
  expect_error([&] { parse(v4); }, {"unsupported format version 4.0"});
  auto magic = good;
  magic[1] = 'n';
  expect_error([&] { parse(magic); }, {"not a .npy file"});
  auto long_header = good;
  long_header[8] = 0xff;
  long_header[9] = 0xff;
  expect_error([&] { parse(long_header); }, {"header of 65535 bytes exceeds the file size"});
  expect_error([] { io::load_npy("/nonexistent/dir/x.npy"); }, {"/nonexistent/dir/x.npy", "No such file"});
  expect_error([] { io::load_npy(NABLA_SOURCE_DIR); }, {"is a directory"});
}

TEST(Npy, EveryTruncationOfEveryFixtureFails) {
  for (const char* name : {"f4_2x3.npy", "f8_scalar.npy", "i8_empty_0x3.npy", "b1_4.npy", "u1_3.npy", "f2_3.npy",
                           "f8_fortran_2x3.npy", "f4_bigendian_3.npy", "f4_v2_2.npy", "i8_v3_2x1x2.npy"}) {
    SCOPED_TRACE(name);
    expect_every_truncation_fails(read_bytes(fixture(name)), [](const uint8_t* p, size_t n) {
      io::load_npy_bytes(p, n);
    });
  }
}

TEST(Npy, FlippedHeaderBytesNeverCrash) {
  for (const char* name : {"f4_2x3.npy", "f8_fortran_2x3.npy", "f4_v2_2.npy"}) {
    const auto bytes = read_bytes(fixture(name));
    const int errors = corrupt_bytes(bytes, 0, bytes.size(), [](const uint8_t* p, size_t n) { io::load_npy_bytes(p, n); });
    EXPECT_GT(errors, 100) << name;  // most header flips are errors; flips in the data are not
  }
}

TEST(Npy, SavesAtomically) {
  TempDir dir;
  const std::string path = dir.file("a.npy");
  io::save_npy(path, tensor({1, 2, 3}));
  io::save_npy(path, tensor({4, 5}));  // replaces the old file
  EXPECT_EQ(values(io::load_npy(path)), (std::vector<double>{4, 5}));
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"a.npy"}));  // no temporary left behind
  // Renaming over a directory fails: the error names the path and the temporary is removed.
  std::filesystem::create_directory(dir.file("d.npy"));
  expect_error([&] { io::save_npy(dir.file("d.npy"), tensor({1})); }, {"d.npy", "renaming"});
  EXPECT_EQ(dir.entries().size(), 2u);
  expect_error([&] { io::save_npy(dir.file("missing/x.npy"), tensor({1})); }, {"missing/x.npy", "No such file"});
}

TEST(Npy, BFloat16HasNoNumpyDtype) {
  try {
    io::save_npy_bytes(ones({2}, DType::BFloat16));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bfloat16"), std::string::npos) << e.what();
  }
}
