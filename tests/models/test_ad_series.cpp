// The ad-series generator (determinism, weekly season, holidays, clicks) and its CSV format
// (round trip, and errors that name the file, line and column).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "nabla/models/ad_series.h"
#include "nabla/error.h"

namespace nabla::data {
namespace {

using namespace std::chrono;

// Autocorrelation of x at `lag`.
double autocorrelation(const std::vector<double>& x, size_t lag) {
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    den += (x[i] - mean) * (x[i] - mean);
    if (i + lag < x.size()) num += (x[i] - mean) * (x[i + lag] - mean);
  }
  return num / den;
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("nabla_test_ad_series_" + name);
}

void write_text(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

// The message of the IOError read_ad_series_csv throws for `text`.
std::string csv_error(const std::string& text) {
  const auto path = temp_file("bad.csv");
  write_text(path, text);
  try {
    models::read_ad_series_csv(path);
  } catch (const IOError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no IOError for:\n" << text;
  return "";
}

TEST(AdSeries, SameSeedSameSeriesOtherSeedOthers) {
  const auto a = models::generate_ad_series({.campaigns = 3, .days = 100, .seed = 5});
  const auto b = models::generate_ad_series({.campaigns = 3, .days = 100, .seed = 5});
  const auto c = models::generate_ad_series({.campaigns = 3, .days = 100, .seed = 6});
  ASSERT_EQ(a.size(), 3u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].impressions, b[i].impressions);
    EXPECT_EQ(a[i].clicks, b[i].clicks);
    EXPECT_NE(a[i].impressions, c[i].impressions);
  }
  EXPECT_EQ(a[0].campaign, "campaign_01");
  EXPECT_EQ(a[2].campaign, "campaign_03");
  EXPECT_EQ(a[0].start, sys_days(year(2023) / 1 / 1));
  EXPECT_EQ(a[0].days(), 100);
}

TEST(AdSeries, CountsAreWholeAndClicksAreAPlausibleShareOfImpressions) {
  for (const models::AdSeries& s : models::generate_ad_series({.campaigns = 10, .days = 365, .seed = 1})) {
    double impressions = 0, clicks = 0;
    for (int64_t t = 0; t < s.days(); ++t) {
      const double i = s.impressions[static_cast<size_t>(t)], c = s.clicks[static_cast<size_t>(t)];
      EXPECT_EQ(i, std::round(i));
      EXPECT_EQ(c, std::round(c));
      EXPECT_GE(c, 0);
      EXPECT_LE(c, i);
      impressions += i;
      clicks += c;
    }
    // ctr0 is drawn from [0.01, 0.05]; the weekly and daily variation average out near it.
    EXPECT_GT(clicks / impressions, 0.008) << s.campaign;
    EXPECT_LT(clicks / impressions, 0.06) << s.campaign;
    EXPECT_GT(impressions / static_cast<double>(s.days()), 1000) << s.campaign;
  }
}

TEST(AdSeries, WeeklyPeriodDominatesTheAutocorrelation) {
  for (const models::AdSeries& s : models::generate_ad_series({.campaigns = 8, .days = 365, .seed = 2})) {
    std::vector<double> changes;  // day-to-day changes of log impressions: the trend is gone
    for (size_t t = 1; t < s.impressions.size(); ++t)
      changes.push_back(std::log(s.impressions[t]) - std::log(s.impressions[t - 1]));
    const double weekly = autocorrelation(changes, 7);
    EXPECT_GT(weekly, 0.3) << s.campaign;
    for (size_t lag = 1; lag < 7; ++lag) EXPECT_LT(autocorrelation(changes, lag), weekly) << s.campaign << " lag " << lag;
    EXPECT_GT(autocorrelation(changes, 14), 0.3) << s.campaign;
  }
}

TEST(AdSeries, HolidaysFallOnTheirDates) {
  EXPECT_EQ(models::ad_holidays().size(), 6u);
  EXPECT_EQ(models::holiday_index(sys_days(year(2024) / 1 / 1)), 0);
  EXPECT_EQ(models::holiday_index(sys_days(year(2024) / 2 / 14)), 1);
  EXPECT_EQ(models::holiday_index(sys_days(year(2023) / 11 / 24)), 2);  // Thanksgiving 2023 was November 23
  EXPECT_EQ(models::holiday_index(sys_days(year(2024) / 11 / 29)), 2);  // ... 2024's November 28: not the 4th Friday (22nd)
  EXPECT_EQ(models::holiday_index(sys_days(year(2024) / 11 / 22)), -1);
  EXPECT_EQ(models::holiday_index(sys_days(year(2024) / 12 / 2)), 3);
  EXPECT_EQ(models::holiday_index(sys_days(year(2024) / 12 / 24)), 4);
  EXPECT_EQ(models::holiday_index(sys_days(year(2024) / 12 / 25)), 5);
  EXPECT_EQ(models::holiday_index(sys_days(year(2024) / 7 / 4)), -1);
}

TEST(AdSeries, HolidayUpliftShowsAgainstTheSameWeekdayBefore) {
  const auto all = models::generate_ad_series({.campaigns = 20, .days = 365, .seed = 3});
  // Day index of 2023's Black Friday and Christmas day; a week earlier is the same weekday.
  const auto day_of = [](sys_days d) { return static_cast<size_t>((d - sys_days(year(2023) / 1 / 1)).count()); };
  double black_friday = 0, christmas = 0;
  for (const models::AdSeries& s : all) {
    const size_t bf = day_of(sys_days(year(2023) / 11 / 24)), xmas = day_of(sys_days(year(2023) / 12 / 25));
    black_friday += std::log(s.impressions[bf] / s.impressions[bf - 7]) / static_cast<double>(all.size());
    christmas += std::log(s.impressions[xmas] / s.impressions[xmas - 7]) / static_cast<double>(all.size());
  }
  EXPECT_NEAR(black_friday, std::log(1.8), 0.1);
  EXPECT_NEAR(christmas, std::log(0.6), 0.1);
}

TEST(AdSeries, CsvRoundTripKeepsEveryValue) {
  const auto written = models::generate_ad_series({.campaigns = 3, .days = 40, .seed = 4});
  const auto path = temp_file("round_trip.csv");
  models::write_ad_series_csv(path, written);
  const auto read = models::read_ad_series_csv(path);
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].campaign, written[i].campaign);
    EXPECT_EQ(read[i].start, written[i].start);
    EXPECT_EQ(read[i].impressions, written[i].impressions);
    EXPECT_EQ(read[i].clicks, written[i].clicks);
  }
  std::filesystem::remove(path);
}

TEST(AdSeries, CsvReadsColumnsInAnyOrderAndInterleavedCampaigns) {
  const auto path = temp_file("order.csv");
  write_text(path,
             "clicks,extra,date,impressions,campaign\r\n"
             "3,x,2024-02-28,100,b\r\n"
             "1,y,2024-01-31,50,a\r\n"
             "4,z,2024-02-29,120,b\r\n"
             "0,w,2024-03-01,0,b\r\n");
  const auto read = models::read_ad_series_csv(path);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].campaign, "b");
  EXPECT_EQ(read[0].start, sys_days(year(2024) / 2 / 28));
  EXPECT_EQ(read[0].impressions, (std::vector<double>{100, 120, 0}));
  EXPECT_EQ(read[0].clicks, (std::vector<double>{3, 4, 0}));
  EXPECT_EQ(read[1].campaign, "a");
  EXPECT_EQ(read[1].days(), 1);
  std::filesystem::remove(path);
}

TEST(AdSeries, CsvErrorsNameTheFileLineAndColumn) {
  const std::string header = "date,campaign,impressions,clicks\n";
  const std::string ok = "2024-01-01,a,100,5\n";
  auto expect = [](const std::string& message, const std::vector<std::string>& parts) {
    EXPECT_NE(message.find("nabla_test_ad_series_bad.csv"), std::string::npos) << message;
    for (const auto& p : parts) EXPECT_NE(message.find(p), std::string::npos) << "'" << p << "' not in: " << message;
  };
  expect(csv_error(""), {"empty"});
  expect(csv_error("date,campaign,impressions\n" + ok), {":1:", "clicks"});
  expect(csv_error(header + ok + "2024-01-02,a,100\n"), {":3:", "expected 4 fields", "found 3"});
  expect(csv_error(header + "2024-13-01,a,100,5\n"), {":2:", "column date", "2024-13-01"});
  expect(csv_error(header + "01/02/2024,a,100,5\n"), {":2:", "column date"});
  expect(csv_error(header + ok + "2024-01-02,a,lots,5\n"), {":3:", "column impressions", "lots"});
  expect(csv_error(header + ok + "2024-01-02,a,100,-1\n"), {":3:", "column clicks", "non-negative"});
  expect(csv_error(header + ok + "2024-01-02,a,100,nan\n"), {":3:", "column clicks"});
  expect(csv_error(header + ok + "2024-01-02,a,100,101\n"), {":3:", "clicks exceed"});
  expect(csv_error(header + ok + "2024-01-02,a,100,5\n2024-01-01,a,100,5\n"), {":4:", "out of order", "line 3"});
  expect(csv_error(header + ok + "2024-01-01,a,100,5\n"), {":3:", "repeated", "line 2"});
  expect(csv_error(header + ok + "2024-01-03,a,100,5\n"), {":3:", "gap", "2024-01-02 is missing"});
  expect(csv_error(header + "2024-01-01,,100,5\n"), {":2:", "campaign"});
  expect(csv_error(header), {"no rows"});
  EXPECT_THROW(models::read_ad_series_csv(temp_file("does_not_exist.csv")), IOError);
}

TEST(AdSeries, WriterAndGeneratorRefuseWhatTheyCannotDo) {
  models::AdSeries bad{"a,b", sys_days(year(2024) / 1 / 1), {1}, {0}};
  EXPECT_THROW(models::write_ad_series_csv(temp_file("refused.csv"), {bad}), Error);
  bad.campaign = "ok";
  bad.clicks.push_back(1);
  EXPECT_THROW(models::write_ad_series_csv(temp_file("refused.csv"), {bad}), Error);
  EXPECT_THROW(models::generate_ad_series({.campaigns = 0}), Error);
  EXPECT_THROW(models::generate_ad_series({.days = -1}), Error);
}

}  // namespace
}  // namespace nabla::data
