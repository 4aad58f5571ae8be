// The LSTM forecaster: its shapes and errors. The short training run in which it learns a sine
// with a period of 7 days far better than the moving average can (seeds 0-3 reach an MAE of
// 0.06-0.13 against the moving average's 3.13) is in slow_models_learn.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "nabla/models/timeseries_windows.h"
#include "nabla/error.h"
#include "nabla/nabla.h"
#include "nabla/models/forecaster.h"

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

}  // namespace
}  // namespace nabla
