// Daily series cut into sliding windows for forecasting: W days of history -> the next H days.
//
// Each series is split in time: its last `test_days` days are the held-out tail, everything before
// is the training part. Scalers are fitted per series and per variable on the training part only,
// so nothing of the tail leaks into the inputs' scaling. Values are scaled as
//
//   z = (log1p(x) - mean) / std      (mean, std of log1p(x) over the training part; std >= 1e-6)
//
// which turns multiplicative structure (trend, weekly factors, holiday uplifts) into additive
// structure and puts campaigns of 2,000 and 50,000 impressions a day on one scale.
//
// A window with origin o (the first day to forecast) spans days [o - W, o + H). Its input is one
// row of features per day, W + H rows:
//
//   K scaled values         the day's variables; 0 on the H days to forecast (not known yet)
//   observed                1 on the W history days, 0 on the H days to forecast
//   sin, cos of day of week (2 pi dow / 7), and of day of year (2 pi doy / 365.25)
//   one flag per holiday    of ad_holidays(): known in advance, like the calendar
//
// and its target is the H days' scaled values [H, K]. Training windows are all origins whose
// targets end before the tail; test windows are all origins inside the tail (a rolling origin,
// one day apart), whose history may reach into the tail: values observed before the origin are
// known at forecast time.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "nabla/models/ad_series.h"
#include "nabla/tensor.h"

namespace nabla::models {

// K non-negative variables over consecutive days from `start`.
struct DailySeries {
  std::chrono::sys_days start{};
  std::vector<std::vector<double>> variables;  // [K][days]
  int64_t days() const { return variables.empty() ? 0 : static_cast<int64_t>(variables.front().size()); }
};
// Impressions and clicks (K = 2, in that order).
DailySeries to_daily_series(const AdSeries& series);

// The calendar features of one day, as described above: 4 + ad_holidays().size() values.
int64_t calendar_feature_count();
std::vector<double> calendar_features(std::chrono::sys_days day);

// z = (log1p(x) - mean) / std and back.
struct LogScaler {
  double mean = 0, std = 1;
  // Fitted to `values` (non-empty).
  static LogScaler fit(std::span<const double> values);
  double scale(double x) const;
  double unscale(double z) const;  // clamped at 0: counts are not negative
};

struct WindowOptions {
  int64_t window = 56;     // W: days of history the model sees
  int64_t horizon = 14;    // H: days forecast at once
  int64_t test_days = 91;  // the held-out tail of every series
};

// Windows of several series stacked: inputs [N, W + H, F] and targets [N, H, K] (f32, scaled).
struct ForecastWindows {
  Tensor inputs, targets;
  std::vector<int64_t> series;  // the series of each window
  std::vector<int64_t> origin;  // its first forecast day, as an index into that series
  int64_t size() const { return static_cast<int64_t>(origin.size()); }
};

class ForecastProblem {
 public:
  // Throws ShapeError naming the series when its variables differ in length or count from the
  // first series', or when it is too short: it needs at least W + H training days before the
  // tail and test_days >= H. Throws Error for a non-positive window, horizon or test_days.
  ForecastProblem(std::vector<DailySeries> series, WindowOptions options);

  const std::vector<DailySeries>& series() const { return series_; }
  const WindowOptions& options() const { return options_; }
  int64_t variable_count() const { return static_cast<int64_t>(series_.front().variables.size()); }
  int64_t feature_count() const { return variable_count() + 1 + calendar_feature_count(); }
  // The first day of series s's held-out tail.
  int64_t tail_start(int64_t s) const { return series_[static_cast<size_t>(s)].days() - options_.test_days; }
  const LogScaler& scaler(int64_t s, int64_t k) const;

  ForecastWindows training_windows() const;
  ForecastWindows test_windows() const;
  // The window of series s with origin o (any o with W <= o <= days - H).
  ForecastWindows window(int64_t s, int64_t o) const;

  // Scaled forecasts [N, H, K] of `windows` back on the data's scale, [N][H][K] flattened.
  std::vector<double> unscale(const Tensor& forecasts, const ForecastWindows& windows) const;
  // The true values of `windows`' forecast days, in the same layout.
  std::vector<double> actual(const ForecastWindows& windows) const;

 private:
  ForecastWindows make_windows(const std::vector<std::pair<int64_t, int64_t>>& origins) const;

  std::vector<DailySeries> series_;
  WindowOptions options_;
  std::vector<std::vector<LogScaler>> scalers_;  // [series][variable]
};

}  // namespace nabla::models
