#include <gtest/gtest.h>

#include <string>

#include "config.h"
#include "nabla/error.h"
#include "nabla/models/lm_registry.h"
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

TEST(TrainConfig, UnsetModelKeysTakeTheNamedModelsOwnDefaults) {
  // Keys such as depth, dropout, widen_factor and growth_rate belong to several models with
  // different defaults; a config that does not set one must build the named model with its own.
  int shared_with_other_defaults = 0;
  for (const auto& entry : models::model_registry()) {
    TrainConfig c;
    c.model.name = entry.name;
    const models::OptionValues o = model_options(c);
    ASSERT_EQ(o.size(), entry.fields.size()) << entry.name;
    for (const auto& f : entry.fields) {
      const models::OptionValue expected = f.key == "batch_norm" ? models::OptionValue(true) : f.default_value;
      EXPECT_TRUE(o.at(f.key) == expected) << entry.name << "." << f.key;
      for (const auto& other : models::model_registry())
        for (const auto& g : other.fields)
          if (g.key == f.key && !(g.default_value == f.default_value)) ++shared_with_other_defaults;
    }
  }
  EXPECT_GT(shared_with_other_defaults, 0);  // the registry does have such keys
  for (const auto& entry : models::language_model_registry()) {
    TrainConfig c;
    c.model.name = entry.name;
    const models::OptionValues o = model_options(c);
    for (const auto& f : entry.fields) EXPECT_TRUE(o.at(f.key) == f.default_value) << entry.name << "." << f.key;
  }
}

TEST(TrainConfig, WideResNetFromFlagsKeepsItsDepthAndDropout) {
  TrainConfig c = resolve_config(parse_train_args({"--model", "wrn", "--model.widen_factor", "2"}));
  const models::OptionValues o = model_options(c);
  EXPECT_EQ(std::get<int64_t>(o.at("depth")), 28);  // not cifar_resnet's 20
  EXPECT_EQ(std::get<double>(o.at("dropout")), 0.0);
  EXPECT_EQ(std::get<int64_t>(o.at("widen_factor")), 2);
  // A key set for one model and then another model named: the set value stays the config's.
  set_key(c, "model.depth", "16");
  set_key(c, "model", "cifar_resnet");
  EXPECT_EQ(std::get<int64_t>(model_options(c).at("depth")), 16);
}

TEST(TrainConfig, ResolvedTomlHoldsTheNamedModelsValuesOnly) {
  TrainConfig c;
  set_key(c, "model", "wrn");
  set_key(c, "model.widen_factor", "4");
  const std::string text = to_toml(c);
  EXPECT_NE(text.find("\ndepth = 28 "), std::string::npos) << text;
  EXPECT_NE(text.find("\ndropout = 0.0 "), std::string::npos) << text;
  EXPECT_EQ(text.find("\nhidden = "), std::string::npos) << text;  // the MLP's key
  TrainConfig back;  // what --resume reads: every key of the model is set, the values are the same
  apply_toml(back, text, "resolved.toml");
  EXPECT_TRUE(model_options(back) == model_options(c));
  for (const auto& [key, value] : model_options(c)) EXPECT_TRUE(back.model.options.contains(key)) << key;
  EXPECT_EQ(to_toml(back), text);
}

TEST(TrainConfig, ListedKeysShowTheNamedModelsDefaults) {
  TrainConfig c;
  set_key(c, "model", "wrn");
  for (const auto& k : config_keys(c)) {
    if (k.key == "model.depth") EXPECT_EQ(k.value, "28");
    if (k.key == "model.dropout") EXPECT_EQ(k.value, "0.0");
  }
  EXPECT_THROW(model_options([] { TrainConfig u; u.model.name = "no_such_model"; return u; }()), Error);
}
