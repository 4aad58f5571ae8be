// log_softmax and cross_entropy in f32 keep full precision on large logits: they compute
// (x - max) - log(sum(exp(x - max))), never x - logsumexp(x) (which rounds at the logits' scale).
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/functional.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {

// log_softmax of {b, b + 1, b + 2} for any b, in f64.
std::vector<double> reference() {
  const double lse = std::log(1.0 + std::exp(1.0) + std::exp(2.0));
  return {-lse, 1.0 - lse, 2.0 - lse};
}

TEST(LogSoftmaxPrecision, LargeLogitsInF32MatchF64) {
  for (double base : {0.0, 1e4, -1e4, 3e5}) {
    const Tensor x = tensor({base, base + 1, base + 2}, DType::f32);
    const std::vector<float> y = log_softmax(x, 0).to_vector<float>();
    const std::vector<double> want = reference();
    for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(y[i], want[i], 1e-6) << "base " << base << ", element " << i;
  }
}

TEST(LogSoftmaxPrecision, GradientOfLargeLogitsInF32) {
  const Tensor x = tensor({1e4, 1e4 + 1, 1e4 + 2}, DType::f32).requires_grad_();
  const Tensor w = tensor({1, 0, 0}, DType::f32);
  sum(log_softmax(x, 0) * w).backward();
  // d/dx_j of log_softmax_0 = [j == 0] - softmax_j
  const double total = 1.0 + std::exp(1.0) + std::exp(2.0);
  const std::vector<float> g = x.grad().to_vector<float>();
  EXPECT_NEAR(g[0], 1.0 - 1.0 / total, 1e-6);
  EXPECT_NEAR(g[1], -std::exp(1.0) / total, 1e-6);
  EXPECT_NEAR(g[2], -std::exp(2.0) / total, 1e-6);
}

TEST(LogSoftmaxPrecision, CrossEntropyOnLargeLogitsInF32) {
  const double lse = std::log(1.0 + std::exp(1.0) + std::exp(2.0));
  const Tensor logits = tensor({{1e4, 1e4 + 1, 1e4 + 2}, {-3e5, -3e5 + 1, -3e5 + 2}}, DType::f32);
  const Tensor target = from_vector(std::vector<int64_t>{0, 2});
  functional::CrossEntropyOptions none;
  none.reduction = functional::Reduction::none;
  const std::vector<float> loss = functional::cross_entropy(logits, target, none).to_vector<float>();
  EXPECT_NEAR(loss[0], lse, 1e-6);
  EXPECT_NEAR(loss[1], lse - 2.0, 1e-6);
  functional::CrossEntropyOptions smoothed = none;
  smoothed.label_smoothing = 0.3;
  // (1 - eps) (lse - x_t) + eps mean_c (lse - x_c), with x measured from the row's first logit
  const std::vector<float> s = functional::cross_entropy(logits, target, smoothed).to_vector<float>();
  EXPECT_NEAR(s[0], 0.7 * lse + 0.3 * (lse - 1.0), 1e-6);
  EXPECT_NEAR(s[1], 0.7 * (lse - 2.0) + 0.3 * (lse - 1.0), 1e-6);
}

}  // namespace
}  // namespace nabla
