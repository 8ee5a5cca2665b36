#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nabla/train/progress_bar.h"

using namespace nabla;

TEST(ProgressBar, FormatsDurationsAndLines) {
  EXPECT_EQ(train::format_duration(45.2), "45s");
  EXPECT_EQ(train::format_duration(187), "3m07s");
  EXPECT_EQ(train::format_duration(3720), "1h02m");
  train::ProgressState s;
  s.epoch = 2;
  s.epochs = 10;
  s.step = 5;
  s.steps = 10;
  s.loss = 0.41234;
  s.acc = 0.8512;
  s.images_per_s = 5321.4;
  s.eta_s = 72;
  EXPECT_EQ(train::format_progress(s, 0), "epoch 2/10 5/10 loss 0.4123 acc 85.12% 5321 img/s ETA 1m12s");
  EXPECT_EQ(train::format_progress(s, 4), "epoch 2/10 [##..] 5/10 loss 0.4123 acc 85.12% 5321 img/s ETA 1m12s");
  // A language model's step has no accuracy and counts tokens.
  s.show_acc = false;
  s.unit = "tok";
  EXPECT_EQ(train::format_progress(s, 0), "epoch 2/10 5/10 loss 0.4123 5321 tok/s ETA 1m12s");
}

TEST(ProgressBar, InteractiveRedrawsInPlaceAndPlainModeWaitsForTheInterval) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  ASSERT_NE(out, nullptr);
  train::ProgressState s;
  s.steps = 2;
  {
    train::ProgressBar bar(out, true);
    s.step = 1;
    bar.update(s);
    s.step = 2;
    bar.update(s);  // the last step is always drawn
    bar.finish_line();
  }
  {
    train::ProgressBar plain(out, false, 3600.0);
    s.step = 1;
    plain.update(s);  // starts the interval, prints nothing
    s.step = 2;
    plain.update(s);  // an hour has not passed
  }
  std::fclose(out);
  const std::string text(buf, size);
  std::free(buf);
  EXPECT_EQ(text.find('\r'), 0u) << text;
  EXPECT_NE(text.find("2/2"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}
