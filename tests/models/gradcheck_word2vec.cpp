// word2vec's negative-sampling losses in f64: first and second derivatives with respect to both
// embedding tables, with a word repeated across the batch (its row gathers several gradients), for
// skip-gram and for CBOW with a padded context row.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/models/word2vec.h"

using namespace nabla;

namespace {

void check(const std::function<Tensor()>& loss, models::Word2Vec& model) {
  // gradcheck perturbs the parameters in place; the model reads the same tensors.
  auto f = [&](const std::vector<Tensor>&) { return loss(); };
  const GradcheckResult first = gradcheck(f, model.parameters());
  EXPECT_TRUE(first.ok) << first.message;
  const GradcheckResult second = gradgradcheck(f, model.parameters());
  EXPECT_TRUE(second.ok) << "second order: " << second.message;
}

}  // namespace

TEST(Word2VecGradcheck, SkipGram) {
  manual_seed(5);
  models::Word2Vec model(5, 3);
  model.to(DType::f64);
  {
    NoGradGuard no_grad;
    add_(model.output_embedding->weight, uniform({5, 3}, -0.5, 0.5, DType::f64));
  }
  const Tensor centers = from_vector(std::vector<int64_t>{1, 2, 1});
  const Tensor contexts = from_vector(std::vector<int64_t>{3, 1, 4});
  const Tensor negatives = from_vector(std::vector<int64_t>{0, 4, 2, 3, 0, 0}, {3, 2});
  check([&] { return model.skipgram_loss(centers, contexts, negatives); }, model);
}

TEST(Word2VecGradcheck, Cbow) {
  manual_seed(6);
  models::Word2Vec model(5, 3);
  model.to(DType::f64);
  {
    NoGradGuard no_grad;
    add_(model.output_embedding->weight, uniform({5, 3}, -0.5, 0.5, DType::f64));
  }
  const Tensor contexts = from_vector(std::vector<int64_t>{1, 2, 3, 4, 1, 0}, {2, 3});
  const Tensor mask = from_vector(std::vector<double>{1, 1, 1, 1, 1, 0}, {2, 3}, DType::f64);
  const Tensor centers = from_vector(std::vector<int64_t>{0, 2});
  const Tensor negatives = from_vector(std::vector<int64_t>{4, 3, 1, 1}, {2, 2});
  check([&] { return model.cbow_loss(contexts, mask, centers, negatives); }, model);
}
