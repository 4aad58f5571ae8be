// `nabla forecast`: daily impressions and clicks per ad campaign (generated, or the user's CSV),
// forecast H days ahead by an LSTM and by the seasonal-naive and moving-average baselines, scored
// on every series' held-out tail.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace nabla::cli {

struct ForecastCommandOptions {
  std::string csv;              // the user's series; empty: generate them
  int64_t campaigns = 20, days = 730;  // of generated data
  int64_t window = 56, horizon = 14, test_days = 91;
  int64_t epochs = 4, batch_size = 64;
  int64_t hidden = 64, layers = 1;
  double dropout = 0.0;
  double lr = 3e-3;
  int64_t average_days = 7;     // the moving-average baseline's window
  int64_t plots = 4;            // forecast-vs-actual charts of the first campaigns
  uint64_t seed = 0;
  int threads = 0;              // 0: OpenMP's default
  std::string out = "runs/forecast";
};

void add_forecast_options(CLI::App& app, ForecastCommandOptions& options);
int run_forecast(const ForecastCommandOptions& options);

}  // namespace nabla::cli
