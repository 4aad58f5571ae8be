// MAE, sMAPE (with its zero handling) and the seasonal-naive and moving-average baselines on
// values worked out by hand.
#include <gtest/gtest.h>

#include "nabla/error.h"
#include "nabla/models/forecast_metrics.h"

namespace nabla::train {
namespace {

using V = std::vector<double>;

TEST(ForecastMetrics, MaeIsTheMeanAbsoluteDifference) {
  EXPECT_DOUBLE_EQ(models::mean_absolute_error(V{1, 2, 3, 4}, V{2, 2, 1, 8}), (1 + 0 + 2 + 4) / 4.0);
  EXPECT_DOUBLE_EQ(models::mean_absolute_error(V{5}, V{5}), 0);
}

TEST(ForecastMetrics, SmapeIsSymmetricBoundedAndCountsZeroOverZeroAsPerfect) {
  // 2|y - f| / (|y| + |f|): 2*10/(100+110), 2*50/(50+100), 0, 2*5/(5+0) = 2.
  const double expected = 100 * (20.0 / 210 + 100.0 / 150 + 0 + 2) / 4;
  EXPECT_NEAR(models::smape(V{100, 50, 0, 5}, V{110, 100, 0, 0}), expected, 1e-12);
  EXPECT_DOUBLE_EQ(models::smape(V{3, 7}, V{7, 3}), models::smape(V{7, 3}, V{3, 7}));
  EXPECT_DOUBLE_EQ(models::smape(V{0, 0}, V{0, 0}), 0);
  EXPECT_DOUBLE_EQ(models::smape(V{0, 4}, V{1, 0}), 200);  // the worst possible
}

TEST(ForecastMetrics, MismatchedOrEmptyInputsAreShapeErrors) {
  EXPECT_THROW(models::mean_absolute_error(V{1, 2}, V{1}), ShapeError);
  EXPECT_THROW(models::smape(V{}, V{}), ShapeError);
}

TEST(ForecastBaselines, SeasonalNaiveRepeatsTheLastSeasonPastOneSeason) {
  const V history = {9, 9, 1, 2, 3, 4, 5, 6, 7};  // the last 7 days: 1..7
  EXPECT_EQ(models::seasonal_naive_forecast(history, 10, 7), (V{1, 2, 3, 4, 5, 6, 7, 1, 2, 3}));
  EXPECT_EQ(models::seasonal_naive_forecast(V{1, 2, 3}, 4, 2), (V{2, 3, 2, 3}));
  EXPECT_EQ(models::seasonal_naive_forecast(V{4}, 3, 1), (V{4, 4, 4}));
}

TEST(ForecastBaselines, MovingAverageIsTheMeanOfTheLastDays) {
  EXPECT_EQ(models::moving_average_forecast(V{100, 1, 2, 3, 6}, 3, 4), (V{3, 3, 3}));
  EXPECT_EQ(models::moving_average_forecast(V{2, 4}, 1, 2), (V{3}));
}

TEST(ForecastBaselines, TooLittleHistoryOrBadArgumentsThrow) {
  EXPECT_THROW(models::seasonal_naive_forecast(V{1, 2, 3}, 5, 7), ShapeError);
  EXPECT_THROW(models::moving_average_forecast(V{1, 2}, 5, 7), ShapeError);
  EXPECT_THROW(models::seasonal_naive_forecast(V{1, 2, 3}, 0, 1), Error);
  EXPECT_THROW(models::moving_average_forecast(V{1, 2, 3}, 2, 0), Error);
}

}  // namespace
}  // namespace nabla::train
