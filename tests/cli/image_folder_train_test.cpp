// `nabla train` on data that is not Fashion-MNIST: a tiny colour image folder written here (two
// classes, red-ish and blue-ish 12×12 PNGs), trained for a few steps through train_model.
#include <stb/stb_image_write.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>

#include "config.h"
#include "image_data.h"
#include "trainer.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

// <root>/<part>/<class>/<i>.png: class "blue" has a strong blue channel, "red" a strong red one.
void write_folder(const fs::path& root, const std::string& part, int per_class, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(0, 60);
  for (const std::string cls : {"blue", "red"}) {
    fs::create_directories(root / part / cls);
    for (int i = 0; i < per_class; ++i) {
      unsigned char px[12 * 12 * 3];
      for (int p = 0; p < 12 * 12; ++p) {
        px[p * 3 + 0] = static_cast<unsigned char>((cls == "red" ? 180 : 20) + noise(rng));
        px[p * 3 + 1] = static_cast<unsigned char>(40 + noise(rng));
        px[p * 3 + 2] = static_cast<unsigned char>((cls == "blue" ? 180 : 20) + noise(rng));
      }
      const std::string path = (root / part / cls / (std::to_string(i) + ".png")).string();
      ASSERT_TRUE(stbi_write_png(path.c_str(), 12, 12, 3, px, 12 * 3));
    }
  }
}

}  // namespace

TEST(ImageFolderTraining, TrainsOnAColourFolderWithItsShapeAndClasses) {
  const fs::path root = fs::temp_directory_path() / "nabla_image_folder_train";
  fs::remove_all(root);
  write_folder(root, "train", 24, 1);
  write_folder(root, "test", 8, 2);

  cli::TrainConfig::Data source;
  source.name = "image-folder";
  source.dir = root.string();
  source.val_size = 8;
  const cli::ImageData data = cli::load_image_data(source, 0);
  EXPECT_EQ(data.input_shape, (std::vector<int64_t>{3, 12, 12}));
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"blue", "red"}));
  ASSERT_TRUE(data.test_file);
  EXPECT_EQ(data.test_file->size(), 16);

  cli::TrainConfig c;
  c.data.name = "image-folder";
  c.data.dir = root.string();
  c.data.val_size = 8;
  c.data.normalize = "train";
  c.model.name = "mlp";
  c.model.options["hidden"] = std::vector<int64_t>{16};
  c.optimizer.lr = 0.05;
  c.schedule.name = "constant";
  c.train.epochs = 3;
  c.train.batch_size = 8;
  c.train.threads = 1;
  c.train.out_dir = (root / "runs").string();
  c.train.name = "folder";
  cli::TrainOptions o;
  o.verbose = false;
  const cli::TrainResult r = cli::train_model(c, o);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.epochs_done, 3);
  EXPECT_EQ(r.global_step, 3 * 5);  // 40 training images in batches of 8
  EXPECT_GT(r.test_acc, 0.9);       // colour alone separates the classes
  EXPECT_TRUE(fs::exists(root / "runs" / "folder" / "best.safetensors"));
  EXPECT_TRUE(fs::exists(root / "runs" / "folder" / "confusion_matrix.svg"));

  // Without a test part the run trains and reports no test accuracy.
  fs::remove_all(root / "test");
  c.train.name = "no_test";
  const cli::TrainResult r2 = cli::train_model(c, o);
  EXPECT_EQ(r2.epochs_done, 3);
  EXPECT_TRUE(std::isnan(r2.test_acc));
  c.data.name = "imagenet";
  EXPECT_THROW(cli::train_model(c, o), Error);
  fs::remove_all(root);
}
