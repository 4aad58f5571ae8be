// The LSTM language model: shapes and weight tying, that stateful windows continue one long
// sequence exactly, that sampling with top_k = 1 is greedy and a low temperature concentrates the
// draws (that a small model learns a repeating stream: slow_models_learn.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nabla/data/text.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/models/language_model.h"

namespace nabla::nn {
namespace {

TEST(LSTMLanguageModel, TiesTheDecoderToTheEmbeddingWhenSizesMatch) {
  manual_seed(0);
  models::LSTMLanguageModel tied({.vocab_size = 11, .embedding_dim = 6, .hidden_size = 6, .num_layers = 2});
  EXPECT_TRUE(tied.tied());
  const auto names = tied.named_parameters();
  const auto find = [&](const std::string& name) {
    for (const auto& [n, t] : names)
      if (n == name) return t;
    return Tensor();
  };
  // Parameters list the shared matrix once, under the embedding's name.
  EXPECT_TRUE(find("embedding.weight").defined());
  EXPECT_FALSE(find("decoder.weight").defined());
  EXPECT_TRUE(find("decoder.bias").defined());
  EXPECT_TRUE(find("lstm.weight_hh_l1").defined());
  EXPECT_EQ(tied(from_vector(std::vector<int64_t>(12, 3), {3, 4})).shape(), (Shape{3, 4, 11}));

  models::LSTMLanguageModel untied({.vocab_size = 11, .embedding_dim = 5, .hidden_size = 6, .num_layers = 1});
  EXPECT_FALSE(untied.tied());
  EXPECT_EQ(untied.parameter_count(), tied.parameter_count() - 4 * 6 * (6 + 6 + 2) - 11 * 6 + 11 * 5 + 11 * 6 +
                                          4 * 6 * (5 - 6));
  EXPECT_THROW(untied(from_vector(std::vector<int64_t>{1, 2})), ShapeError);
  EXPECT_THROW(models::LSTMLanguageModel({.vocab_size = 0}), Error);
  EXPECT_THROW(models::LSTMLanguageModel({.vocab_size = 3, .dropout = 1.0}), Error);
}

TEST(LSTMLanguageModel, StatefulWindowsContinueOneLongSequence) {
  manual_seed(2);
  models::LSTMLanguageModel model({.vocab_size = 7, .embedding_dim = 4, .hidden_size = 5, .num_layers = 2, .dropout = 0});
  const Tensor tokens = randint(0, 7, {2, 6});
  model.reset_state();
  const Tensor whole = model(tokens);
  model.reset_state();
  const Tensor first = model(slice(tokens, 1, 0, 4));
  const Tensor second = model(slice(tokens, 1, 4, 6));
  EXPECT_TRUE(allclose(concat({first, second}, 1), whole, 1e-5, 1e-6));
  model.reset_state();
  EXPECT_TRUE(allclose(model(slice(tokens, 1, 0, 4)), first, 1e-6, 1e-7));
}

TEST(SampleContinuation, TopOneIsGreedyAndLowTemperatureConcentrates) {
  manual_seed(3);
  models::LSTMLanguageModel model({.vocab_size = 9, .embedding_dim = 4, .hidden_size = 4, .num_layers = 1, .dropout = 0});
  const std::vector<int64_t> prompt{1, 2, 3};
  Generator generator(0);
  const std::vector<int64_t> greedy = sample_continuation(model, prompt, 5, {.top_k = 1}, generator);
  // The same by hand: feed the whole sequence so far, take the argmax of the last logits.
  std::vector<int64_t> sequence = prompt;
  model.eval();
  for (int i = 0; i < 5; ++i) {
    model.reset_state();
    NoGradGuard no_grad;
    const Tensor logits = model(from_vector(sequence, {1, static_cast<int64_t>(sequence.size())}));
    sequence.push_back(static_cast<int64_t>(argmax(logits.select(0, 0).select(0, -1 + static_cast<int64_t>(sequence.size()))).item()));
  }
  EXPECT_EQ(greedy, std::vector<int64_t>(sequence.begin() + 3, sequence.end()));

  // Near-zero temperature: every draw is the argmax; a high one spreads over several tokens.
  std::set<int64_t> cold, hot;
  for (int i = 0; i < 40; ++i) {
    cold.insert(sample_continuation(model, prompt, 1, {.temperature = 1e-4}, generator)[0]);
    hot.insert(sample_continuation(model, prompt, 1, {.temperature = 100}, generator)[0]);
  }
  EXPECT_EQ(cold, std::set<int64_t>{greedy[0]});
  EXPECT_GT(hot.size(), 3u);
  EXPECT_THROW(sample_continuation(model, {}, 1, {}, generator), Error);
  EXPECT_THROW(sample_continuation(model, prompt, 1, {.temperature = 0}, generator), Error);
}

}  // namespace
}  // namespace nabla::nn
