// The LSTM forecaster: its shapes and errors, and a short training run in which it learns a
// sine with a period of 7 days far better than the moving average can (seeds 0-3 reach an MAE
// of 0.06-0.13 against the moving average's 3.13).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <numbers>

#include "nabla/models/timeseries_windows.h"
#include "nabla/error.h"
#include "nabla/nabla.h"
#include "nabla/models/forecaster.h"
#include "nabla/models/forecast_metrics.h"
#include "nabla/models/forecast_training.h"

namespace nabla {
namespace {

TEST(LstmForecaster, MapsAWindowToHorizonTimesOutputs) {
  manual_seed(0);
  models::LstmForecaster model(5, 2, 3, {.hidden_size = 8, .num_layers = 2});
  const Tensor y = model(randn({4, 10, 5}));
  EXPECT_EQ(y.shape(), (Shape{4, 3, 2}));
  const auto names = model.state_dict();
  EXPECT_EQ(names.front().first, "lstm.weight_ih_l0");
  EXPECT_EQ(names.back().first, "head.bias");
  EXPECT_THROW(model(randn({4, 10, 6})), ShapeError);
  EXPECT_THROW(model(randn({4, 3, 5})), ShapeError);  // no history before the horizon
  EXPECT_THROW(models::LstmForecaster(5, 0, 3), Error);
}

TEST(LstmForecaster, OnlyTheHorizonStepsReachTheOutputThroughTheHead) {
  // Changing the inputs of a later step must leave earlier horizon outputs alone (the LSTM is
  // causal), while every horizon output depends on the history.
  manual_seed(1);
  models::LstmForecaster model(2, 1, 2, {.hidden_size = 4});
  const Tensor x = randn({1, 6, 2});
  Tensor changed = x.clone();
  changed.data<float>()[5 * 2] += 1.0f;  // the last step
  const std::vector<float> a = model(x).to_vector<float>(), b = model(changed).to_vector<float>();
  EXPECT_EQ(a[0], b[0]);
  EXPECT_NE(a[1], b[1]);
}

TEST(LstmForecaster, LearnsAWeeklySineBetterThanTheMovingAverage) {
  models::DailySeries sine{std::chrono::sys_days(std::chrono::year(2024) / 1 / 1), {{}}};
  for (int64_t t = 0; t < 200; ++t) sine.variables[0].push_back(10 + 5 * std::sin(2 * std::numbers::pi * t / 7.0));
  const models::ForecastProblem problem({sine}, {.window = 14, .horizon = 7, .test_days = 28});
  manual_seed(0);
  models::LstmForecaster model(problem.feature_count(), 1, 7, {.hidden_size = 16});
  const std::vector<double> losses =
      models::fit_forecaster(model, problem.training_windows(), {.epochs = 30, .batch_size = 16, .lr = 1e-2});
  EXPECT_LT(losses.back(), 0.01 * losses.front());

  const models::ForecastWindows test = problem.test_windows();
  const std::vector<double> actual = problem.actual(test);
  const std::vector<double> lstm = problem.unscale(models::predict_forecasts(model, test.inputs), test);
  std::vector<double> average;
  for (int64_t o : test.origin) {
    const auto history = std::span(sine.variables[0]).first(static_cast<size_t>(o));
    for (double f : models::moving_average_forecast(history, 7, 7)) average.push_back(f);
  }
  const double lstm_mae = models::mean_absolute_error(actual, lstm);
  const double average_mae = models::mean_absolute_error(actual, average);  // about mean |5 sin|, 3.1
  EXPECT_GT(average_mae, 2.5);
  EXPECT_LT(lstm_mae, 0.1 * average_mae) << "LSTM " << lstm_mae << ", moving average " << average_mae;
  EXPECT_LT(models::smape(actual, lstm), 0.1 * models::smape(actual, average));
}

}  // namespace
}  // namespace nabla
