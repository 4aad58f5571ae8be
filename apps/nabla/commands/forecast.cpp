// `nabla forecast`: generates (or reads) daily ad series, trains the LSTM forecaster on every
// window before each series' held-out tail, and scores it against the seasonal-naive and
// moving-average baselines on every forecast origin inside the tail (MAE and sMAPE per variable).
// Prints the table and one JSON line; writes into --out: ad_series.csv (generated data),
// model.safetensors (with the window layout and per-series scalers in its metadata), metrics.json
// and forecast_<campaign>_<variable>.svg charts of the tail.
#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <span>

#include "command.h"
#include "nabla/error.h"
#include "nabla/io/atomic_file.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/ad_series.h"
#include "nabla/models/forecast_metrics.h"
#include "nabla/models/forecast_training.h"
#include "nabla/models/forecaster.h"
#include "nabla/models/timeseries_windows.h"
#include "nabla/random.h"
#include "nabla/train/plot.h"

namespace nabla::cli {
namespace {

struct ForecastOptions {
  std::string csv;              // the user's series; empty: generate them
  int64_t campaigns = 20, days = 730;  // of generated data
  int64_t window = 56, horizon = 14, test_days = 91;
  int64_t epochs = 4, batch_size = 64;
  int64_t hidden = 64, layers = 1;
  double dropout = 0.0;
  double lr = 3e-3;
  int64_t average_days = 7;     // the moving-average baseline's window
  int64_t plots = 4;            // forecast-vs-actual charts of the first campaigns
  bool resume = false;          // continue the run in --out from its checkpoint
  std::string model_file;       // score this trained model instead of training one
};

using models::ForecastProblem;
using models::ForecastWindows;

const std::vector<std::string> kVariables = {"impressions", "clicks"};

// Forecasts of every window in ForecastProblem's layout, [N][H][K] flattened.
using Forecasts = std::vector<double>;

enum class Baseline { seasonal_naive, moving_average };

Forecasts baseline_forecasts(const models::ForecastProblem& problem, const models::ForecastWindows& windows, Baseline baseline,
                             int64_t average_days) {
  const int64_t h = problem.options().horizon, k = problem.variable_count();
  Forecasts out(static_cast<size_t>(windows.size() * h * k));
  for (int64_t i = 0; i < windows.size(); ++i) {
    const models::DailySeries& series = problem.series()[static_cast<size_t>(windows.series[static_cast<size_t>(i)])];
    for (int64_t v = 0; v < k; ++v) {
      const auto history = std::span(series.variables[static_cast<size_t>(v)])
                               .first(static_cast<size_t>(windows.origin[static_cast<size_t>(i)]));
      const std::vector<double> f = baseline == Baseline::seasonal_naive
                                        ? models::seasonal_naive_forecast(history, h, 7)
                                        : models::moving_average_forecast(history, h, average_days);
      for (int64_t t = 0; t < h; ++t) out[static_cast<size_t>((i * h + t) * k + v)] = f[static_cast<size_t>(t)];
    }
  }
  return out;
}

// Variable v's values of a [N][H][K] layout.
std::vector<double> variable_of(const Forecasts& all, int64_t v, int64_t k) {
  std::vector<double> out;
  for (size_t at = static_cast<size_t>(v); at < all.size(); at += static_cast<size_t>(k)) out.push_back(all[at]);
  return out;
}

struct Scores {
  std::string method;
  std::vector<double> mae, smape;  // per variable
};

Scores score(const std::string& method, const Forecasts& actual, const Forecasts& forecast, int64_t k) {
  Scores s{method, {}, {}};
  for (int64_t v = 0; v < k; ++v) {
    const std::vector<double> a = variable_of(actual, v, k), f = variable_of(forecast, v, k);
    s.mae.push_back(models::mean_absolute_error(a, f));
    s.smape.push_back(models::smape(a, f));
  }
  return s;
}

void print_table(const std::vector<Scores>& rows) {
  std::printf("| method | impressions MAE | impressions sMAPE %% | clicks MAE | clicks sMAPE %% |\n");
  std::printf("|---|---:|---:|---:|---:|\n");
  for (const Scores& r : rows)
    std::printf("| %s | %.1f | %.2f | %.2f | %.2f |\n", r.method.c_str(), r.mae[0], r.smape[0], r.mae[1], r.smape[1]);
  std::fflush(stdout);
}

std::string file_safe(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return out;
}

// The tail of series s forecast in consecutive H-day blocks (each from the actual history before
// it), against the truth and the last 4 weeks before the tail, one chart per variable.
void plot_tail(const models::ForecastProblem& problem, models::LstmForecaster& model, int64_t s, const std::string& campaign,
               const std::filesystem::path& dir, int64_t average_days) {
  const models::DailySeries& series = problem.series()[static_cast<size_t>(s)];
  const int64_t h = problem.options().horizon, k = problem.variable_count(), start = problem.tail_start(s);
  std::vector<std::pair<int64_t, int64_t>> blocks;
  for (int64_t o = start; o + h <= series.days(); o += h) blocks.emplace_back(s, o);
  std::vector<models::ForecastWindows> parts;
  std::vector<double> days;
  Forecasts lstm, naive, average;
  for (const auto& [series_index, origin] : blocks) {
    const models::ForecastWindows w = problem.window(series_index, origin);
    const Forecasts f = problem.unscale(models::predict_forecasts(model, w.inputs), w);
    const Forecasts n = baseline_forecasts(problem, w, Baseline::seasonal_naive, average_days);
    const Forecasts a = baseline_forecasts(problem, w, Baseline::moving_average, average_days);
    lstm.insert(lstm.end(), f.begin(), f.end());
    naive.insert(naive.end(), n.begin(), n.end());
    average.insert(average.end(), a.begin(), a.end());
    for (int64_t t = 0; t < h; ++t) days.push_back(static_cast<double>(origin + t - start));
  }
  const int64_t context = std::min<int64_t>(28, start);
  for (int64_t v = 0; v < k; ++v) {
    std::vector<double> actual_days, actual;
    for (int64_t t = start - context; t < start + static_cast<int64_t>(days.size()); ++t) {
      actual_days.push_back(static_cast<double>(t - start));
      actual.push_back(series.variables[static_cast<size_t>(v)][static_cast<size_t>(t)]);
    }
    const std::string variable = v < static_cast<int64_t>(kVariables.size()) ? kVariables[static_cast<size_t>(v)]
                                                                             : "variable " + std::to_string(v);
    train::LinePlot plot(campaign + ": " + variable + ", held-out tail in " + std::to_string(h) + "-day forecasts");
    plot.set_x_label("days since the start of the tail").set_y_label(variable);
    plot.add_series("actual", actual_days, actual, "#000000");
    plot.add_series("LSTM", days, variable_of(lstm, v, k));
    plot.add_series("seasonal naive", days, variable_of(naive, v, k), "", true);
    plot.add_series("moving average", days, variable_of(average, v, k), "", true);
    plot.save(dir / ("forecast_" + file_safe(campaign) + "_" + file_safe(variable) + ".svg"), 900, 420);
  }
}

nlohmann::json scores_json(const Scores& s) {
  nlohmann::json j;
  for (size_t v = 0; v < s.mae.size(); ++v) {
    j[kVariables[v] + "_mae"] = s.mae[v];
    j[kVariables[v] + "_smape"] = s.smape[v];
  }
  return j;
}

void add_forecast_options(CLI::App& app, ForecastOptions& o) {
  app.add_option("--csv", o.csv, "your own series: CSV with columns date,campaign,impressions,clicks (default: generate)")
      ->check(CLI::ExistingFile);
  app.add_option("--campaigns", o.campaigns, "campaigns to generate")->check(positive(o.campaigns));
  app.add_option("--days", o.days, "days to generate per campaign")->check(positive(o.days));
  app.add_option("--window", o.window, "days of history the model sees")->check(positive(o.window));
  app.add_option("--horizon", o.horizon, "days forecast at once")->check(positive(o.horizon));
  app.add_option("--test-days", o.test_days, "held-out tail of every series, scored and never trained on")
      ->check(positive(o.test_days));
  app.add_option("--epochs", o.epochs, "training epochs")->check(positive(o.epochs));
  app.add_option("--batch-size", o.batch_size, "windows per batch")->check(positive(o.batch_size));
  app.add_option("--hidden", o.hidden, "hidden width of the LSTM, the same in every layer")->check(positive(o.hidden));
  app.add_option("--layers", o.layers, "LSTM layers")->check(positive(o.layers));
  app.add_option("--dropout", o.dropout, "dropout between LSTM layers")->check(between(o.dropout, 0.0, 1.0));
  app.add_option("--lr", o.lr, "Adam's learning rate (annealed to 0 by a cosine)")->check(positive(o.lr));
  app.add_option("--average-days", o.average_days, "window of the moving-average baseline")
      ->check(positive(o.average_days));
  app.add_option("--plots", o.plots, "forecast-vs-actual charts for this many campaigns")->check(non_negative(o.plots));
  app.add_flag("--resume", o.resume, "continue the run in --out from its checkpoint");
  app.add_option("--model-file", o.model_file,
                 "score this model.safetensors of an earlier run (same data and window) instead of training")
      ->check(CLI::ExistingFile)
      ->excludes("--resume");
}

// The architecture a model file's metadata records; its window and horizon must be the run's.
struct SavedForecaster {
  int64_t hidden = 0, layers = 0;
  io::NamedTensors weights;
};

SavedForecaster load_forecaster(const std::string& path, const ForecastOptions& o) {
  io::SafetensorsFile file = io::load_safetensors(path);
  const auto model = file.metadata.find("model");
  if (model == file.metadata.end() || model->second != "LstmForecaster")
    throw IOError(path + ": not a forecaster written by `nabla forecast` (its metadata names no LstmForecaster)");
  auto field = [&](const char* key) {
    const auto it = file.metadata.find(key);
    if (it == file.metadata.end()) throw IOError(path + ": the forecaster's metadata lacks '" + key + "'");
    return std::stoll(it->second);
  };
  if (field("window") != o.window || field("horizon") != o.horizon)
    throw Error(path + ": trained with window " + std::to_string(field("window")) + " and horizon " +
                std::to_string(field("horizon")) + ", not the " + std::to_string(o.window) + " and " +
                std::to_string(o.horizon) + " asked for");
  return {field("hidden"), field("layers"), std::move(file.tensors)};
}

int run_forecast(const ForecastOptions& o, const SharedOptions& shared) {
  const std::filesystem::path dir(shared.out);
  std::filesystem::create_directories(dir);

  std::vector<models::AdSeries> ads;
  if (o.csv.empty()) {
    ads = models::generate_ad_series({.campaigns = o.campaigns, .days = o.days, .seed = shared.seed});
    models::write_ad_series_csv(dir / "ad_series.csv", ads);
  } else {
    ads = models::read_ad_series_csv(o.csv);
  }
  std::vector<models::DailySeries> daily;
  for (const auto& a : ads) {
    const int64_t needed = o.window + o.horizon + o.test_days;  // one training window and the tail
    if (a.days() < needed)
      throw ShapeError("forecast: campaign '" + a.campaign + "' has " + std::to_string(a.days()) + " days; window " +
                       std::to_string(o.window) + " + horizon " + std::to_string(o.horizon) + " + test days " +
                       std::to_string(o.test_days) + " need at least " + std::to_string(needed));
    daily.push_back(models::to_daily_series(a));
  }
  const models::ForecastProblem problem(daily, {.window = o.window, .horizon = o.horizon, .test_days = o.test_days});
  const models::ForecastWindows training = problem.training_windows(), test = problem.test_windows();
  std::printf("%zu campaigns (%s), %lld training windows, %lld test windows (last %lld days of each series)\n",
              ads.size(), o.csv.empty() ? "generated" : o.csv.c_str(), static_cast<long long>(training.size()),
              static_cast<long long>(test.size()), static_cast<long long>(o.test_days));

  std::optional<SavedForecaster> saved;
  if (!o.model_file.empty()) saved = load_forecaster(o.model_file, o);
  const int64_t hidden = saved ? saved->hidden : o.hidden, layers = saved ? saved->layers : o.layers;
  models::LstmForecaster model(problem.feature_count(), problem.variable_count(), o.horizon,
                               {.hidden_size = hidden, .num_layers = layers, .dropout = o.dropout});
  const auto started = std::chrono::steady_clock::now();
  std::vector<double> losses;
  if (saved) {
    model.load_state_dict(saved->weights);
  } else {
    losses = models::fit_forecaster(
        model, training,
        {.epochs = o.epochs, .batch_size = o.batch_size, .lr = o.lr, .seed = shared.seed, .out_dir = dir.string(),
         .resume = o.resume, .progress = shared.progress, .on_epoch = [&](int64_t epoch, double loss) {
           std::printf("epoch %lld/%lld  training loss %.4f\n", static_cast<long long>(epoch),
                       static_cast<long long>(o.epochs), loss);
           std::fflush(stdout);
         }});
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const int64_t k = problem.variable_count();
  const Forecasts actual = problem.actual(test);
  const std::vector<Scores> rows = {
      score("LSTM", actual, problem.unscale(models::predict_forecasts(model, test.inputs), test), k),
      score("seasonal naive (7 days)", actual, baseline_forecasts(problem, test, Baseline::seasonal_naive, o.average_days), k),
      score("moving average (" + std::to_string(o.average_days) + " days)", actual,
            baseline_forecasts(problem, test, Baseline::moving_average, o.average_days), k)};
  print_table(rows);

  for (int64_t s = 0; s < std::min<int64_t>(o.plots, static_cast<int64_t>(ads.size())); ++s)
    plot_tail(problem, model, s, ads[static_cast<size_t>(s)].campaign, dir, o.average_days);

  nlohmann::json scalers = nlohmann::json::array();
  for (size_t s = 0; s < ads.size(); ++s) {
    nlohmann::json per_variable = nlohmann::json::array();
    for (int64_t v = 0; v < k; ++v)
      per_variable.push_back({problem.scaler(static_cast<int64_t>(s), v).mean, problem.scaler(static_cast<int64_t>(s), v).std});
    scalers.push_back({{"campaign", ads[s].campaign}, {"log1p_mean_std", per_variable}});
  }
  io::save_safetensors((dir / "model.safetensors").string(), model.state_dict(),
                       {{"model", "LstmForecaster"},
                        {"window", std::to_string(o.window)},
                        {"horizon", std::to_string(o.horizon)},
                        {"hidden", std::to_string(hidden)},
                        {"layers", std::to_string(layers)},
                        {"features", "impressions, clicks, observed, sin/cos day of week, sin/cos day of year, holiday flags"},
                        {"scalers", scalers.dump()}});

  nlohmann::json summary = {{"command", "forecast"},
                            {"data", o.csv.empty() ? "generated" : o.csv},
                            {"campaigns", ads.size()},
                            {"window", o.window},
                            {"horizon", o.horizon},
                            {"test_days", o.test_days},
                            {"epochs", losses.size()},
                            {"final_training_loss", losses.empty() ? NAN : losses.back()},
                            {"train_seconds", seconds},
                            {"lstm", scores_json(rows[0])},
                            {"seasonal_naive", scores_json(rows[1])},
                            {"moving_average", scores_json(rows[2])}};
  io::write_file_atomic((dir / "metrics.json").string(), summary.dump(2) + "\n");
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace

Command forecast_command() {
  auto options = std::make_shared<ForecastOptions>();
  return {.name = "forecast",
          .help = "forecast daily ad impressions and clicks with an LSTM against seasonal-naive and moving-average baselines",
          .shared = {.seed = "generated data, weights, batch order",
                     .threads = true,
                     .out = OutputOption{.help = "run directory: model, metrics, charts, generated data, config.toml",
                                         .run_name = [] { return "forecast"; }},
                     .progress = true},
          .add_options = [options](CLI::App& app) { add_forecast_options(app, *options); },
          .run = [options](const SharedOptions& shared) { return run_forecast(*options, shared); },
          .check =
              [options](const SharedOptions&) {
                // The generator's options do nothing when the series come from a file.
                if (options->csv.empty()) return;
                const std::string why = "with --csv: the series come from the file, not from the generator";
                if (options->campaigns != ForecastOptions{}.campaigns) refuse_unused("--campaigns", why);
                if (options->days != ForecastOptions{}.days) refuse_unused("--days", why);
              }};
}

}  // namespace nabla::cli
