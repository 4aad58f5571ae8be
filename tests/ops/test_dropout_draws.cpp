// functional::dropout's mask: two elements per 64-bit draw, so its statistics, its scale, its
// determinism under a seed, odd sizes and the ends p = 0 and p = 1 are checked here.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/functional.h"
#include "nabla/nabla.h"

using namespace nabla;
namespace F = nabla::functional;

namespace {

TEST(DropoutDraws, DropsAboutPAndScalesTheRest) {
  for (double p : {0.1, 0.5, 0.9}) {
    manual_seed(21);
    const int64_t n = 200001;  // odd: the last draw decides one element
    const std::vector<float> y = F::dropout(ones({n}), p, true).to_vector<float>();
    int64_t dropped = 0;
    for (float v : y) {
      if (v == 0.0f) ++dropped;
      else EXPECT_FLOAT_EQ(v, static_cast<float>(1.0 / (1.0 - p)));
    }
    // Binomial(n, p): 5 standard deviations.
    const double sigma = std::sqrt(static_cast<double>(n) * p * (1 - p));
    EXPECT_NEAR(static_cast<double>(dropped), static_cast<double>(n) * p, 5 * sigma) << "p = " << p;
  }
}

TEST(DropoutDraws, NeighboursAreIndependent) {
  // The two halves of one draw decide neighbouring elements: both dropped about p^2 of the time.
  manual_seed(22);
  const double p = 0.5;
  const int64_t pairs = 100000;
  const std::vector<float> y = F::dropout(ones({2 * pairs}), p, true).to_vector<float>();
  int64_t both = 0;
  for (int64_t i = 0; i < pairs; ++i) both += y[2 * i] == 0.0f && y[2 * i + 1] == 0.0f;
  const double sigma = std::sqrt(pairs * p * p * (1 - p * p));
  EXPECT_NEAR(static_cast<double>(both), pairs * p * p, 5 * sigma);
}

TEST(DropoutDraws, SeededAndEndsExact) {
  const Tensor x = uniform({3, 7}, 1, 2);
  manual_seed(5);
  const Tensor a = F::dropout(x, 0.3, true);
  manual_seed(5);
  const Tensor b = F::dropout(x, 0.3, true);
  EXPECT_TRUE(allclose(a, b, 0, 0));
  EXPECT_FALSE(allclose(F::dropout(x, 0.3, true), a, 0, 0));  // the stream moved on
  EXPECT_EQ(max(abs(F::dropout(x, 1.0, true))).item(), 0.0);
  EXPECT_TRUE(allclose(F::dropout(x, 0.0, true), x, 0, 0));
  EXPECT_TRUE(allclose(F::dropout(x, 0.3, false), x, 0, 0));
  EXPECT_THROW(F::dropout(x, 1.5, true), Error);
}

}  // namespace

TEST(DropoutDraws, AttentionDropsTheSameMaskAsDropout) {
  // q = 0 gives uniform weights 1/L; with v the identity the output is the weights themselves, so
  // both attention paths (weights returned, fused) must equal dropout's mask over 1/L.
  const int64_t length = 5;
  const Tensor q = zeros({2, 3, 4}), k = randn({2, length, 4}), v = broadcast_to(eye(length), {2, length, length});
  manual_seed(9);
  const Tensor expected = F::dropout(full({2, 3, length}, 1.0 / length), 0.3, true);
  manual_seed(9);
  const Tensor weights = F::scaled_dot_product_attention(q, k, v, Tensor(), false, 0.3, true, true).weights;
  manual_seed(9);
  const Tensor fused = F::scaled_dot_product_attention(q, k, v, Tensor(), false, 0.3, true, false).output;
  EXPECT_TRUE(allclose(weights, expected, 1e-6, 1e-7));
  EXPECT_TRUE(allclose(fused, expected, 1e-6, 1e-7));
}
