// safetensors reader/writer: round trips with metadata, a hand-written fixture, the validation
// the specification demands (offsets, holes, overlaps, dtypes, sizes), corruption, atomic writes.
#include "nabla/io/safetensors.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "io/io_test_util.h"
#include "nabla/io/serialize.h"

using namespace nabla;
using namespace nabla::io_test;

namespace {

io::SafetensorsFile parse(const std::vector<uint8_t>& bytes) {
  return io::load_safetensors_bytes(bytes.data(), bytes.size(), "test.safetensors");
}

/// A safetensors image with the given header text and `buffer_size` bytes of buffer (value i%256).
std::vector<uint8_t> make(const std::string& header, size_t buffer_size) {
  std::vector<uint8_t> out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>((header.size() >> (8 * i)) & 0xff);
  out.insert(out.end(), header.begin(), header.end());
  for (size_t i = 0; i < buffer_size; ++i) out.push_back(static_cast<uint8_t>(i));
  return out;
}

std::map<std::string, Tensor> sample() {
  return {{"w", arange(0, 6, 1, DType::Float32).reshape({2, 3})},
          {"b", tensor({-1, 1}, DType::Float64)},
          {"steps", scalar_tensor(7, DType::Int64)},
          {"mask", tensor({1, 0, 1}).to(DType::Bool)},
          {"empty", zeros({0, 2})},
          {"wt", tensor({{1, 2}, {3, 4}}).t()}};
}

}  // namespace

TEST(Safetensors, RoundTripWithMetadata) {
  const auto in = sample();
  const std::map<std::string, std::string> meta = {{"format", "pt"}, {"note", "ünïcode \"quoted\""}};
  TempDir dir;
  io::save_safetensors(dir.file("m.safetensors"), in, meta);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"m.safetensors"}));
  for (const auto& out : {parse(io::save_safetensors_bytes(in, meta)), io::load_safetensors(dir.file("m.safetensors"))}) {
    EXPECT_EQ(out.metadata, meta);
    ASSERT_EQ(out.tensors.size(), in.size());
    for (const auto& [name, t] : in) {
      SCOPED_TRACE(name);
      EXPECT_EQ(out.tensors.at(name).dtype(), t.dtype());
      EXPECT_EQ(out.tensors.at(name).shape(), t.shape());
      EXPECT_EQ(values(out.tensors.at(name)), values(t));
    }
  }
  EXPECT_EQ(values(parse(io::save_safetensors_bytes(in)).tensors.at("wt")), (std::vector<double>{1, 3, 2, 4}));
  EXPECT_TRUE(parse(io::save_safetensors_bytes({})).tensors.empty());
}

TEST(Safetensors, WritesAlignedSpecLayout) {
  const auto bytes = io::save_safetensors_bytes(sample(), {{"k", "v"}});
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);  // header padded with spaces so the buffer is 8-byte aligned
  const std::string text(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["__metadata__"]["k"], "v");
  EXPECT_EQ(j["w"]["dtype"], "F32");
  EXPECT_EQ(j["w"]["shape"], nlohmann::json({2, 3}));
  EXPECT_EQ(j["steps"]["dtype"], "I64");
  EXPECT_EQ(j["steps"]["shape"], nlohmann::json::array());
  EXPECT_EQ(j["mask"]["dtype"], "BOOL");
  // 8-byte tensors first (b, steps by name), then 4-byte (empty, w, wt), then bool: all aligned.
  EXPECT_EQ(j["b"]["data_offsets"], nlohmann::json({0, 16}));
  EXPECT_EQ(j["steps"]["data_offsets"], nlohmann::json({16, 24}));
  EXPECT_EQ(j["empty"]["data_offsets"], nlohmann::json({24, 24}));
  EXPECT_EQ(j["w"]["data_offsets"], nlohmann::json({24, 48}));
  EXPECT_EQ(j["wt"]["data_offsets"], nlohmann::json({48, 64}));
  EXPECT_EQ(j["mask"]["data_offsets"], nlohmann::json({64, 67}));
  EXPECT_EQ(bytes.size(), 8 + n + 67);
}

TEST(Safetensors, ReadsHandWrittenFixture) {
  const auto f = io::load_safetensors(fixture("mixed.safetensors"));
  EXPECT_EQ(f.metadata, (std::map<std::string, std::string>{{"format", "pt"}, {"epoch", "3"}}));
  const auto& t = f.tensors;
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t.at("w").shape(), (Shape{2, 2}));
  EXPECT_EQ(values(t.at("w")), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(t.at("d").dtype(), DType::Float64);
  EXPECT_EQ(t.at("d").item(), -0.125);
  EXPECT_EQ(t.at("idx").to_vector<int64_t>(), (std::vector<int64_t>{5, -6, 7}));
  EXPECT_EQ(t.at("mask").to_vector<bool>(), (std::vector<bool>{false, true}));
  EXPECT_EQ(t.at("h").dtype(), DType::Float16);  // the stored dtype is kept
  EXPECT_EQ(values(t.at("h")), (std::vector<double>{0.5, -1.0}));
  EXPECT_EQ(t.at("bf").dtype(), DType::BFloat16);
  EXPECT_EQ(values(t.at("bf")), (std::vector<double>{1.0, -0.5, 3.140625}));
  EXPECT_EQ(t.at("i32").dtype(), DType::Int32);
  EXPECT_EQ(t.at("i32").to_vector<int64_t>(), (std::vector<int64_t>{-7, 100000}));
  EXPECT_EQ(t.at("u8").dtype(), DType::UInt8);
  EXPECT_EQ(t.at("u8").to_vector<int64_t>(), (std::vector<int64_t>{0, 128, 255}));
  EXPECT_EQ(t.at("empty").shape(), (Shape{0, 4}));
}

TEST(Safetensors, ValidatesEverything) {
  auto bad = [](const std::string& header, size_t buffer, const std::vector<std::string>& parts) {
    expect_error([&] { parse(make(header, buffer)); }, parts);
  };
  const std::string f32x4 = R"("dtype":"F32","shape":[4])";
  bad(R"({"w":{"dtype":"F32","shape":[25],"data_offsets":[0,100]}})", 64,
      {"safetensors: test.safetensors: tensor 'w' data_offsets [0, 100] exceed buffer of 64 bytes"});
  bad(R"({"w":{)" + f32x4 + R"(,"data_offsets":[0,12]}})", 12, {"tensor 'w'", "hold 12 bytes", "needs 16"});
  bad(R"({"w":{)" + f32x4 + R"(,"data_offsets":[16,0]}})", 16, {"reversed"});
  bad(R"({"a":{)" + f32x4 + R"(,"data_offsets":[0,16]},"b":{)" + f32x4 + R"(,"data_offsets":[8,24]}})", 24,
      {"tensor 'b'", "overlap tensor 'a'"});
  bad(R"({"a":{)" + f32x4 + R"(,"data_offsets":[0,16]},"b":{)" + f32x4 + R"(,"data_offsets":[20,36]}})", 36,
      {"hole", "[16, 20)"});
  bad(R"({"a":{)" + f32x4 + R"(,"data_offsets":[4,20]}})", 20, {"hole", "[0, 4)"});
  bad(R"({"a":{)" + f32x4 + R"(,"data_offsets":[0,16]}})", 20, {"4 trailing bytes"});
  bad(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", 1, {"unsupported dtype 'F8_E4M3'"});
  bad(R"({"a":{"dtype":7,"shape":[1],"data_offsets":[0,1]}})", 1, {"'dtype' is not a string"});
  bad(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1, {"non-negative integers", "-1"});
  bad(R"({"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}})", 1, {"non-negative integers"});
  bad(R"({"a":{"dtype":"U8","shape":1,"data_offsets":[0,1]}})", 1, {"'shape' is not an array"});
  bad(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", 1, {"'data_offsets' must be two"});
  bad(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})", 1, {"'data_offsets' must be two"});
  bad(R"({"a":{"dtype":"U8","shape":[1]}})", 1, {"needs 'dtype', 'shape' and 'data_offsets'"});
  bad(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":0}})", 1, {"unexpected key 'extra'"});
  bad(R"({"a":[1]})", 1, {"tensor 'a'", "not a JSON object"});
  bad(R"({"a":{"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}})", 8,
      {"too many elements"});
  bad(R"({"a":{"dtype":"F64","shape":[18446744073709551615,0],"data_offsets":[0,0]}})", 0, {"absurd size"});
  bad(R"({"a":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}})", 0, {"exceed buffer"});
  bad(R"({"__metadata__":{"k":1}})", 0, {"'__metadata__' value of 'k' is not a string"});
  bad(R"({"__metadata__":[]})", 0, {"'__metadata__' is not a JSON object"});
  bad(R"({"a":)", 0, {"not valid JSON"});
  bad("{\"\xff\":{}}", 0, {"not valid JSON"});  // invalid UTF-8
  bad("[1,2]", 0, {"does not start with '{'"});
  // U64 beyond int64.
  auto u64 = make(R"({"a":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}})", 0);
  for (int i = 0; i < 8; ++i) u64.push_back(0xff);
  expect_error([&] { parse(u64); }, {"tensor 'a'", "does not fit in int64"});
  // The length field.
  expect_error([] { parse({1, 2, 3}); }, {"too small"});
  auto huge = make("{}", 0);
  huge[7] = 0x10;
  expect_error([&] { parse(huge); }, {"exceeds the file size"});
  expect_error([] { io::load_safetensors("/nonexistent.safetensors"); }, {"/nonexistent.safetensors", "No such file"});
  // Headers with trailing padding and zero-size tensors sharing an offset are valid.
  const auto ok = parse(make(R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
                             R"("f":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}    )",
                             0));
  EXPECT_EQ(ok.tensors.size(), 2u);
  // Writing: reserved and invalid names.
  EXPECT_THROW(io::save_safetensors_bytes({{"__metadata__", tensor({1})}}), Error);
  EXPECT_EQ(values(parse(io::save_safetensors_bytes({{"", tensor({1})}})).tensors.at("")), (std::vector<double>{1}));
  expect_error([] { io::save_safetensors_bytes({{"\xff", tensor({1})}}); }, {"UTF-8"});
  expect_error([] { io::save_safetensors_bytes({}, {{"k", "\xc3"}}); }, {"UTF-8"});
}

TEST(Safetensors, EveryTruncationFails) {
  expect_every_truncation_fails(read_bytes(fixture("mixed.safetensors")),
                                [](const uint8_t* p, size_t n) { io::load_safetensors_bytes(p, n); });
  expect_every_truncation_fails(io::save_safetensors_bytes(sample(), {{"a", "b"}}),
                                [](const uint8_t* p, size_t n) { io::load_safetensors_bytes(p, n); });
}

TEST(Safetensors, FlippedHeaderBytesNeverCrash) {
  const auto bytes = read_bytes(fixture("mixed.safetensors"));
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const int errors =
      corrupt_bytes(bytes, 0, 8 + n, [](const uint8_t* p, size_t size) { io::load_safetensors_bytes(p, size); });
  EXPECT_GT(errors, static_cast<int>(n));
}

TEST(Serialize, PicksTheFormatByExtension) {
  const auto in = sample();
  TempDir dir;
  for (const char* name : {"m.safetensors", "m.npz", "m.NPZ", "m.bin"}) {
    SCOPED_TRACE(name);
    save(dir.file(name), in);
    const auto out = load(dir.file(name));
    ASSERT_EQ(out.size(), in.size());
    for (const auto& [k, t] : in) EXPECT_EQ(values(out.at(k)), values(t));
  }
  EXPECT_EQ(read_bytes(dir.file("m.npz"))[0], 'P');          // ZIP
  EXPECT_NE(read_bytes(dir.file("m.bin"))[0], 'P');          // safetensors by default
  EXPECT_EQ(io::load_safetensors(dir.file("m.bin")).tensors.size(), in.size());
  save(dir.file("one.npy"), {{"tensor", tensor({1, 2})}});
  EXPECT_EQ(values(load(dir.file("one.npy")).at("tensor")), (std::vector<double>{1, 2}));
  io::save(dir.file("two.npy"), {{"", tensor({3})}});  // also reachable as nabla::io::save
  EXPECT_EQ(values(io::load(dir.file("two.npy")).at("tensor")), (std::vector<double>{3}));
  save(dir.file("meta.safetensors"), in, {{"k", "v"}});
  EXPECT_EQ(io::load_safetensors(dir.file("meta.safetensors")).metadata.at("k"), "v");
  expect_error([&] { save(dir.file("x.npy"), in); }, {"x.npy", "exactly one tensor"});
  expect_error([&] { save(dir.file("x.npy"), {{"w", tensor({1})}}); }, {"named"});
  expect_error([&] { save(dir.file("x.npz"), in, {{"k", "v"}}); }, {"metadata"});
  expect_error([&] { load(dir.file("absent.safetensors")); }, {"absent.safetensors", "No such file"});
}

TEST(Safetensors, RoundTripsTheSmallDtypes) {
  const std::map<std::string, Tensor> in = {{"u8", tensor({0, 200, 255}, DType::UInt8)},
                                            {"i32", tensor({-7, 100000}, DType::Int32)},
                                            {"bf", tensor({1.0, -0.5, 3.140625}, DType::BFloat16)},
                                            {"h", tensor({0.5, -1.0, 65504}, DType::Float16)}};
  const std::vector<uint8_t> bytes = io::save_safetensors_bytes(in);
  const auto out = parse(bytes);
  for (const auto& [name, t] : in) {
    SCOPED_TRACE(name);
    EXPECT_EQ(out.tensors.at(name).dtype(), t.dtype());
    EXPECT_EQ(values(out.tensors.at(name)), values(t));
  }
  EXPECT_NE(std::string(bytes.begin(), bytes.end()).find("\"BF16\""), std::string::npos);
}
