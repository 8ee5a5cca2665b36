#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "nabla/autograd.h"
#include "nabla/data/sequence_tasks.h"
#include "nabla/error.h"
#include "nabla/models/sequence_classifier.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/optim/adam.h"
#include "nabla/random.h"
#include "models/one_thread.h"

using namespace nabla;

TEST(SequenceClassifier, PaddingChangesNothingForEveryCellAndPooling) {
  Generator gen(3);
  const data::LabelledBatch b = data::pattern_batch(6, 3, 9, 8, {3, 1, 4}, gen);
  for (const char* cell : {"lstm", "gru"})
    for (const char* pooling : {"last", "mean"})
      for (bool bidirectional : {false, true}) {
        manual_seed(1);
        models::SequenceClassifier model({.vocab_size = 9, .num_classes = 3, .embed_dim = 8, .hidden_size = 12,
                                          .num_layers = 2, .cell = cell, .pooling = pooling,
                                          .bidirectional = bidirectional});
        const Tensor logits = model.forward(b.tokens, b.lengths);
        ASSERT_EQ(logits.shape(), (Shape{6, 3}));
        for (int64_t i = 0; i < 6; ++i) {
          const Tensor alone = model.forward(b.tokens.narrow(0, i, 1).narrow(1, 0, b.lengths[i]));
          EXPECT_TRUE(allclose(alone, logits.narrow(0, i, 1), 1e-4, 1e-5))
              << cell << " " << pooling << " bidirectional " << bidirectional << " row " << i;
        }
      }
}

TEST(SequenceClassifier, RejectsBadOptionsAndInputs) {
  EXPECT_THROW(models::SequenceClassifier({.vocab_size = 5, .num_classes = 0}), Error);
  EXPECT_THROW(models::SequenceClassifier({.vocab_size = 5, .num_classes = 2, .cell = "rnn"}), Error);
  EXPECT_THROW(models::SequenceClassifier({.vocab_size = 5, .num_classes = 2, .pooling = "max"}), Error);
  models::SequenceClassifier model({.vocab_size = 5, .num_classes = 2});
  EXPECT_THROW(model.forward(zeros({2, 3})), Error);                        // float ids
  EXPECT_THROW(model.forward(zeros({2, 3}, DType::Int64), {3, 4}), Error);  // length past T
  EXPECT_THROW(model.forward(full({2, 3}, 7, DType::Int64)), Error);        // id outside the vocabulary
}

TEST(SequenceClassifier, PatternBatchIsBalancedAndLabelledByThePattern) {
  Generator gen(5);
  const data::LabelledBatch b = data::pattern_batch(400, 4, 12, 6, {2, 5}, gen);
  const int64_t positives = static_cast<int64_t>(b.labels.sum().item());
  EXPECT_GT(positives, 160);
  EXPECT_LT(positives, 240);
  const std::vector<int64_t> tokens = b.tokens.to_vector<int64_t>(), labels = b.labels.to_vector<int64_t>();
  const int64_t width = b.tokens.size(1);
  for (int64_t i = 0; i < 400; ++i) {
    bool found = false;
    for (int64_t t = 0; t + 1 < b.lengths[i]; ++t)
      found = found || (tokens[i * width + t] == 2 && tokens[i * width + t + 1] == 5);
    EXPECT_EQ(found, labels[i] == 1) << "row " << i;
    for (int64_t t = b.lengths[i]; t < width; ++t) EXPECT_EQ(tokens[i * width + t], data::kPadId);
  }
  EXPECT_THROW(data::pattern_batch(4, 2, 5, 6, {1, 2, 3}, gen), Error);  // pattern longer than min_len
}

// Does the contiguous pattern 3 1 4 occur in a sequence of 6–20 symbols from 8? An LSTM reading
// the sequence, its final state classified, must reach 97 % on 1000 fresh sequences.
TEST(SequenceClassifier, LstmLearnsPatternDetection) {
  const OneThread one_thread;
  manual_seed(0);
  models::SequenceClassifier model({.vocab_size = 9, .num_classes = 2, .embed_dim = 16, .hidden_size = 48});
  optim::Adam opt(model.parameters(), {.lr = 1e-2});
  Generator gen(11);
  const auto start = std::chrono::steady_clock::now();
  const int64_t steps = 300;
  for (int64_t step = 0; step < steps; ++step) {
    const data::LabelledBatch b = data::pattern_batch(64, 6, 20, 8, {3, 1, 4}, gen);
    const Tensor loss = nn::functional::cross_entropy(model.forward(b.tokens, b.lengths), b.labels);
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Generator test_gen(12345);
  const data::LabelledBatch test = data::pattern_batch(1000, 6, 20, 8, {3, 1, 4}, test_gen);
  NoGradGuard no_grad;
  const double accuracy = eq(argmax(model.forward(test.tokens, test.lengths), -1), test.labels)
                              .to(DType::Float64).mean().item();
  std::printf("pattern detection: %lld steps in %.1f s, accuracy %.4f\n", static_cast<long long>(steps), seconds,
              accuracy);
  EXPECT_GE(accuracy, 0.97);
}
