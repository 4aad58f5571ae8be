// The fused functions of nabla::functional against central differences in f64, first and second
// order (where the second derivative exists: everywhere here except at the kinks of huber).
#include <gtest/gtest.h>

#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "gradcheck_helpers.h"

using namespace nabla;
using namespace nabla::test_support;
using Reduction = functional::Reduction;

namespace {

const Tensor kLabels = from_vector(std::vector<int64_t>{2, 0, 3, 1, 3});

class GradcheckFunctional : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(11); }
};

}  // namespace

TEST_F(GradcheckFunctional, Linear) {
  check([](const Ts& x) { return functional::linear(x[0], x[1], x[2]); }, {leaf({4, 3}), leaf({2, 3}), leaf({2})});
  check([](const Ts& x) { return functional::linear(x[0], x[1]); }, {leaf({2, 3, 3}), leaf({4, 3})});
  // A weight that is a transposed view takes the no-flag BLAS path.
  check([](const Ts& x) { return functional::linear(x[0], x[1].T(), x[2]); }, {leaf({3, 4}), leaf({4, 2}), leaf({2})});
}

TEST_F(GradcheckFunctional, CrossEntropyWithClassIndices) {
  for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none})
    check([r](const Ts& x) { return functional::cross_entropy(x[0], kLabels, {r}); }, {leaf({5, 4}, -2, 2)});
  check([](const Ts& x) { return functional::cross_entropy(x[0], kLabels, {Reduction::mean, 0.2}); },
        {leaf({5, 4}, -2, 2)});
  const Tensor with_ignored = from_vector(std::vector<int64_t>{2, -1, 3, -1, 0});
  check([with_ignored](const Ts& x) {
    return functional::cross_entropy(x[0], with_ignored, {Reduction::mean, 0.1, -1});
  }, {leaf({5, 4}, -2, 2)});
  const Tensor one = from_vector(std::vector<int64_t>{1}).reshape({});
  check([one](const Ts& x) { return functional::cross_entropy(x[0], one); }, {leaf({4})});
}

TEST_F(GradcheckFunctional, CrossEntropyWithProbabilities) {
  const Tensor probs = softmax(uniform({3, 4}, -1, 1, DType::f64), 1);
  check([](const Ts& x) { return functional::cross_entropy(x[0], softmax(x[1], 1), {Reduction::none, 0.1}); },
        {leaf({3, 4}), leaf({3, 4})});
  check([probs](const Ts& x) { return functional::cross_entropy(x[0], probs); }, {leaf({3, 4})});
}

TEST_F(GradcheckFunctional, NLLLoss) {
  for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none})
    check([r](const Ts& x) { return functional::nll_loss(x[0], kLabels, r); }, {leaf({5, 4})});
}

TEST_F(GradcheckFunctional, BinaryCrossEntropyWithLogits) {
  check([](const Ts& x) { return functional::binary_cross_entropy_with_logits(x[0], x[1]); },
        {leaf({3, 4}, -3, 3), leaf({3, 4}, 0, 1)});
  check([](const Ts& x) {
    return functional::binary_cross_entropy_with_logits(x[0], x[1], x[2], Reduction::none);
  }, {leaf({3, 4}, -3, 3), leaf({3, 4}, 0, 1), leaf({4}, 0.5, 3)});
}

TEST_F(GradcheckFunctional, RegressionLosses) {
  for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none}) {
    check([r](const Ts& x) { return functional::mse_loss(x[0], x[1], r); }, {leaf({3, 4}), leaf({3, 4})});
    // Differences kept away from |d| = delta, where the second derivative jumps.
    check([r](const Ts& x) { return functional::huber_loss(x[0] * 0.3, x[1], r, 1.0); },
          {leaf({3, 4}), leaf({3, 4}, 1.6, 2.0)});
    check([r](const Ts& x) { return functional::huber_loss(x[0] * 0.1, x[1], r, 0.5); },
          {leaf({3, 4}), leaf({3, 4}, -0.3, 0.3)});
  }
}

TEST_F(GradcheckFunctional, Normalisation) {
  const Tensor running_mean = zeros({3}, DType::f64), running_var = ones({3}, DType::f64);
  check([&](const Ts& x) {
    return functional::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true);
  }, {leaf({5, 3}), leaf({3}), leaf({3})});
  check([&](const Ts& x) {
    return functional::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true);
  }, {leaf({2, 3, 4}), leaf({3}), leaf({3})});
  check([&](const Ts& x) {
    return functional::batch_norm(x[0], running_mean, running_var + 0.5, x[1], x[2], false);
  }, {leaf({4, 3}), leaf({3}), leaf({3})});
  check([](const Ts& x) { return functional::layer_norm(x[0], {4}, x[1], x[2]); },
        {leaf({3, 4}), leaf({4}), leaf({4})});
  check([](const Ts& x) { return functional::layer_norm(x[0], {2, 3}); }, {leaf({2, 2, 3})});
}

TEST_F(GradcheckFunctional, EmbeddingAndDropout) {
  const Tensor indices = from_vector(std::vector<int64_t>{0, 2, 2, 4}, {2, 2});
  check([indices](const Ts& x) { return functional::embedding(indices, x[0]); }, {leaf({5, 3})});
  // The mask must be the same for every evaluation: reseed before each.
  check([](const Ts& x) {
    manual_seed(7);
    return functional::dropout(x[0], 0.4, true);
  }, {leaf({4, 5})});
}

TEST_F(GradcheckFunctional, Penalties) {
  check([](const Ts& x) { return functional::l2_penalty({x[0], x[1]}); }, {leaf({3}), leaf({2, 2})});
  check([](const Ts& x) { return functional::l1_penalty({x[0]}); }, {leaf({4}, 0.1, 1)});
}
