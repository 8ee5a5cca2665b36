#include <gtest/gtest.h>

#include <string>

#include "config.h"
#include "nabla/error.h"
#include "error_of.h"

using namespace nabla;
using namespace nabla::cli;

namespace {
using nabla::testing::error_of;


}  // namespace

TEST(TrainConfig, TomlOverridesDefaults) {
  TrainConfig c;
  apply_toml(c,
             "[model]\nname = \"mlp\"\nhidden = [128, 64]\n"
             "[optimizer]\nname = \"adam\"\nlr = 3\n"  // an integer is accepted for a float key
             "[train]\nepochs = 3\nname = \"x\"\n",
             "test.toml");
  EXPECT_EQ(c.model.name, "mlp");
  EXPECT_EQ(std::get<std::vector<int64_t>>(c.model.options.at("hidden")), (std::vector<int64_t>{128, 64}));
  EXPECT_EQ(c.optimizer.name, "adam");
  EXPECT_DOUBLE_EQ(c.optimizer.lr, 3.0);
  EXPECT_EQ(c.train.epochs, 3);
  EXPECT_EQ(c.train.batch_size, TrainConfig{}.train.batch_size);  // untouched keys keep defaults
}

TEST(TrainConfig, FlagsOverrideFileInOrderWithAliases) {
  const TrainArgs args = parse_train_args(
      {"--optimizer.lr", "0.2", "--epochs=4", "--lr", "0.05", "--model.batch_norm", "--batch-size", "32",
       "--model.hidden", "[10,20]"});
  EXPECT_TRUE(args.config_path.empty());
  TrainConfig c = resolve_config(args);
  EXPECT_DOUBLE_EQ(c.optimizer.lr, 0.05);  // the later flag wins
  EXPECT_EQ(c.train.epochs, 4);
  EXPECT_TRUE(std::get<bool>(c.model.options.at("batch_norm")));
  EXPECT_EQ(c.train.batch_size, 32);
  EXPECT_EQ(std::get<std::vector<int64_t>>(c.model.options.at("hidden")), (std::vector<int64_t>{10, 20}));

  // File then flags: the flag wins over the file.
  TrainConfig d;
  apply_toml(d, "[train]\nepochs = 9\nseed = 5\n", "f.toml");
  set_key(d, "epochs", "2");
  EXPECT_EQ(d.train.epochs, 2);
  EXPECT_EQ(d.train.seed, 5);
}

TEST(TrainConfig, UnknownKeysListValidKeys) {
  TrainConfig c;
  std::string msg = error_of([&] { apply_toml(c, "[optimizer]\nlearning_rate = 0.1\n", "bad.toml"); });
  EXPECT_NE(msg.find("optimizer.learning_rate"), std::string::npos) << msg;
  EXPECT_NE(msg.find("optimizer.lr"), std::string::npos) << msg;
  EXPECT_NE(msg.find("bad.toml"), std::string::npos) << msg;
  msg = error_of([&] { parse_train_args({"--learning-rate", "0.1"}); });
  EXPECT_NE(msg.find("learning-rate"), std::string::npos) << msg;
  EXPECT_NE(msg.find("train.epochs"), std::string::npos) << msg;
  msg = error_of([&] { apply_toml(c, "epochs = 3\n", "top.toml"); });
  EXPECT_NE(msg.find("section"), std::string::npos) << msg;
}

TEST(TrainConfig, WrongTypesNameTheKey) {
  TrainConfig c;
  std::string msg = error_of([&] { apply_toml(c, "[train]\nepochs = \"ten\"\n", "t.toml"); });
  EXPECT_NE(msg.find("train.epochs"), std::string::npos) << msg;
  EXPECT_NE(msg.find("integer"), std::string::npos) << msg;
  msg = error_of([&] { apply_toml(c, "[model]\nbatch_norm = 1\n", "t.toml"); });
  EXPECT_NE(msg.find("model.batch_norm"), std::string::npos) << msg;
  msg = error_of([&] { set_key(c, "lr", "fast"); });
  EXPECT_NE(msg.find("optimizer.lr"), std::string::npos) << msg;
  msg = error_of([&] { set_key(c, "epochs", "2.5"); });
  EXPECT_NE(msg.find("train.epochs"), std::string::npos) << msg;
  msg = error_of([&] { apply_toml(c, "[train\nepochs = 1\n", "broken.toml"); });
  EXPECT_NE(msg.find("broken.toml"), std::string::npos) << msg;
  msg = error_of([&] {
    TrainConfig v;
    v.optimizer.name = "lion";
    validate(v);
  });
  EXPECT_NE(msg.find("optimizer.name"), std::string::npos) << msg;
}

TEST(TrainConfig, ResolvedConfigRoundTripsThroughToml) {
  TrainConfig c;
  set_key(c, "model", "mlp");
  set_key(c, "model.hidden", "300,100");
  set_key(c, "train.name", "a \"quoted\" name");
  set_key(c, "lr", "0.0125");
  TrainConfig back;
  apply_toml(back, to_toml(c), "resolved.toml");
  EXPECT_EQ(to_toml(back), to_toml(c));
  EXPECT_EQ(back.train.name, "a \"quoted\" name");
  EXPECT_EQ(std::get<std::vector<int64_t>>(back.model.options.at("hidden")), (std::vector<int64_t>{300, 100}));
  EXPECT_DOUBLE_EQ(back.optimizer.lr, 0.0125);
}

TEST(TrainConfig, DefaultRecipeFileMatchesBuiltInDefaults) {
  // `nabla train` with no arguments and `nabla train configs/lenet5_fashion.toml` must agree.
  TrainConfig from_file;
  apply_toml_file(from_file, std::string(NABLA_SOURCE_DIR) + "/configs/lenet5_fashion.toml");
  EXPECT_EQ(to_toml(from_file), to_toml(TrainConfig{}));
  TrainConfig mlp;
  apply_toml_file(mlp, std::string(NABLA_SOURCE_DIR) + "/configs/mlp_fashion.toml");
  EXPECT_NO_THROW(validate(mlp));
  EXPECT_EQ(mlp.model.name, "mlp");
}
