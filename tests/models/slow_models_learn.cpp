// Every application model learns a small task it can only solve by learning: these tests train,
// so they carry the `slow` label and run in the release build only, not under the sanitizers.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <numbers>
#include <span>

#include "nabla/data/text.h"
#include "nabla/functional.h"
#include "nabla/models/forecast_metrics.h"
#include "nabla/models/forecast_training.h"
#include "nabla/models/forecaster.h"
#include "nabla/models/gpt.h"
#include "nabla/models/language_model.h"
#include "nabla/models/negative_sampling.h"
#include "nabla/models/seq2seq.h"
#include "nabla/models/seq2seq_data.h"
#include "nabla/models/timeseries_windows.h"
#include "nabla/models/word2vec.h"
#include "nabla/nabla.h"
#include "nabla/optim/clip.h"
#include "nabla/optim/optimizer.h"

namespace nabla::nn {
namespace {

TEST(Gpt, OverfitsAShortStringAndGreedySamplingReproducesIt) {
  manual_seed(0);
  const std::string text = "hello, nabla transformer!";
  std::map<char, int64_t> id;
  std::vector<char> chars;
  for (char ch : text)
    if (id.emplace(ch, static_cast<int64_t>(chars.size())).second) chars.push_back(ch);
  std::vector<int64_t> ids;
  for (char ch : text) ids.push_back(id[ch]);
  const int64_t n = static_cast<int64_t>(ids.size());
  models::GPTConfig config;
  config.vocab_size = static_cast<int64_t>(chars.size());
  config.context = 32;
  config.layers = 2;
  config.d_model = 16;
  config.heads = 2;
  config.dropout = 0.0;
  models::GPT model(config);
  const Tensor inputs = from_vector(std::vector<int64_t>(ids.begin(), ids.end() - 1), {1, n - 1});
  const Tensor targets = from_vector(std::vector<int64_t>(ids.begin() + 1, ids.end()));
  optim::AdamW optimizer(model.parameters(), {.lr = 1e-2, .weight_decay = 0.0});
  double loss_value = 0;
  for (int step = 0; step < 150; ++step) {
    const Tensor logits = model(inputs).reshape({n - 1, -1});
    const Tensor loss = functional::cross_entropy(logits, targets);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    loss_value = loss.item();
  }
  EXPECT_LT(loss_value, 0.05);
  Generator generator(0);
  models::GenerationOptions options;
  options.new_tokens = n - 1;
  options.sampling.top_k = 1;
  const std::vector<int64_t> out = generate(model, {ids[0]}, options, generator);
  std::string reproduced;
  for (int64_t t : out) reproduced += chars[static_cast<size_t>(t)];
  EXPECT_EQ(reproduced, text);
  EXPECT_TRUE(model.is_training()) << "generate restores the training mode";
}

TEST(Seq2seq, ATinyModelLearnsToReverseShortStrings) {
  // Every string of 1-4 letters from "abc" (120) and its reversal.
  std::vector<models::Seq2seqExample> all;
  for (int64_t length = 1; length <= 4; ++length) {
    int64_t count = 1;
    for (int64_t i = 0; i < length; ++i) count *= 3;
    for (int64_t code = 0; code < count; ++code) {
      std::string s;
      for (int64_t i = 0, c = code; i < length; ++i, c /= 3) s += static_cast<char>('a' + c % 3);
      all.push_back({s, std::string(s.rbegin(), s.rend())});
    }
  }
  const models::CharVocabulary vocab(all);
  const models::Seq2seqBatch batch = models::encode_seq2seq(all, vocab, 4, 5);
  manual_seed(5);
  models::Seq2seq model({.vocab_size = vocab.size(), .embedding_dim = 8, .hidden_size = 24,
                 .decoder = models::Seq2seqDecoder::attention, .max_source_length = 4, .max_target_length = 5});
  optim::Adam adam(model.parameters(), {.lr = 0.02});
  for (int step = 0; step < 60; ++step) {
    const Tensor loss = model.loss(batch.source, batch.decoder_input, batch.decoder_target);
    adam.zero_grad();
    loss.backward();
    optim::clip_grad_norm_(model.parameters(), 5.0);
    adam.step();
  }
  const std::vector<std::vector<int64_t>> answers = model.greedy(batch.source);
  int64_t right = 0;
  for (size_t i = 0; i < all.size(); ++i) right += vocab.decode(answers[i]) == all[i].target;
  EXPECT_GE(right, 114) << "of " << all.size();  // 95%
}

TEST(LSTMLanguageModel, LearnsARepeatingStreamWithTruncatedBptt) {
  manual_seed(4);
  // "0 1 2 3 4 5" over and over: each token determines the next.
  std::vector<int64_t> stream;
  for (int i = 0; i < 240; ++i) stream.push_back(i % 6);
  const data::StreamBatches batches(stream, 4, 8);
  models::LSTMLanguageModel model({.vocab_size = 6, .embedding_dim = 16, .hidden_size = 16, .num_layers = 1, .dropout = 0});
  optim::Adam adam(model.parameters(), {.lr = 0.03});
  double first = 0, last = 0;
  for (int epoch = 0; epoch < 8; ++epoch) {
    model.reset_state();
    double total = 0;
    for (int64_t k = 0; k < batches.size(); ++k) {
      const auto w = batches.window(k);
      const Tensor loss = functional::cross_entropy(model(w.inputs).reshape({-1, 6}), w.targets.reshape({-1}));
      adam.zero_grad();
      loss.backward();
      optim::clip_grad_norm_(model.parameters(), 1.0);
      adam.step();
      total += loss.item();
    }
    (epoch == 0 ? first : last) = total / static_cast<double>(batches.size());
  }
  EXPECT_LT(last, 0.1 * first);
  Generator generator(0);
  EXPECT_EQ(sample_continuation(model, {2, 3}, 6, {.top_k = 1}, generator), (std::vector<int64_t>{4, 5, 0, 1, 2, 3}));
}

TEST(LstmForecaster, LearnsAWeeklySineBetterThanTheMovingAverage) {
  models::DailySeries sine{std::chrono::sys_days(std::chrono::year(2024) / 1 / 1), {{}}};
  for (int64_t t = 0; t < 200; ++t) sine.variables[0].push_back(10 + 5 * std::sin(2 * std::numbers::pi * t / 7.0));
  const models::ForecastProblem problem({sine}, {.window = 14, .horizon = 7, .test_days = 28});
  manual_seed(0);
  models::LstmForecaster model(problem.feature_count(), 1, 7, {.hidden_size = 16});
  const std::vector<double> losses =
      models::fit_forecaster(model, problem.training_windows(), {.epochs = 30, .batch_size = 16, .lr = 1e-2});
  EXPECT_LT(losses.back(), 0.01 * losses.front());

  const models::ForecastWindows test = problem.test_windows();
  const std::vector<double> actual = problem.actual(test);
  const std::vector<double> lstm = problem.unscale(models::predict_forecasts(model, test.inputs), test);
  std::vector<double> average;
  for (int64_t o : test.origin) {
    const auto history = std::span(sine.variables[0]).first(static_cast<size_t>(o));
    for (double f : models::moving_average_forecast(history, 7, 7)) average.push_back(f);
  }
  const double lstm_mae = models::mean_absolute_error(actual, lstm);
  const double average_mae = models::mean_absolute_error(actual, average);  // about mean |5 sin|, 3.1
  EXPECT_GT(average_mae, 2.5);
  EXPECT_LT(lstm_mae, 0.1 * average_mae) << "LSTM " << lstm_mae << ", moving average " << average_mae;
  EXPECT_LT(models::smape(actual, lstm), 0.1 * models::smape(actual, average));
}

// Ids 0-3 are animals, 4-7 are vehicles; each sentence uses one topic only.
std::vector<std::vector<int64_t>> two_topic_sentences(int64_t count, Generator& generator) {
  std::vector<std::vector<int64_t>> sentences;
  for (int64_t s = 0; s < count; ++s) {
    const int64_t topic = static_cast<int64_t>(generator.below(2)) * 4;
    std::vector<int64_t> sentence;
    for (int i = 0; i < 6; ++i) sentence.push_back(topic + static_cast<int64_t>(generator.below(4)));
    sentences.push_back(sentence);
  }
  return sentences;
}

double cosine(const Tensor& e, int64_t a, int64_t b) {
  const Tensor x = e.select(0, a), y = e.select(0, b);
  return (sum(x * y) / sqrt(sum(x * x) * sum(y * y))).item();
}

class Word2VecTraining : public ::testing::TestWithParam<bool> {};

TEST_P(Word2VecTraining, LossFallsAndTopicsSeparate) {
  const bool skipgram = GetParam();
  manual_seed(1);
  Generator generator(1);
  models::ContextWindows windows(2);
  for (const auto& s : two_topic_sentences(300, generator)) windows.append(s, generator);
  const models::UnigramSampler sampler(std::vector<int64_t>(8, 100));
  models::Word2Vec model(8, 10);
  // As the command trains: minibatches of summed losses, plain SGD.
  optim::SGD sgd(model.parameters(), {.lr = 0.05});
  const int64_t k = 3, batch = 64;
  std::vector<int64_t> centers, contexts;
  windows.pairs(centers, contexts);
  const int64_t examples = skipgram ? static_cast<int64_t>(centers.size()) : windows.size();
  const auto rows = [](const auto& v, int64_t start, int64_t stop, int64_t width) {
    return std::vector(v.begin() + start * width, v.begin() + stop * width);
  };
  double first = 0, last = 0;
  for (int epoch = 0; epoch < 15; ++epoch) {
    double total = 0;
    for (int64_t start = 0; start < examples; start += batch) {
      const int64_t stop = std::min(examples, start + batch), n = stop - start;
      const Tensor negatives = sampler.sample({n, k}, generator);
      const Tensor loss =
          skipgram ? model.skipgram_loss(from_vector(rows(centers, start, stop, 1)),
                                         from_vector(rows(contexts, start, stop, 1)), negatives)
                   : model.cbow_loss(from_vector(rows(windows.contexts, start, stop, windows.width), {n, windows.width}),
                                     from_vector(rows(windows.mask, start, stop, windows.width), {n, windows.width}),
                                     from_vector(rows(windows.centers, start, stop, 1)), negatives);
      sgd.zero_grad();
      loss.backward();
      sgd.step();
      total += loss.item();
      if (epoch == 0 && start == 0) first = loss.item() / static_cast<double>(n);
    }
    last = total / static_cast<double>(examples);
  }
  EXPECT_NEAR(first, 4 * std::log(2.0), 1e-5);
  EXPECT_LT(last, 0.8 * first);
  const Tensor e = model.input_embedding->weight.detach();
  for (int64_t a : {0, 1, 2, 3})
    for (int64_t b : {0, 1, 2, 3})
      if (a != b) {
        EXPECT_GT(cosine(e, a, b), cosine(e, a, b + 4)) << a << " " << b;
      }
  const auto nearest = models::nearest_by_cosine(e, e.select(0, 5), 3, {5});
  ASSERT_EQ(nearest.size(), 3u);
  for (const models::Neighbour& n : nearest) EXPECT_GE(n.id, 4) << "a vehicle's neighbours are vehicles";
  EXPECT_GE(nearest[0].cosine, nearest[1].cosine);
}

INSTANTIATE_TEST_SUITE_P(SkipgramAndCbow, Word2VecTraining, ::testing::Bool());

}  // namespace
}  // namespace nabla::nn
