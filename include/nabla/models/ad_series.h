// Daily advertising series: impressions and clicks per campaign, generated from a seed or read
// from the user's CSV file, and written back as CSV.
//
// The generator (generate_ad_series) builds each campaign's impressions as a product of factors,
// so each one is a visible, documented structure a forecaster can learn:
//
//   impressions(t) = level * trend(t) * weekly(dow) * yearly(t) * holiday(t) * noise(t)
//
//   level      exp(U(log 2000, log 50000)) impressions a day
//   trend      exp(g * t / 365), growth g ~ U(-0.3, 0.6) per year
//   weekly     1 + a * profile[dow], a ~ U(0.15, 0.4); profile = (+0.6, +0.7, +0.7, +0.6, +0.3,
//              -1.3, -1.6) from Monday to Sunday (means 0), negated for a "consumer" campaign
//              (half of them, by coin flip) whose audience browses at the weekend
//   yearly     1 + 0.1 * sin(2 pi doy / 365.25 + phi), phi ~ U(0, 2 pi)
//   holiday    1 + uplift of the day's holiday (ad_holidays(): New Year, Valentine's day, Black
//              Friday, Cyber Monday, Christmas Eve, Christmas day), 1 on other days
//   noise      exp(e_t), e_t = 0.5 e_{t-1} + N(0, 0.08^2): autocorrelated, as real traffic is
//
// rounded to whole impressions. Clicks come from impressions through a click-through rate with
// its own variation: ctr(t) = ctr0 * (1 + 0.15 * weekday-or-weekend sign) * exp(N(0, 0.1^2)),
// ctr0 ~ U(0.01, 0.05) per campaign, and clicks ~ Binomial(impressions, ctr(t)) drawn by its
// normal approximation (rounded, clamped to [0, impressions]). Everything is drawn from one
// Generator seeded with `seed`, campaign after campaign: the same options give the same series.
//
// The CSV format (read_ad_series_csv / write_ad_series_csv): a header naming the columns date,
// campaign, impressions, clicks (in any order; other columns are ignored), then one row per
// campaign and day. Dates are ISO 8601 (2024-03-01); each campaign's rows must be in increasing
// date order with no day missing or repeated (forecasting windows count days); impressions and
// clicks are non-negative numbers, clicks <= impressions. Campaign names contain no comma, quote
// or line break (there is no quoting).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nabla::models {

// One campaign: consecutive days from `start`.
struct AdSeries {
  std::string campaign;
  std::chrono::sys_days start{};
  std::vector<double> impressions, clicks;  // the same length: one value a day
  int64_t days() const { return static_cast<int64_t>(impressions.size()); }
  std::chrono::sys_days date(int64_t day) const { return start + std::chrono::days(day); }
};

// A holiday of the generator, with the rule that dates it in any year.
struct Holiday {
  std::string name;
  std::string rule;  // how the date is found, for documentation ("December 25")
  double uplift;     // relative change of impressions on the day: +0.8 is 80% more, -0.3 is 30% less
};
// New Year's day (Jan 1, -0.30), Valentine's day (Feb 14, +0.20), Black Friday (the day after
// Thanksgiving, the 4th Thursday of November, +0.80), Cyber Monday (the Monday after it, +0.60), Christmas Eve (Dec 24, +0.30),
// Christmas day (Dec 25, -0.40).
const std::vector<Holiday>& ad_holidays();
// The index into ad_holidays() of the holiday on `day`, or -1 on an ordinary day.
int64_t holiday_index(std::chrono::sys_days day);

struct AdSeriesOptions {
  int64_t campaigns = 20;
  int64_t days = 730;
  std::chrono::sys_days start = std::chrono::sys_days(std::chrono::year(2023) / 1 / 1);
  uint64_t seed = 0;
};
// Campaigns named "campaign_01", "campaign_02", ...; see the top of this file for the model.
// Throws Error when campaigns or days is not positive.
std::vector<AdSeries> generate_ad_series(const AdSeriesOptions& options = {});

// Reads the CSV format above. Campaigns come in the order of their first row. Throws IOError
// naming the file (and, for a bad row, its line number and column) for: a file that cannot be
// read, an empty file, a header without one of the four columns, a row with the wrong number of
// fields, an unparsable date, a non-numeric, negative or non-finite count, clicks above
// impressions, a date out of order, repeated, or after a gap in its campaign.
std::vector<AdSeries> read_ad_series_csv(const std::filesystem::path& path);
// Writes `series` in the CSV format above (atomically: a temporary file renamed into place).
// Throws Error for a campaign name that cannot be written unquoted or for series whose
// impressions and clicks differ in length, IOError when the file cannot be written.
void write_ad_series_csv(const std::filesystem::path& path, const std::vector<AdSeries>& series);

}  // namespace nabla::models
