// Sliding forecasting windows over daily series; the layout is documented in timeseries_windows.h.
#include "nabla/models/timeseries_windows.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "nabla/error.h"

namespace nabla::models {
namespace {

using std::chrono::sys_days;

std::string describe(const WindowOptions& o) {
  return "window " + std::to_string(o.window) + ", horizon " + std::to_string(o.horizon) + ", test_days " +
         std::to_string(o.test_days);
}

}  // namespace

DailySeries to_daily_series(const AdSeries& series) { return DailySeries{series.start, {series.impressions, series.clicks}}; }

int64_t calendar_feature_count() { return 4 + static_cast<int64_t>(ad_holidays().size()); }

std::vector<double> calendar_features(sys_days day) {
  constexpr double two_pi = 2 * std::numbers::pi;
  const double dow = static_cast<double>(std::chrono::weekday(day).iso_encoding() - 1);
  const double doy = static_cast<double>((day - sys_days(std::chrono::year_month_day(day).year() / 1 / 1)).count());
  std::vector<double> f = {std::sin(two_pi * dow / 7), std::cos(two_pi * dow / 7), std::sin(two_pi * doy / 365.25),
                           std::cos(two_pi * doy / 365.25)};
  f.resize(static_cast<size_t>(calendar_feature_count()), 0.0);
  if (const int64_t h = holiday_index(day); h >= 0) f[static_cast<size_t>(4 + h)] = 1;
  return f;
}

LogScaler LogScaler::fit(std::span<const double> values) {
  if (values.empty()) throw Error("LogScaler::fit: no values");
  double sum = 0, squares = 0;
  for (double x : values) sum += std::log1p(x);
  const double mean = sum / static_cast<double>(values.size());
  for (double x : values) squares += (std::log1p(x) - mean) * (std::log1p(x) - mean);
  return LogScaler{mean, std::max(1e-6, std::sqrt(squares / static_cast<double>(values.size())))};
}

double LogScaler::scale(double x) const { return (std::log1p(x) - mean) / std; }
double LogScaler::unscale(double z) const { return std::max(0.0, std::expm1(z * std + mean)); }

ForecastProblem::ForecastProblem(std::vector<DailySeries> series, WindowOptions options)
    : series_(std::move(series)), options_(options) {
  if (options_.window <= 0 || options_.horizon <= 0 || options_.test_days <= 0)
    throw Error("ForecastProblem: " + describe(options_) + ": each must be positive");
  if (options_.test_days < options_.horizon)
    throw Error("ForecastProblem: " + describe(options_) + ": the tail must hold at least one horizon");
  if (series_.empty() || series_.front().variables.empty()) throw ShapeError("ForecastProblem: no series or no variables");
  const size_t k = series_.front().variables.size();
  for (size_t s = 0; s < series_.size(); ++s) {
    const DailySeries& d = series_[s];
    if (d.variables.size() != k)
      throw ShapeError("ForecastProblem: series " + std::to_string(s) + " has " + std::to_string(d.variables.size()) +
                       " variables, series 0 has " + std::to_string(k));
    for (const auto& v : d.variables)
      if (static_cast<int64_t>(v.size()) != d.days())
        throw ShapeError("ForecastProblem: the variables of series " + std::to_string(s) + " differ in length");
    const int64_t training_days = d.days() - options_.test_days;
    if (training_days < options_.window + options_.horizon)
      throw ShapeError("ForecastProblem: series " + std::to_string(s) + " has " + std::to_string(d.days()) +
                       " days; " + describe(options_) + " needs at least " +
                       std::to_string(options_.window + options_.horizon + options_.test_days));
    std::vector<LogScaler> fitted;
    for (const auto& v : d.variables) fitted.push_back(LogScaler::fit(std::span(v).first(static_cast<size_t>(training_days))));
    scalers_.push_back(std::move(fitted));
  }
}

const LogScaler& ForecastProblem::scaler(int64_t s, int64_t k) const {
  return scalers_.at(static_cast<size_t>(s)).at(static_cast<size_t>(k));
}

ForecastWindows ForecastProblem::training_windows() const {
  std::vector<std::pair<int64_t, int64_t>> origins;
  for (int64_t s = 0; s < static_cast<int64_t>(series_.size()); ++s)
    for (int64_t o = options_.window; o + options_.horizon <= tail_start(s); ++o) origins.emplace_back(s, o);
  return make_windows(origins);
}

ForecastWindows ForecastProblem::test_windows() const {
  std::vector<std::pair<int64_t, int64_t>> origins;
  for (int64_t s = 0; s < static_cast<int64_t>(series_.size()); ++s)
    for (int64_t o = tail_start(s); o + options_.horizon <= series_[static_cast<size_t>(s)].days(); ++o)
      origins.emplace_back(s, o);
  return make_windows(origins);
}

ForecastWindows ForecastProblem::window(int64_t s, int64_t o) const {
  if (s < 0 || s >= static_cast<int64_t>(series_.size()) || o < options_.window ||
      o + options_.horizon > series_[static_cast<size_t>(s)].days())
    throw IndexError("ForecastProblem::window: no window of series " + std::to_string(s) + " at origin " +
                     std::to_string(o) + " (" + describe(options_) + ")");
  return make_windows({{s, o}});
}

ForecastWindows ForecastProblem::make_windows(const std::vector<std::pair<int64_t, int64_t>>& origins) const {
  const int64_t n = static_cast<int64_t>(origins.size()), w = options_.window, h = options_.horizon;
  const int64_t k = variable_count(), f = feature_count(), steps = w + h;
  std::vector<float> inputs(static_cast<size_t>(n * steps * f)), targets(static_cast<size_t>(n * h * k));
  ForecastWindows out;
  for (int64_t i = 0; i < n; ++i) {
    const auto [s, o] = origins[static_cast<size_t>(i)];
    const DailySeries& d = series_[static_cast<size_t>(s)];
    for (int64_t t = 0; t < steps; ++t) {
      const int64_t day = o - w + t;
      const bool observed = t < w;
      float* row = inputs.data() + (i * steps + t) * f;
      for (int64_t v = 0; v < k; ++v) {
        const double z = scaler(s, v).scale(d.variables[static_cast<size_t>(v)][static_cast<size_t>(day)]);
        if (observed) row[v] = static_cast<float>(z);
        else targets[static_cast<size_t>((i * h + t - w) * k + v)] = static_cast<float>(z);
      }
      row[k] = observed ? 1.0f : 0.0f;
      const std::vector<double> calendar = calendar_features(d.start + std::chrono::days(day));
      std::copy(calendar.begin(), calendar.end(), row + k + 1);
    }
    out.series.push_back(s);
    out.origin.push_back(o);
  }
  out.inputs = from_vector(inputs, {n, steps, f});
  out.targets = from_vector(targets, {n, h, k});
  return out;
}

std::vector<double> ForecastProblem::unscale(const Tensor& forecasts, const ForecastWindows& windows) const {
  const int64_t h = options_.horizon, k = variable_count();
  if (forecasts.shape() != Shape{windows.size(), h, k})
    throw ShapeError("ForecastProblem::unscale: forecasts " + to_string(forecasts.shape()) + " for " +
                     std::to_string(windows.size()) + " windows, expected " + to_string(Shape{windows.size(), h, k}));
  const std::vector<double> z = forecasts.to(DType::f64).contiguous().to_vector<double>();
  std::vector<double> out(z.size());
  for (int64_t i = 0; i < windows.size(); ++i)
    for (int64_t t = 0; t < h; ++t)
      for (int64_t v = 0; v < k; ++v) {
        const size_t at = static_cast<size_t>((i * h + t) * k + v);
        out[at] = scaler(windows.series[static_cast<size_t>(i)], v).unscale(z[at]);
      }
  return out;
}

std::vector<double> ForecastProblem::actual(const ForecastWindows& windows) const {
  const int64_t h = options_.horizon, k = variable_count();
  std::vector<double> out;
  out.reserve(static_cast<size_t>(windows.size() * h * k));
  for (int64_t i = 0; i < windows.size(); ++i) {
    const DailySeries& d = series_[static_cast<size_t>(windows.series[static_cast<size_t>(i)])];
    for (int64_t t = 0; t < h; ++t)
      for (int64_t v = 0; v < k; ++v)
        out.push_back(d.variables[static_cast<size_t>(v)][static_cast<size_t>(windows.origin[static_cast<size_t>(i)] + t)]);
  }
  return out;
}

}  // namespace nabla::models
