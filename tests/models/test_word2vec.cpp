// word2vec with negative sampling: the loss at initialisation is exactly (1 + K) log 2 per example
// (the output vectors start at zero), training on a two-topic corpus lowers it, and words that
// share contexts end up nearer by cosine than words that never do, for skip-gram and CBOW.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nabla/models/negative_sampling.h"
#include "nabla/nabla.h"
#include "nabla/models/word2vec.h"
#include "nabla/optim/optimizer.h"

namespace nabla::nn {
namespace {

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

TEST(Word2Vec, InitialLossIsOnePlusKLogTwoPerExample) {
  manual_seed(0);
  models::Word2Vec model(10, 8);
  const Tensor centers = from_vector(std::vector<int64_t>{1, 2, 3});
  const Tensor contexts = from_vector(std::vector<int64_t>{4, 5, 6});
  const Tensor negatives = from_vector(std::vector<int64_t>{7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8}, {3, 4});
  EXPECT_NEAR(model.skipgram_loss(centers, contexts, negatives).item(), 3 * 5 * std::log(2.0), 1e-5);
  const Tensor windows = from_vector(std::vector<int64_t>{4, 5, 6, 0}, {2, 2});
  const Tensor mask = from_vector(std::vector<float>{1, 1, 1, 0}, {2, 2});
  EXPECT_NEAR(model.cbow_loss(windows, mask, from_vector(std::vector<int64_t>{1, 2}), negatives.slice(0, 0, 2)).item(),
              2 * 5 * std::log(2.0), 1e-5);
}

TEST(Word2Vec, CbowAveragesOnlyTheMaskedInContextVectors) {
  manual_seed(0);
  models::Word2Vec model(6, 3);
  model.output_embedding->weight.detach().data<float>()[5 * 3] = 1.0f;  // u_5 = (1, 0, 0)
  const Tensor w = model.input_embedding->weight.detach();
  // One context row {1, 2, <pad 4>}: v = (w_1 + w_2) / 2, score for target 5 = v[0].
  const Tensor contexts = from_vector(std::vector<int64_t>{1, 2, 4}, {1, 3});
  const Tensor mask = from_vector(std::vector<float>{1, 1, 0}, {1, 3});
  const double v0 = (w.data<float>()[1 * 3] + w.data<float>()[2 * 3]) / 2.0;
  const double expected = std::log1p(std::exp(-v0)) + std::log(2.0);  // positive 5, one negative 0 (u_0 = 0)
  EXPECT_NEAR(model.cbow_loss(contexts, mask, from_vector(std::vector<int64_t>{5}),
                              from_vector(std::vector<int64_t>{0}, {1, 1})).item(),
              expected, 1e-6);
  EXPECT_THROW(model.cbow_loss(contexts, from_vector(std::vector<float>{0, 0, 0}, {1, 3}),
                               from_vector(std::vector<int64_t>{5}), from_vector(std::vector<int64_t>{0}, {1, 1})),
               Error);
  EXPECT_THROW(model.skipgram_loss(from_vector(std::vector<int64_t>{1, 2}), from_vector(std::vector<int64_t>{1}),
                                   from_vector(std::vector<int64_t>{0, 0}, {2, 1})),
               ShapeError);
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

TEST(NearestByCosine, RanksByCosineAndSkipsExcluded) {
  const Tensor e = tensor({{1, 0}, {0, 1}, {1, 1}, {-1, 0}, {0, 0}});
  const auto n = models::nearest_by_cosine(e, tensor({2, 0}), 5, {0});
  ASSERT_EQ(n.size(), 4u);
  EXPECT_EQ(n[0].id, 2);
  EXPECT_NEAR(n[0].cosine, std::sqrt(0.5), 1e-6);
  EXPECT_EQ(n[1].id, 1);  // cosine 0, ties with the zero row 4, lower id first
  EXPECT_EQ(n[2].id, 4);
  EXPECT_EQ(n[3].id, 3);
  EXPECT_NEAR(n[3].cosine, -1, 1e-6);
  EXPECT_THROW(models::nearest_by_cosine(e, tensor({1, 2, 3}), 1), ShapeError);
}

}  // namespace
}  // namespace nabla::nn
