#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kernels/cpu/gemm.h"

using nabla::kernels::gemm;
using nabla::kernels::gemm_portable;

// A plain triple loop: the reference both kernels must agree with.
static std::vector<double> reference(bool ta, bool tb, int m, int n, int k, const std::vector<double>& a,
                                     const std::vector<double>& b) {
  std::vector<double> c(static_cast<size_t>(m * n), 0);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      for (int p = 0; p < k; ++p)
        c[i * n + j] += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
  return c;
}

TEST(Gemm, PortableAndBlasMatchReferenceInEveryTransposition) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> dist(-1, 1);
  const int m = 37, n = 53, k = 300;  // odd sizes and K past one block
  std::vector<double> a(m * k), b(k * n);
  for (auto& v : a) v = dist(rng);
  for (auto& v : b) v = dist(rng);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      const auto want = reference(ta, tb, m, n, k, a, b);
      std::vector<double> c1(m * n, 7.0), c2(m * n, 7.0);
      gemm_portable<double>(ta, tb, m, n, k, 1.0, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.0, c1.data(), n);
      gemm<double>(ta, tb, m, n, k, 1.0, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.0, c2.data(), n);
      for (int i = 0; i < m * n; ++i) {
        ASSERT_NEAR(c1[i], want[i], 1e-12) << ta << tb << " at " << i;
        ASSERT_NEAR(c2[i], want[i], 1e-12) << ta << tb << " at " << i;
      }
    }
}

TEST(Gemm, AlphaBetaAccumulate) {
  std::vector<float> a{1, 2, 3, 4}, b{5, 6, 7, 8}, c{1, 1, 1, 1};
  gemm_portable<float>(false, false, 2, 2, 2, 2.0f, a.data(), 2, b.data(), 2, 1.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{39, 45, 87, 101}));
}
