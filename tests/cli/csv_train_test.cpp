// `nabla train` on CSV rows: a small three-class file written here (the class sets the mean of
// two of the four features), trained for a few steps through train_model, then a single file
// split into training and test rows, and the errors of a CNN on feature vectors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "config.h"
#include "image_data.h"
#include "trainer.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

// `rows` rows "x0;x1;x2;class;x3" (a header line first): x0 and x3 are 3·class plus noise.
void write_csv(const fs::path& path, int rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> noise(-1, 1);
  std::ofstream out(path);
  out << "x0;x1;x2;class;x3\n";
  for (int i = 0; i < rows; ++i) {
    const int k = i % 3;
    out << 3 * k + noise(rng) << ";" << noise(rng) << ";" << noise(rng) << ";" << k << ";" << 3 * k + noise(rng) << "\n";
  }
}

cli::TrainConfig csv_config(const fs::path& root) {
  cli::TrainConfig c;
  c.data.name = "csv";
  c.data.dir = root.string();
  c.data.delimiter = ";";
  c.data.label = "class";
  c.data.val_size = 12;
  c.model.name = "mlp";
  c.model.options["hidden"] = std::vector<int64_t>{16};
  c.optimizer.lr = 0.1;
  c.schedule.name = "constant";
  c.train.epochs = 4;
  c.train.batch_size = 12;
  c.train.threads = 1;
  c.train.out_dir = (root / "runs").string();
  return c;
}

}  // namespace

TEST(CsvTraining, TrainsAnMlpOnFeatureVectors) {
  const fs::path root = fs::temp_directory_path() / "nabla_csv_train";
  fs::remove_all(root);
  fs::create_directories(root);
  write_csv(root / "train.csv", 60, 1);
  write_csv(root / "test.csv", 30, 2);

  cli::TrainConfig c = csv_config(root);
  const cli::ImageData data = cli::load_image_data(c.data, 0);
  EXPECT_EQ(data.input_shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"0", "1", "2"}));
  ASSERT_TRUE(data.test_file);
  EXPECT_EQ(data.test_file->size(), 30);
  EXPECT_EQ(data.train_indices.size() + data.val_indices.size(), 60u);

  c.train.name = "two_files";
  cli::TrainOptions o;
  o.verbose = false;
  const cli::TrainResult r = cli::train_model(c, o);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.global_step, 4 * 4);  // 48 training rows in batches of 12
  EXPECT_GT(r.test_acc, 0.9);       // the classes are three separated clusters
  EXPECT_TRUE(fs::exists(root / "runs" / "two_files" / "best.safetensors"));

  // One file, split into training and test rows with the seed; a class count from the config.
  fs::remove(root / "test.csv");
  c.data.test_fraction = 0.2;
  c.data.num_classes = 5;
  const cli::ImageData split = cli::load_image_data(c.data, 3);
  ASSERT_TRUE(split.test_file);
  EXPECT_EQ(split.test_file->size(), 12);
  EXPECT_EQ(split.train_indices.size() + split.val_indices.size(), 48u);
  EXPECT_EQ(split.class_names.size(), 5u);
  EXPECT_EQ(cli::load_image_data(c.data, 3).val_indices, split.val_indices);  // deterministic
  c.train.name = "one_file";
  const cli::TrainResult r2 = cli::train_model(c, o);
  EXPECT_EQ(r2.epochs_done, 4);
  EXPECT_GT(r2.test_acc, 0.8);

  // Fewer classes than the labels, a CNN on feature vectors, augmentation: errors.
  c.data.num_classes = 2;
  EXPECT_THROW(cli::load_image_data(c.data, 0), Error);
  c.data.num_classes = 0;
  c.model.name = "lenet5";
  try {
    cli::train_model(c, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lenet5"), std::string::npos) << e.what();
  }
  c.model.name = "mlp";
  c.data.augment = "flip";
  EXPECT_THROW(cli::train_model(c, o), Error);
  c.data.augment = "none";
  c.data.label = "no_such_column";
  EXPECT_THROW(cli::load_image_data(c.data, 0), Error);
  fs::remove_all(root);
}
