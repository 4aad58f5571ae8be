// Forecast metrics and baselines; definitions in forecast_metrics.h.
#include "nabla/models/forecast_metrics.h"

#include <cmath>
#include <numeric>
#include <string>

#include "nabla/error.h"

namespace nabla::models {
namespace {

void check_pair(std::span<const double> actual, std::span<const double> forecast, const char* who) {
  if (actual.empty() || actual.size() != forecast.size())
    throw ShapeError(std::string(who) + ": " + std::to_string(actual.size()) + " actual values and " +
                     std::to_string(forecast.size()) + " forecasts (need the same, non-zero number)");
}

void check_history(std::span<const double> history, int64_t horizon, int64_t needed, const char* who,
                   const char* what) {
  if (horizon <= 0 || needed <= 0)
    throw Error(std::string(who) + ": horizon " + std::to_string(horizon) + " and " + what + " " +
                std::to_string(needed) + " must be positive");
  if (static_cast<int64_t>(history.size()) < needed)
    throw ShapeError(std::string(who) + ": " + std::to_string(history.size()) + " observed days, fewer than the " +
                     what + " (" + std::to_string(needed) + ")");
}

}  // namespace

double mean_absolute_error(std::span<const double> actual, std::span<const double> forecast) {
  check_pair(actual, forecast, "mean_absolute_error");
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) sum += std::abs(actual[i] - forecast[i]);
  return sum / static_cast<double>(actual.size());
}

double smape(std::span<const double> actual, std::span<const double> forecast) {
  check_pair(actual, forecast, "smape");
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double denominator = std::abs(actual[i]) + std::abs(forecast[i]);
    if (denominator > 0) sum += 2 * std::abs(actual[i] - forecast[i]) / denominator;
  }
  return 100 * sum / static_cast<double>(actual.size());
}

std::vector<double> seasonal_naive_forecast(std::span<const double> history, int64_t horizon, int64_t period) {
  check_history(history, horizon, period, "seasonal_naive_forecast", "period");
  const int64_t last = static_cast<int64_t>(history.size()) - 1;  // day T
  std::vector<double> out;
  for (int64_t k = 1; k <= horizon; ++k) {
    const int64_t seasons_back = (k + period - 1) / period;
    out.push_back(history[static_cast<size_t>(last + k - period * seasons_back)]);
  }
  return out;
}

std::vector<double> moving_average_forecast(std::span<const double> history, int64_t horizon, int64_t days) {
  check_history(history, horizon, days, "moving_average_forecast", "averaging window");
  const auto recent = history.last(static_cast<size_t>(days));
  const double mean = std::accumulate(recent.begin(), recent.end(), 0.0) / static_cast<double>(days);
  return std::vector<double>(static_cast<size_t>(horizon), mean);
}

}  // namespace nabla::models
