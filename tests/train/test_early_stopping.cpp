// Early stopping on scripted sequences of validation values.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nabla/train/early_stopping.h"

namespace nabla::train {
namespace {

// Feeds values until the stopper says stop; returns (epochs run, indices that were new bests).
std::pair<size_t, std::vector<size_t>> run(EarlyStopping& stopper, const std::vector<double>& values) {
  std::vector<size_t> bests;
  for (size_t i = 0; i < values.size(); ++i) {
    if (stopper.update(values[i])) bests.push_back(i);
    if (stopper.should_stop()) return {i + 1, bests};
  }
  return {values.size(), bests};
}

TEST(EarlyStopping, MinModeStopsAfterPatienceEpochsWithoutImprovement) {
  EarlyStopping stopper({.patience = 2});
  EXPECT_TRUE(std::isinf(stopper.best()));
  const auto [epochs, bests] = run(stopper, {1.0, 0.9, 0.95, 0.85, 0.86, 0.87, 0.5});
  EXPECT_EQ(epochs, 6u);  // 0.86 and 0.87 are two bad epochs in a row; 0.5 is never seen
  EXPECT_EQ(bests, (std::vector<size_t>{0, 1, 3}));
  EXPECT_DOUBLE_EQ(stopper.best(), 0.85);
  EXPECT_EQ(stopper.best_epoch(), 3);
  EXPECT_EQ(stopper.epochs_without_improvement(), 2);
  EXPECT_FALSE(stopper.improved());
}

TEST(EarlyStopping, MinDeltaIgnoresTinyGains) {
  EarlyStopping stopper({.patience = 3, .min_delta = 0.01});
  const auto [epochs, bests] = run(stopper, {1.0, 0.995, 0.991, 0.98, 0.975, 0.972, 0.971});
  // 0.98 beats 1.0 by 0.02; the others improve the best by less than 0.01.
  EXPECT_EQ(bests, (std::vector<size_t>{0, 3}));
  EXPECT_EQ(epochs, 7u);
  EXPECT_TRUE(stopper.should_stop());
  EXPECT_DOUBLE_EQ(stopper.best(), 0.98);
}

TEST(EarlyStopping, MaxModeForAccuracy) {
  EarlyStopping stopper({.patience = 1, .mode = EarlyStopping::Mode::max});
  EXPECT_TRUE(stopper.update(0.5));
  EXPECT_TRUE(stopper.update(0.7));
  EXPECT_TRUE(stopper.improved());
  EXPECT_FALSE(stopper.should_stop());
  EXPECT_FALSE(stopper.update(0.7));  // equal is not better
  EXPECT_TRUE(stopper.should_stop());
  EXPECT_DOUBLE_EQ(stopper.best(), 0.7);
}

TEST(EarlyStopping, NanNeverImproves) {
  EarlyStopping stopper({.patience = 2});
  stopper.update(1.0);
  EXPECT_FALSE(stopper.update(NAN));
  EXPECT_FALSE(stopper.update(NAN));
  EXPECT_TRUE(stopper.should_stop());
  EXPECT_DOUBLE_EQ(stopper.best(), 1.0);
}

TEST(EarlyStopping, PatienceZeroStopsAtFirstNonImprovement) {
  EarlyStopping stopper({.patience = 0});
  EXPECT_FALSE(stopper.should_stop());
  stopper.update(1.0);
  EXPECT_FALSE(stopper.should_stop());  // an improving epoch never stops
  stopper.update(0.9);
  EXPECT_FALSE(stopper.should_stop());
  stopper.update(0.95);
  EXPECT_TRUE(stopper.should_stop());
}

TEST(EarlyStopping, StateRoundTripsForResume) {
  EarlyStopping first({.patience = 3});
  for (double v : {1.0, 0.8, 0.9}) first.update(v);
  EarlyStopping resumed({.patience = 3});
  resumed.load_state(first.state());
  EXPECT_DOUBLE_EQ(resumed.best(), 0.8);
  EXPECT_EQ(resumed.best_epoch(), 1);
  resumed.update(0.85);
  resumed.update(0.81);
  EXPECT_TRUE(resumed.should_stop());  // 0.9, 0.85, 0.81: three epochs after the best
  EXPECT_EQ(resumed.state().epochs_seen, 5);
  resumed.reset();
  EXPECT_EQ(resumed.state().epochs_seen, 0);
  EXPECT_FALSE(resumed.should_stop());
}

TEST(EarlyStopping, RejectsNegativeOptions) {
  EXPECT_THROW(EarlyStopping({.patience = -1}), Error);
  EXPECT_THROW(EarlyStopping({.min_delta = -0.1}), Error);
  EXPECT_THROW(EarlyStopping({.min_delta = NAN}), Error);
}

}  // namespace
}  // namespace nabla::train
