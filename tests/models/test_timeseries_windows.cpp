// Forecasting windows: the split, scalers fitted on the training part only, the input layout,
// calendar features, and scaling back.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "nabla/models/timeseries_windows.h"
#include "nabla/error.h"

namespace nabla::data {
namespace {

using namespace std::chrono;

const sys_days kMonday = sys_days(year(2024) / 1 / 1);  // a Monday, and New Year's day

// One series of `days` days: variable 0 is 10 + t, variable 1 is 2 t.
models::DailySeries ramp(int64_t days) {
  models::DailySeries s{kMonday, {{}, {}}};
  for (int64_t t = 0; t < days; ++t) {
    s.variables[0].push_back(10.0 + static_cast<double>(t));
    s.variables[1].push_back(2.0 * static_cast<double>(t));
  }
  return s;
}

TEST(LogScaler, StandardisesLog1pAndInvertsIt) {
  const std::vector<double> values = {0, std::exp(2.0) - 1};  // log1p: 0 and 2
  const models::LogScaler s = models::LogScaler::fit(values);
  EXPECT_NEAR(s.mean, 1, 1e-12);
  EXPECT_NEAR(s.std, 1, 1e-12);
  EXPECT_NEAR(s.scale(0), -1, 1e-12);
  EXPECT_NEAR(s.unscale(s.scale(1234.5)), 1234.5, 1e-9);
  EXPECT_EQ(s.unscale(-100), 0);  // never a negative count
  EXPECT_GE(models::LogScaler::fit(std::vector<double>{5, 5, 5}).std, 1e-6);  // a constant series still divides
}

TEST(CalendarFeatures, WeekdayYearAndHolidayFlags) {
  ASSERT_EQ(models::calendar_feature_count(), 10);
  const std::vector<double> monday = models::calendar_features(kMonday);
  EXPECT_NEAR(monday[0], 0, 1e-12);  // sin(0): Monday
  EXPECT_NEAR(monday[1], 1, 1e-12);
  EXPECT_NEAR(monday[2], 0, 1e-12);  // the first day of the year
  EXPECT_EQ(monday[4], 1);           // New Year's day
  const std::vector<double> thursday = models::calendar_features(kMonday + days(3));
  EXPECT_NEAR(thursday[0], std::sin(2 * M_PI * 3 / 7), 1e-12);
  for (size_t h = 4; h < thursday.size(); ++h) EXPECT_EQ(thursday[h], 0);
  EXPECT_EQ(models::calendar_features(sys_days(year(2024) / 11 / 29))[6], 1);  // Black Friday
}

TEST(ForecastProblem, ScalersSeeOnlyTheTrainingPart) {
  models::DailySeries a = ramp(60), b = ramp(60);
  for (int64_t t = 50; t < 60; ++t) b.variables[0][static_cast<size_t>(t)] = 1e6;  // only the tail differs
  const models::ForecastProblem p({a, b}, {.window = 7, .horizon = 3, .test_days = 10});
  EXPECT_EQ(p.tail_start(0), 50);
  EXPECT_DOUBLE_EQ(p.scaler(0, 0).mean, p.scaler(1, 0).mean);
  EXPECT_DOUBLE_EQ(p.scaler(0, 0).std, p.scaler(1, 0).std);
}

TEST(ForecastProblem, TrainingWindowsEndBeforeTheTailAndTestWindowsRollThroughIt) {
  const models::ForecastProblem p({ramp(60), ramp(70)}, {.window = 7, .horizon = 3, .test_days = 10});
  const models::ForecastWindows train = p.training_windows(), test = p.test_windows();
  // Origins 7 .. tail - 3: 41 and 51 of them; in the tail, 8 per series.
  EXPECT_EQ(train.size(), 41 + 51);
  EXPECT_EQ(test.size(), 16);
  for (int64_t i = 0; i < train.size(); ++i)
    EXPECT_LE(train.origin[static_cast<size_t>(i)] + 3, p.tail_start(train.series[static_cast<size_t>(i)]));
  EXPECT_EQ(test.origin.front(), 50);
  EXPECT_EQ(test.origin.back(), 67);
  EXPECT_EQ(train.inputs.shape(), (Shape{92, 10, 2 + 1 + 10}));
  EXPECT_EQ(train.targets.shape(), (Shape{92, 3, 2}));
}

TEST(ForecastProblem, WindowLayoutHidesTheFutureValuesAndKeepsItsCalendar) {
  const models::ForecastProblem p({ramp(60)}, {.window = 7, .horizon = 3, .test_days = 10});
  const models::ForecastWindows w = p.window(0, 20);
  const std::vector<float> x = w.inputs.to_vector<float>(), y = w.targets.to_vector<float>();
  const int64_t f = p.feature_count();
  for (int64_t t = 0; t < 10; ++t) {
    const int64_t day = 13 + t;
    const float* row = x.data() + t * f;
    if (t < 7) {
      EXPECT_NEAR(row[0], p.scaler(0, 0).scale(10.0 + static_cast<double>(day)), 1e-6);
      EXPECT_NEAR(row[1], p.scaler(0, 1).scale(2.0 * static_cast<double>(day)), 1e-6);
      EXPECT_EQ(row[2], 1);
    } else {
      EXPECT_EQ(row[0], 0);
      EXPECT_EQ(row[1], 0);
      EXPECT_EQ(row[2], 0);
      EXPECT_NEAR(y[static_cast<size_t>((t - 7) * 2)], p.scaler(0, 0).scale(10.0 + static_cast<double>(day)), 1e-6);
    }
    EXPECT_NEAR(row[3], std::sin(2 * M_PI * static_cast<double>(day % 7) / 7), 1e-6);  // day 0 is a Monday
  }
}

TEST(ForecastProblem, UnscalingTheTargetsGivesTheActualValues) {
  const models::ForecastProblem p({ramp(60), ramp(65)}, {.window = 7, .horizon = 3, .test_days = 10});
  const models::ForecastWindows test = p.test_windows();
  const std::vector<double> back = p.unscale(test.targets, test), actual = p.actual(test);
  ASSERT_EQ(back.size(), actual.size());
  for (size_t i = 0; i < back.size(); ++i) EXPECT_NEAR(back[i], actual[i], 1e-4 * (1 + actual[i]));
  EXPECT_EQ(actual[0], 60);  // series 0, origin 50, impressions 10 + 50
  EXPECT_EQ(actual[1], 100);
}

TEST(ForecastProblem, BadSetupsThrow) {
  EXPECT_THROW(models::ForecastProblem({ramp(19)}, {.window = 7, .horizon = 3, .test_days = 10}), ShapeError);  // 20 is the least
  EXPECT_THROW(models::ForecastProblem({ramp(60)}, {.window = 7, .horizon = 12, .test_days = 10}), Error);
  EXPECT_THROW(models::ForecastProblem({ramp(60)}, {.window = 0, .horizon = 3, .test_days = 10}), Error);
  models::DailySeries short_clicks = ramp(60);
  short_clicks.variables[1].pop_back();
  EXPECT_THROW(models::ForecastProblem({short_clicks}, {.window = 7, .horizon = 3, .test_days = 10}), ShapeError);
  const models::ForecastProblem p({ramp(60)}, {.window = 7, .horizon = 3, .test_days = 10});
  EXPECT_THROW(p.window(0, 6), IndexError);
  EXPECT_THROW(p.window(0, 58), IndexError);
  EXPECT_THROW(p.window(1, 20), IndexError);
  const models::ForecastWindows w = p.window(0, 20);
  EXPECT_THROW(p.unscale(w.inputs, w), ShapeError);
}

}  // namespace
}  // namespace nabla::data
