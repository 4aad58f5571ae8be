// GELU through the vectorised f32 formula (kernels/cpu/fast_math.h) against the f64 result, the
// f64 result against known values deep in the tail, and GELU's fused backward against the same
// derivative written with ops (the create_graph path).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nabla/nabla.h"

using namespace nabla;

namespace {

TEST(FastMath, GeluF64MatchesKnownValuesIntoTheTail) {
  // x Phi(x) = x erfc(-x / sqrt 2) / 2, from Python's math.erfc; relative error 1e-13.
  const std::vector<double> x{1.0, -1.0, -3.0, -5.0, -8.0, -12.0, 2.5};
  const std::vector<double> expected{0.8413447460685429,     -0.15865525393145707,   -0.004049694094890287,
                                     -1.4332578593959731e-06, -4.9767684594174555e-15, -2.1317785344932424e-32,
                                     2.4844758366855597};
  const std::vector<double> y = gelu(from_vector(x, {7}, DType::f64)).to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(y[i], expected[i], 1e-13 * std::abs(expected[i])) << "x = " << x[i];
}

TEST(FastMath, GeluF32WithinItsStatedErrorOfF64) {
  // Every f32 in [-12, 12] on a 2^-9 grid: absolute error at most 2e-7 max(1, |x|), and relative
  // error at most 2e-6 for |x| <= 5 and 3e-5 beyond (where f32's z^2 rounding feeds exp).
  std::vector<double> grid;
  for (double v = -12; v <= 12; v += 1.0 / 512) grid.push_back(v);
  const int64_t n = static_cast<int64_t>(grid.size());
  const std::vector<float> y32 = gelu(from_vector(grid, {n}, DType::f32)).to_vector<float>();
  const std::vector<double> y64 = gelu(from_vector(grid, {n}, DType::f64)).to_vector<double>();
  double worst_absolute = 0, worst_relative = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = grid[i], error = std::abs(y32[i] - y64[i]);
    worst_absolute = std::max(worst_absolute, error / std::max(1.0, std::abs(x)));
    if (y64[i] != 0) {
      const double relative = error / std::abs(y64[i]);
      EXPECT_LT(relative, std::abs(x) <= 5 ? 2e-6 : 3e-5) << "x = " << x;
      worst_relative = std::max(worst_relative, relative);
    }
  }
  EXPECT_LT(worst_absolute, 2e-7);
  EXPECT_GT(worst_relative, 0.0);  // the grid really compared two different computations
}

TEST(FastMath, GeluFusedBackwardMatchesTheOpFormula) {
  for (DType dtype : {DType::f32, DType::f64}) {
    manual_seed(4);
    Tensor x = uniform({4, 300}, -6, 6, dtype);
    x.requires_grad_();
    const Tensor g = uniform({4, 300}, -1, 1, dtype);
    const Tensor y = gelu(x);
    const Tensor fused = grad({y}, {x}, {g}, {.retain_graph = true})[0];
    const Tensor with_graph = grad({y}, {x}, {g}, {.create_graph = true})[0];
    EXPECT_TRUE(with_graph.requires_grad());
    const double difference = max(abs(fused.to(DType::f64) - with_graph.detach().to(DType::f64))).item();
    EXPECT_LT(difference, dtype == DType::f64 ? 1e-14 : 1e-6) << to_string(dtype);
  }
}

}  // namespace
