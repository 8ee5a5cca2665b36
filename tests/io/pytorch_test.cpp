// PyTorch checkpoint reader: files written by torch.save (tools/make_pytorch_fixtures.py) in both
// formats load bit for bit; zoo models' logits match torch's (a CIFAR ResNet-8 and four small
// torchvision models: MobileNet v2/v3, ShuffleNet v2, DenseNet); the unpickler refuses what it
// must; complex and quantized tensors are refused by name and dtype; every truncation and byte
// flip raises nabla::Error.
#include "nabla/io/pytorch.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

#include "io/io_test_util.h"
#include "io/io_util.h"
#include "io/zip.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/cifar_resnet.h"
#include "nabla/models/densenet.h"
#include "nabla/models/mobilenet.h"
#include "nabla/models/shufflenet.h"

using namespace nabla;
using namespace nabla::io_test;
using namespace std::string_literals;

namespace {

std::string pt_fixture(const std::string& name) {
  return std::string(NABLA_SOURCE_DIR) + "/tests/fixtures/pytorch/" + name;
}

/// Same keys, dtypes, shapes and bytes.
void expect_same(const StateDict& got, const StateDict& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, w] : want) {
    ASSERT_TRUE(got.count(name)) << name;
    const Tensor& g = got.at(name);
    EXPECT_EQ(g.dtype(), w.dtype()) << name;
    ASSERT_EQ(g.shape(), w.shape()) << name;
    EXPECT_TRUE(g.is_contiguous()) << name;
    const Tensor wc = w.contiguous();
    const size_t n = static_cast<size_t>(w.numel()) * w.element_size();
    EXPECT_TRUE(n == 0 || std::memcmp(g.raw_data(), wc.raw_data(), n) == 0) << name;
  }
}

StateDict expected(const std::string& name) { return io::load_safetensors(pt_fixture(name)).tensors; }

StateDict parse(const std::vector<uint8_t>& bytes, const std::string& key = "") {
  return io::load_pytorch_bytes(bytes.data(), bytes.size(), "test.pth", key);
}

// Pickle pieces for hand-made checkpoints.
std::string str(const std::string& s) {
  std::string out = "X";
  io::detail::store_le32(out, static_cast<uint32_t>(s.size()));
  return out + s;
}
std::string global(const std::string& module, const std::string& name) { return "c" + module + "\n" + name + "\n"; }
std::string int1(int v) { return std::string("K") + static_cast<char>(v); }

/// {"w": _rebuild_tensor_v2(storage '0' of `numel` floats, offset, (size,), (stride,))}.
std::string tensor_pickle(int numel, int offset, int size, int stride, const std::string& type = "FloatStorage") {
  return "\x80\x02}(" + str("w") + global("torch._utils", "_rebuild_tensor_v2") + "((" + str("storage") +
         global("torch", type) + str("0") + str("cpu") + int1(numel) + "tQ" + int1(offset) + int1(size) + "\x85" +
         int1(stride) + "\x85\x89" + global("collections", "OrderedDict") + ")RtRu.";
}

/// A zip checkpoint "t/data.pkl" + "t/data/0" (storage bytes).
std::vector<uint8_t> zip_checkpoint(const std::string& pickle, const std::string& storage) {
  io::detail::VectorSink sink;
  io::detail::write_zip(sink, {{"t/data.pkl", {{pickle.data(), pickle.size()}}},
                               {"t/data/0", {{storage.data(), storage.size()}}}});
  return sink.take();
}

}  // namespace

TEST(Pytorch, SmallCnnZipAndLegacyFormats) {
  const StateDict want = expected("small_cnn.expected.safetensors");
  ASSERT_EQ(want.size(), 9u);  // conv (2), bn (weight, bias, running stats, num_batches_tracked), fc (2)
  expect_same(io::load_pytorch(pt_fixture("small_cnn.pth")), want);
  expect_same(io::load_pytorch(pt_fixture("small_cnn_legacy.pth")), want);
  EXPECT_EQ(io::load_pytorch(pt_fixture("small_cnn.pth")).at("bn.num_batches_tracked").item<int64_t>(), 7);
}

TEST(Pytorch, EveryDtypeBothFormats) {
  const StateDict want = expected("dtypes.expected.safetensors");
  for (const char* file : {"dtypes.pth", "dtypes_legacy.pth"}) {
    SCOPED_TRACE(file);
    const StateDict got = io::load_pytorch(pt_fixture(file));
    expect_same(got, want);
    EXPECT_EQ(got.at("f16").dtype(), DType::Float16);
    EXPECT_EQ(got.at("bf16").dtype(), DType::BFloat16);
    EXPECT_EQ(got.at("i16").dtype(), DType::Int32);  // widened, as load_safetensors does
    EXPECT_EQ(got.at("i8").dtype(), DType::Int32);
    EXPECT_EQ(values(got.at("i8")), (std::vector<double>{-128, -1, 127}));
    EXPECT_EQ(values(got.at("u8")), (std::vector<double>{0, 128, 255}));
    EXPECT_EQ(got.at("scalar").dim(), 0);
    EXPECT_EQ(got.at("empty").shape(), (Shape{0, 3}));
  }
}

TEST(Pytorch, SharedStorageViewsBecomeContiguousTensors) {
  const StateDict want = expected("views.expected.safetensors");
  for (const char* file : {"views.pth", "views_legacy.pth"}) {
    SCOPED_TRACE(file);
    const StateDict got = io::load_pytorch(pt_fixture(file));
    expect_same(got, want);
    EXPECT_EQ(values(got.at("slice")), (std::vector<double>{6, 8, 10, 12, 14, 16, 18, 20, 22}));
    EXPECT_EQ(values(got.at("elem")), (std::vector<double>{7}));
  }
}

TEST(Pytorch, NestedCheckpointPicksAKey) {
  const std::string path = pt_fixture("nested.pth");
  expect_same(io::load_pytorch(path, "model"), expected("nested_model.expected.safetensors"));
  expect_same(io::load_pytorch(path, "extra.ema.model"), expected("nested_ema.expected.safetensors"));
  expect_error([&] { io::load_pytorch(path); },
               {path, "tensors are under 'model'", "key 'model'", "'optimizer'", "'epoch'"});
  expect_error([&] { io::load_pytorch(path, "extra.nothing"); }, {path, "key 'extra.nothing'", "no entry 'nothing'",
                                                                   "in 'extra'", "'ema'"});
  expect_error([&] { io::load_pytorch(path, "optimizer"); }, {"key 'optimizer'", "entry 'state'", "not a tensor"});
  expect_error([&] { io::load_pytorch(path, "epoch"); }, {"key 'epoch'", "the int 3", "not a dict of tensors"});
  // The optimizer's per-parameter state is keyed by integers: a dotted path reaches it.
  const StateDict momentum = io::load_pytorch(path, "optimizer.state.0");
  ASSERT_EQ(momentum.size(), 1u);
  EXPECT_EQ(momentum.at("momentum_buffer").shape(), (Shape{4, 3, 3, 3}));
}

TEST(Pytorch, TopLevelAliasAndDetection) {
  EXPECT_EQ(nabla::load_pytorch(pt_fixture("small_cnn.pth")).size(), 9u);
  EXPECT_TRUE(io::is_pytorch_file(pt_fixture("small_cnn.pth")));
  EXPECT_TRUE(io::is_pytorch_file(pt_fixture("small_cnn_legacy.pth")));
  EXPECT_FALSE(io::is_pytorch_file(pt_fixture("small_cnn.expected.safetensors")));
  EXPECT_FALSE(io::is_pytorch_file(fixture("f4_2x3.npy")));
  EXPECT_FALSE(io::is_pytorch_file(pt_fixture("no_such_file.pth")));
  expect_error([&] { io::load_pytorch(pt_fixture("no_such_file.pth")); }, {"no_such_file.pth"});
  expect_error([&] { io::load_pytorch(pt_fixture("small_cnn.expected.safetensors")); },
               {"small_cnn.expected.safetensors", "not a PyTorch checkpoint"});
}

TEST(Pytorch, ZooResNet8LogitsMatchTorch) {
  const StateDict sd = io::load_pytorch(pt_fixture("resnet8.pth"));
  const StateDict io_pair = expected("resnet8_io.safetensors");
  auto model = std::make_shared<models::CifarResNet>(8, 10, 3);
  ASSERT_EQ(sd.size(), model->state_dict().size());
  model->load_state_dict(sd);  // strict: every key and shape agrees with torch's
  model->eval();
  NoGradGuard no_grad;
  const Tensor logits = model->forward(io_pair.at("input"));
  const std::vector<double> got = values(logits), want = values(io_pair.at("logits"));
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-5 * std::max(1.0, std::fabs(want[i]))) << "logit " << i;
}

// torchvision's own models at small widths (tools/make_pytorch_fixtures.py), saved by torch.save
// as state dicts, load strictly into nabla's zoo models built with the same arguments and give
// torch's eval-mode logits.
TEST(Pytorch, TorchvisionModelsLoadAndMatchLogits) {
  models::DenseNetConfig densenet;
  densenet.growth_rate = 4;
  densenet.block_config = {2, 2};
  densenet.num_init_features = 8;
  densenet.bn_size = 2;
  densenet.num_classes = 10;
  const std::vector<std::pair<std::string, std::function<std::shared_ptr<nn::UnaryModule>()>>> cases = {
      {"tv_mobilenet_v2_w025", [] { return models::mobilenet_v2(10, 3, false, 0.25); }},
      {"tv_shufflenet_v2_tiny",
       [] { return std::make_shared<models::ShuffleNetV2>(std::vector<int64_t>{2, 2, 2},
                                                          std::vector<int64_t>{8, 16, 32, 64, 128}, 10, 3, false); }},
      {"tv_densenet_tiny", [densenet] { return std::make_shared<models::DenseNet>(densenet); }},
      {"tv_mobilenet_v3_small_w025", [] { return models::mobilenet_v3_small(10, 3, false, 0.25); }},
  };
  for (const auto& [name, make] : cases) {
    SCOPED_TRACE(name);
    const StateDict sd = io::load_pytorch(pt_fixture(name + ".pth"));
    const StateDict io_pair = expected(name + "_io.safetensors");
    auto model = make();
    const StateDict own = model->state_dict();
    ASSERT_EQ(sd.size(), own.size());
    for (const auto& [key, tensor] : own) {
      ASSERT_TRUE(sd.count(key)) << key;
      EXPECT_EQ(sd.at(key).shape(), tensor.shape()) << key;
    }
    model->load_state_dict(sd);  // strict
    model->eval();
    NoGradGuard no_grad;
    const Tensor logits = model->forward(io_pair.at("input"));
    const std::vector<double> got = values(logits), want = values(io_pair.at("logits"));
    ASSERT_EQ(got.size(), want.size());
    // torchvision draws MobileNet's classifier from N(0, 0.01), so its logits are of order 1e-3:
    // the tolerance is relative to the largest logit, not to 1.
    double scale = 0, max_diff = 0;
    for (double w : want) scale = std::max(scale, std::fabs(w));
    ASSERT_GT(scale, 0);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i], want[i], 1e-5 * scale) << "logit " << i;
      max_diff = std::max(max_diff, std::fabs(got[i] - want[i]));
    }
    std::printf("%s: %zu tensors, max |logit| %.3g, max |logit - torch| = %.3g\n", name.c_str(), sd.size(), scale,
                max_diff);
  }
}

TEST(Pytorch, RefusesGlobalsOutsideTheAllowList) {
  const std::string path = pt_fixture("malicious.pth");
  expect_error([&] { io::load_pytorch(path); }, {path, "refused global 'os.system'"});
  // Protocol 4's STACK_GLOBAL is checked the same way.
  const std::string stack_global = "\x80\x04" + str("builtins") + str("eval") + "\x93" + str("1") + "\x85R.";
  expect_error([&] { parse(zip_checkpoint(stack_global, "")); }, {"refused global 'builtins.eval'"});
  // Allowed names cannot be called other than as tensor rebuilders.
  const std::string call_storage = "\x80\x02" + global("torch", "FloatStorage") + ")R.";
  expect_error([&] { parse(zip_checkpoint(call_storage, "")); }, {"calling 'torch.FloatStorage' is not supported"});
  const std::string newobj = "\x80\x02" + global("collections", "OrderedDict") + ")\x81.";
  expect_error([&] { parse(zip_checkpoint(newobj, "")); }, {"NEWOBJ is refused"});
  // The names of the dtypes nabla lacks are kept as values, never called.
  const std::string call_complex = "\x80\x02" + global("torch", "ComplexFloatStorage") + ")R.";
  expect_error([&] { parse(zip_checkpoint(call_complex, "")); },
               {"calling 'torch.ComplexFloatStorage' is not supported"});
  const std::string call_scheme = "\x80\x02" + global("torch", "per_tensor_affine") + ")R.";
  expect_error([&] { parse(zip_checkpoint(call_scheme, "")); }, {"calling 'torch.per_tensor_affine' is not supported"});
}

TEST(Pytorch, ComplexAndQuantizedTensorsAreRefusedByDtype) {
  // torch.save of complex64/complex128 and quantized tensors (per tensor and per channel), one
  // nested dict each, beside a float tensor that loads.
  for (const char* file : {"unsupported_dtypes.pth", "unsupported_dtypes_legacy.pth"}) {
    SCOPED_TRACE(file);
    const std::string path = pt_fixture(file);
    auto load = [&](const std::string& key) { return [=] { io::load_pytorch(path, key); }; };
    expect_error(load("complex64"),
                 {path, "key 'complex64'", "tensor 'z'", "complex64 is not supported by nabla (no complex dtype)"});
    expect_error(load("complex128"), {path, "tensor 'z'", "complex128 is not supported by nabla (no complex dtype)"});
    expect_error(load("qint8"), {path, "tensor 'q'", "qint8 (quantized) is not supported by nabla"});
    expect_error(load("quint8"), {path, "tensor 'q'", "quint8 (quantized) is not supported by nabla"});
    expect_error(load("qint8_per_channel"), {path, "tensor 'q'", "qint8 (quantized) is not supported by nabla"});
    const StateDict sd = io::load_pytorch(path, "float");
    ASSERT_EQ(sd.size(), 1u);
    EXPECT_EQ(sd.at("w").shape(), (Shape{2}));
  }
}

TEST(Pytorch, HandMadeCheckpoints) {
  const std::string four_floats(16, '\0');
  // A view inside its storage loads; one reaching past it is refused, naming the tensor.
  EXPECT_EQ(parse(zip_checkpoint(tensor_pickle(4, 1, 2, 2), four_floats)).at("w").shape(), (Shape{2}));
  expect_error([&] { parse(zip_checkpoint(tensor_pickle(4, 1, 3, 2), four_floats)); },
               {"test.pth", "tensor 'w'", "storage '0' of 4 elements is too small for the view"});
  // The storage member must hold exactly the declared elements.
  expect_error([&] { parse(zip_checkpoint(tensor_pickle(5, 0, 1, 1), four_floats)); },
               {"tensor 'w'", "declares 5 elements of 4 bytes but its member holds 16 bytes"});
  // A complex storage is refused by tensor and dtype, not as an unknown global; a near name is.
  expect_error([&] { parse(zip_checkpoint(tensor_pickle(2, 0, 1, 1, "ComplexFloatStorage"), four_floats)); },
               {"test.pth", "tensor 'w'", "complex64 is not supported by nabla (no complex dtype)"});
  expect_error([&] { parse(zip_checkpoint(tensor_pickle(4, 0, 1, 1, "ComplexHalfStorage"), four_floats)); },
               {"refused global 'torch.ComplexHalfStorage'"});
  // Malformed pickles.
  expect_error([&] { parse(zip_checkpoint("\x80\x02.", "")); }, {"pickle byte 2", "stack underflow"});
  expect_error([&] { parse(zip_checkpoint("\x80\x02h\x05.", "")); }, {"memo entry 5 was never stored"});
  expect_error([&] { parse(zip_checkpoint("\x80\x02}", "")); }, {"truncated pickle"});
  expect_error([&] { parse(zip_checkpoint("\x80\x02}\xff.", "")); }, {"unsupported pickle opcode 0xff"});
  EXPECT_TRUE(parse(zip_checkpoint("\x80\x02}.", "")).empty());
  // A list that contains itself cannot make the reader loop.
  expect_error([&] { parse(zip_checkpoint("\x80\x02]q\x00h\x00" "a."s, "")); }, {"the top level is a list"});
}

TEST(Pytorch, EveryTruncationFails) {
  for (const char* file : {"small_cnn.pth", "small_cnn_legacy.pth", "views.pth", "views_legacy.pth",
                           "dtypes_legacy.pth"}) {
    SCOPED_TRACE(file);
    const std::vector<uint8_t> bytes = read_bytes(pt_fixture(file));
    expect_every_truncation_fails(bytes, [](const uint8_t* d, size_t n) { io::load_pytorch_bytes(d, n, "t"); });
  }
}

TEST(Pytorch, CorruptBytesRaiseErrorsOnly) {
  for (const char* file : {"small_cnn.pth", "small_cnn_legacy.pth", "views_legacy.pth", "nested.pth"}) {
    SCOPED_TRACE(file);
    const std::vector<uint8_t> bytes = read_bytes(pt_fixture(file));
    const int errors = corrupt_bytes(bytes, 0, bytes.size(), [](const uint8_t* d, size_t n) {
      for (const auto& [name, t] : io::load_pytorch_bytes(d, n, "t", "")) (void)t.numel();
    });
    EXPECT_GT(errors, 0);
  }
}
