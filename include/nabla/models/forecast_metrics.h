// Forecast accuracy and the two baselines every forecaster has to beat.
//
//   MAE    mean |y - f|, in the data's units (impressions, clicks)
//   sMAPE  symmetric mean absolute percentage error, in percent, as in the M4 competition:
//            100 / n * sum 2 |y - f| / (|y| + |f|)
//          bounded in [0, 200]. A day where both y and f are 0 is a perfect forecast and counts 0
//          (the 0/0 term is defined as 0), so days without clicks neither break nor skip the sum.
//
//   seasonal naive   the value one season earlier: day T + k is forecast by the latest observed
//                    day with the same position in the season, T + k - period * ceil(k / period)
//                    (for a weekly season, last week's same weekday)
//   moving average   the mean of the last `days` observed values, for every day of the horizon
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <span>
#include <vector>

namespace nabla::models {

// Both throw ShapeError when the lengths differ or are zero.
double mean_absolute_error(std::span<const double> actual, std::span<const double> forecast);
double smape(std::span<const double> actual, std::span<const double> forecast);

// `history` holds the observed days up to T (its last element). Throw ShapeError when history is
// shorter than `period` (or `days`) and Error for a non-positive horizon, period or days.
std::vector<double> seasonal_naive_forecast(std::span<const double> history, int64_t horizon, int64_t period = 7);
std::vector<double> moving_average_forecast(std::span<const double> history, int64_t horizon, int64_t days = 7);

}  // namespace nabla::models
