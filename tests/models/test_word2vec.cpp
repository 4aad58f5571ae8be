// word2vec with negative sampling: the loss at initialisation is exactly (1 + K) log 2 per example
// (the output vectors start at zero), and nearest neighbours by cosine. That training separates
// topics is in slow_models_learn.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nabla/models/negative_sampling.h"
#include "nabla/nabla.h"
#include "nabla/models/word2vec.h"

namespace nabla::nn {
namespace {

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
