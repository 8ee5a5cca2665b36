#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nabla/error.h"
#include "nabla/train/metrics_logger.h"

using namespace nabla;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nabla_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

}  // namespace

TEST(MetricsLogger, WritesJsonlAndCsvWithFixedColumns) {
  const std::string dir = temp_dir("metrics");
  train::MetricsLogger log(dir, {"epoch", "step", "train_loss", "test_acc"});
  log.log({{"epoch", 1}, {"step", 100}, {"train_loss", 0.5}});
  log.log({{"epoch", 2}, {"step", 200}, {"train_loss", 0.25}});
  log.log({{"epoch", 2}, {"step", 200}, {"test_acc", 0.9125}});
  EXPECT_EQ(slurp(log.jsonl_path()),
            "{\"epoch\": 1, \"step\": 100, \"train_loss\": 0.5}\n"
            "{\"epoch\": 2, \"step\": 200, \"train_loss\": 0.25}\n"
            "{\"epoch\": 2, \"step\": 200, \"test_acc\": 0.9125}\n");
  EXPECT_EQ(slurp(log.csv_path()),
            "epoch,step,train_loss,test_acc\n"
            "1,100,0.5,\n"
            "2,200,0.25,\n"
            "2,200,,0.9125\n");
  std::filesystem::remove_all(dir);
}

TEST(MetricsLogger, UnknownMetricListsColumnsAndNonFiniteValues) {
  const std::string dir = temp_dir("metrics_bad");
  train::MetricsLogger log(dir, {"epoch", "loss"});
  try {
    log.log({{"epoch", 1}, {"accuracy", 0.5}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("accuracy"), std::string::npos) << msg;
    EXPECT_NE(msg.find("epoch, loss"), std::string::npos) << msg;
  }
  log.log({{"epoch", 1}, {"loss", std::nan("")}});
  EXPECT_EQ(slurp(log.jsonl_path()), "{\"epoch\": 1, \"loss\": null}\n");
  EXPECT_EQ(slurp(log.csv_path()), "epoch,loss\n1,NaN\n");
  std::filesystem::remove_all(dir);
}

TEST(MetricsLogger, AddColumnsRewritesEarlierRows) {
  const auto dir = std::filesystem::temp_directory_path() / "nabla_metrics_add_columns";
  std::filesystem::remove_all(dir);
  train::MetricsLogger log(dir.string(), {"epoch", "loss"});
  log.log({{"epoch", 1}, {"loss", 0.5}});
  log.add_columns({"loss", "lr_g"});  // "loss" is there already
  log.log({{"epoch", 2}, {"loss", 0.25}, {"lr_g", 0.125}});
  EXPECT_EQ(log.columns(), (std::vector<std::string>{"epoch", "loss", "lr_g"}));
  EXPECT_EQ(slurp(log.csv_path()), "epoch,loss,lr_g\n1,0.5,\n2,0.25,0.125\n");
  std::filesystem::remove_all(dir);
}
