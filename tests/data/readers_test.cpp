// File-format datasets: Fashion-MNIST (real files when installed), CIFAR, image folders, CSV,
// NumPy and text, with truncated and corrupt inputs.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <filesystem>
#include <fstream>

#include "io/io_test_util.h"
#include "nabla/data.h"
#include "nabla/io/npy.h"
#include "error_of.h"

using namespace nabla;
using namespace nabla::data;
using nabla::io_test::TempDir;

namespace {
using nabla::testing::error_of;
void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

}  // namespace

TEST(Readers, FashionMNISTReal) {
  if (!std::filesystem::exists(FashionMNIST::kDefaultRoot)) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  FashionMNIST train;
  FashionMNIST test(FashionMNIST::kDefaultRoot, false);
  EXPECT_EQ(train.size(), 60000);
  EXPECT_EQ(test.size(), 10000);
  Example first = train.get(0);
  EXPECT_EQ(first.input.shape(), (Shape{1, 28, 28}));
  EXPECT_EQ(first.target.item<int64_t>(), 9);  // the first training image is an ankle boot
  EXPECT_EQ(train.classes()[9], "Ankle boot");
  EXPECT_EQ(test.get(0).target.item<int64_t>(), 9);
  EXPECT_LE(first.input.max().item(), 255);
  Batch b;
  ASSERT_TRUE(train.get_batch({0, 1}, b));
  EXPECT_EQ(b.input[0].to_vector<float>(), first.input.to_vector<float>());
  // Stored as uint8 tensors; samples and batches are float32 0–255.
  EXPECT_EQ(train.images().dtype(), DType::UInt8);
  EXPECT_EQ(train.images().shape(), (Shape{60000, 28, 28}));
  EXPECT_EQ(train.labels().dtype(), DType::UInt8);
  EXPECT_EQ(first.input.dtype(), DType::Float32);
  EXPECT_EQ(b.input.dtype(), DType::Float32);
  EXPECT_EQ(train.images()[0].to(DType::Float32).to_vector<float>(), first.input.to_vector<float>());
}

TEST(Readers, MissingFashionMNISTNamesPackageAndPath) {
  const std::string msg = error_of([] { FashionMNIST("/nonexistent/fmnist"); });
  EXPECT_NE(msg.find("dataset-fashion-mnist"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/nonexistent/fmnist/train-images-idx3-ubyte"), std::string::npos) << msg;
}

TEST(Readers, CifarRecordsAndTruncation) {
  TempDir dir;
  std::string rec10;
  for (int r = 0; r < 2; ++r) {
    rec10.push_back(static_cast<char>(r == 0 ? 3 : 7));
    for (int k = 0; k < 3072; ++k) rec10.push_back(static_cast<char>((k + r) % 256));
  }
  write_text(std::filesystem::path(dir.file(".")) / "test_batch.bin", rec10);
  CIFAR10 c10(std::filesystem::path(dir.file(".")).string(), false);
  EXPECT_EQ(c10.size(), 2);
  Example e = c10.get(1);
  EXPECT_EQ(e.target.item<int64_t>(), 7);
  EXPECT_EQ(e.input.shape(), (Shape{3, 32, 32}));
  EXPECT_EQ(e.input.select(0, 1).select(0, 0).select(0, 0).item(), (1024 + 1) % 256);  // channel-planar
  EXPECT_EQ(e.input.dtype(), DType::Float32);
  EXPECT_EQ(c10.inputs().dtype(), DType::UInt8);  // stored as bytes
  Batch cb;
  ASSERT_TRUE(c10.get_batch({1, 0}, cb));
  EXPECT_EQ(cb.input.dtype(), DType::Float32);
  EXPECT_EQ(cb.input[0].to_vector<float>(), e.input.to_vector<float>());
  write_text(std::filesystem::path(dir.file(".")) / "test_batch.bin", rec10.substr(0, rec10.size() - 10));
  std::string msg = error_of([&] { CIFAR10(std::filesystem::path(dir.file(".")).string(), false); });
  EXPECT_NE(msg.find("test_batch.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("offset 3073"), std::string::npos) << msg;
  rec10[0] = 12;  // label out of range
  write_text(std::filesystem::path(dir.file(".")) / "test_batch.bin", rec10);
  msg = error_of([&] { CIFAR10(std::filesystem::path(dir.file(".")).string(), false); });
  EXPECT_NE(msg.find("label 12 at offset 0"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { CIFAR10(std::filesystem::path(dir.file(".")).string(), true); }).find("data_batch_1.bin"), std::string::npos);

  std::string rec100 = {5, 42};
  rec100 += std::string(3072, '\x10');
  write_text(std::filesystem::path(dir.file(".")) / "train.bin", rec100);
  EXPECT_EQ(CIFAR100(std::filesystem::path(dir.file(".")).string()).get(0).target.item<int64_t>(), 42);
  EXPECT_EQ(CIFAR100(std::filesystem::path(dir.file(".")).string(), true, true).get(0).target.item<int64_t>(), 5);
}

TEST(Readers, ImageFolderDecodesSortedClasses) {
  TempDir dir;
  std::filesystem::create_directories(std::filesystem::path(dir.file(".")) / "dog");
  std::filesystem::create_directories(std::filesystem::path(dir.file(".")) / "cat");
  const unsigned char px[2 * 2 * 3] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};  // HWC
  ASSERT_TRUE(stbi_write_png((std::filesystem::path(dir.file(".")) / "dog" / "b.png").c_str(), 2, 2, 3, px, 2 * 3));
  ASSERT_TRUE(stbi_write_png((std::filesystem::path(dir.file(".")) / "cat" / "a.png").c_str(), 2, 2, 3, px, 2 * 3));
  write_text(std::filesystem::path(dir.file(".")) / "cat" / "notes.txt", "not an image");
  ImageFolder folder(std::filesystem::path(dir.file(".")).string());
  EXPECT_EQ(folder.classes(), (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(folder.size(), 2);
  Example e = folder.get(1);
  EXPECT_EQ(e.target.item<int64_t>(), 1);
  EXPECT_EQ(e.input.shape(), (Shape{3, 2, 2}));
  // CHW: channel 0 (red) is 255, 0, 0, 10.
  EXPECT_EQ(e.input.select(0, 0).flatten().to_vector<float>(), (std::vector<float>{255, 0, 0, 10}));
  const Tensor raw = read_image((std::filesystem::path(dir.file(".")) / "dog" / "b.png").string());
  EXPECT_EQ(raw.dtype(), DType::UInt8);
  EXPECT_EQ(raw.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(raw.select(0, 2).flatten().to_vector<uint8_t>(), (std::vector<uint8_t>{0, 0, 255, 30}));
  EXPECT_EQ(ImageFolder(std::filesystem::path(dir.file(".")).string(), 1).get(0).input.shape(), (Shape{1, 2, 2}));
  write_text(std::filesystem::path(dir.file(".")) / "dog" / "c.jpg", "garbage bytes, not a jpeg");
  ImageFolder with_bad(std::filesystem::path(dir.file(".")).string());
  const std::string msg = error_of([&] { with_bad.get(2); });
  EXPECT_NE(msg.find("c.jpg"), std::string::npos) << msg;
  // Through a loader, the error names the sample index too.
  DataLoaderOptions opt;
  opt.batch_size = 3;
  opt.num_workers = 2;
  DataLoader loader(std::make_shared<ImageFolder>(std::filesystem::path(dir.file(".")).string()), opt);
  const std::string lmsg = error_of([&] {
    for (const Batch& b : loader) (void)b;
  });
  EXPECT_NE(lmsg.find("sample 2"), std::string::npos) << lmsg;
  EXPECT_NE(lmsg.find("c.jpg"), std::string::npos) << lmsg;
}

TEST(Readers, CsvByNameIndexAndErrors) {
  TempDir dir;
  const std::string path = (std::filesystem::path(dir.file(".")) / "iris.csv").string();
  write_text(path, "a,label,b\n1.5,2,3\n\n-4,0,5e1\n");
  CsvDataset byname(path, {.label_column = "label"});
  EXPECT_EQ(byname.size(), 2);
  EXPECT_EQ(byname.feature_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(byname.get(1).input.to_vector<float>(), (std::vector<float>{-4, 50}));
  EXPECT_EQ(byname.get(0).target.item<int64_t>(), 2);
  write_text(path, "1,2,3\n4,5,6\n");
  CsvDataset noheader(path, {.label_index = 0, .header = false});
  EXPECT_EQ(noheader.get(1).input.to_vector<float>(), (std::vector<float>{5, 6}));
  EXPECT_EQ(noheader.get(1).target.item<int64_t>(), 4);
  write_text(path, "x,y\n1,2\n3,abc\n");
  std::string msg = error_of([&] { CsvDataset(path, {}); });
  EXPECT_NE(msg.find("iris.csv:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("column 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'abc'"), std::string::npos) << msg;
  write_text(path, "x,y\n1,2\n3\n");
  EXPECT_NE(error_of([&] { CsvDataset(path, {}); }).find("expected 2 columns"), std::string::npos);
  write_text(path, "x,y\n1,2.5\n");
  EXPECT_NE(error_of([&] { CsvDataset(path, {}); }).find("not an integer"), std::string::npos);
  EXPECT_EQ(CsvDataset(path, {.target_dtype = DType::Float32}).get(0).target.item(), 2.5);
  // Integer labels beyond 2^53 or infinite are rejected before the int64 conversion (fuzzer finding).
  write_text(path, "x,y\n1,855555555555555555555555\n");
  EXPECT_NE(error_of([&] { CsvDataset(path, {}); }).find("not an integer"), std::string::npos);
  write_text(path, "x,y\n1,inf\n");
  EXPECT_THROW(CsvDataset(path, {}), Error);
  EXPECT_NE(error_of([&] { CsvDataset(path, {.label_column = "z"}); }).find("no column named 'z'"), std::string::npos);
}

TEST(Readers, NumpyDatasets) {
  TempDir dir;
  const std::string xp = (std::filesystem::path(dir.file(".")) / "x.npy").string(), yp = (std::filesystem::path(dir.file(".")) / "y.npy").string();
  io::save_npy(xp, arange(0.0, 6.0, 1.0, DType::Float32).reshape({3, 2}));
  io::save_npy(yp, tensor({1, 0, 1}, DType::Int64));
  auto ds = npy_dataset(xp, yp);
  EXPECT_EQ(ds->size(), 3);
  EXPECT_EQ(ds->get(2).input.to_vector<float>(), (std::vector<float>{4, 5}));
  io::save_npy(yp, tensor({1, 0}, DType::Int64));
  EXPECT_THROW(npy_dataset(xp, yp), Error);
  EXPECT_THROW(npz_dataset((std::filesystem::path(dir.file(".")) / "missing.npz").string()), Error);
}

TEST(Readers, CharCorpus) {
  CharCorpus corpus("abcabcabcab", 4);
  EXPECT_EQ(corpus.vocab().chars(), "abc");
  EXPECT_EQ(corpus.size(), 2);  // (11 − 4 − 1)/4 + 1
  Example e = corpus.get(1);
  EXPECT_EQ(e.input.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 0, 1}));   // "bcab"
  EXPECT_EQ(e.target.to_vector<int64_t>(), (std::vector<int64_t>{2, 0, 1, 2}));  // "cabc"
  EXPECT_EQ(corpus.vocab().decode(corpus.vocab().encode("cab")), "cab");
  EXPECT_THROW(corpus.vocab().encode("z"), Error);
  EXPECT_THROW(CharCorpus("ab", 4), Error);
  TempDir dir;
  write_text(std::filesystem::path(dir.file(".")) / "jokes", "one\n%\ntwo\n");
  write_text(std::filesystem::path(dir.file(".")) / "jokes.dat", "binary index");
  EXPECT_EQ(read_text_corpus(std::filesystem::path(dir.file(".")).string(), true), "one\n\ntwo\n");
  if (std::filesystem::exists(kFortunesDir)) {
    CharCorpus fortunes(read_text_corpus(kFortunesDir, true), 64);
    EXPECT_GT(fortunes.size(), 100);
    EXPECT_GT(fortunes.vocab().size(), 50);
  }
}
