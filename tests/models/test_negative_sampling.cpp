// word2vec's examples: the alias sampler draws ids at count^0.75 frequencies, and the reduced
// windows hold exactly the neighbours within each drawn radius.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/models/negative_sampling.h"
#include "nabla/nabla.h"

namespace nabla::data {
namespace {

TEST(UnigramSampler, DrawsAtTheThreeQuarterPowerOfTheCounts) {
  const std::vector<int64_t> counts{1000, 100, 10, 1, 0, 5000};
  const models::UnigramSampler sampler(counts);
  double total = 0;
  for (int64_t c : counts) total += std::pow(static_cast<double>(c), 0.75);
  for (size_t i = 0; i < counts.size(); ++i)
    EXPECT_NEAR(sampler.probability(static_cast<int64_t>(i)), std::pow(static_cast<double>(counts[i]), 0.75) / total,
                1e-12);

  Generator generator(11);
  const int64_t n = 400000;
  const std::vector<int64_t> draws = sampler.sample({n}, generator).to_vector<int64_t>();
  std::vector<double> seen(counts.size(), 0);
  for (int64_t d : draws) seen[static_cast<size_t>(d)] += 1;
  for (size_t i = 0; i < counts.size(); ++i) {
    const double p = sampler.probability(static_cast<int64_t>(i));
    const double sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(seen[i], n * p, 5 * sd + 1) << "id " << i;
  }
  EXPECT_EQ(seen[4], 0);  // a zero count is never drawn
}

TEST(UnigramSampler, IsSeededAndRejectsBadCounts) {
  const models::UnigramSampler sampler({3, 1, 4, 1, 5});
  Generator a(2), b(2);
  EXPECT_EQ(sampler.sample({50}, a).to_vector<int64_t>(), sampler.sample({50}, b).to_vector<int64_t>());
  EXPECT_THROW(models::UnigramSampler({0, 0}), Error);
  EXPECT_THROW(models::UnigramSampler({1, -1}), Error);
  EXPECT_THROW(sampler.probability(5), IndexError);
}

TEST(ContextWindows, HoldsTheNeighboursWithinTheDrawnRadius) {
  models::ContextWindows windows(2);
  Generator generator(0);
  const std::vector<int64_t> sentence{10, 11, 12, 13, 14, 15};
  windows.append(sentence, generator);
  windows.append({99}, generator);  // no neighbour: no row
  ASSERT_EQ(windows.size(), 6);
  EXPECT_EQ(windows.width, 4);
  bool saw_radius[3] = {false, false, false};
  for (int64_t r = 0; r < windows.size(); ++r) {
    EXPECT_EQ(windows.centers[static_cast<size_t>(r)], 10 + r);
    std::vector<int64_t> context;
    for (int64_t s = 0; s < 4; ++s) {
      const auto slot = static_cast<size_t>(r * 4 + s);
      if (windows.mask[slot] != 0) {
        context.push_back(windows.contexts[slot]);
      } else {
        EXPECT_EQ(windows.contexts[slot], 0);
      }
    }
    // The context is every word within some radius b in {1, 2} of the centre, in order.
    bool matched = false;
    for (int64_t b = 1; b <= 2; ++b) {
      std::vector<int64_t> expected;
      for (int64_t j = std::max<int64_t>(0, r - b); j <= std::min<int64_t>(5, r + b); ++j)
        if (j != r) expected.push_back(10 + j);
      if (context == expected) matched = saw_radius[b] = true;
    }
    EXPECT_TRUE(matched) << "row " << r;
  }
  std::vector<int64_t> centers, contexts;
  windows.pairs(centers, contexts);
  double slots = 0;
  for (float m : windows.mask) slots += m;
  EXPECT_EQ(static_cast<double>(centers.size()), slots);
  EXPECT_THROW(models::ContextWindows(0), Error);
}

}  // namespace
}  // namespace nabla::data
