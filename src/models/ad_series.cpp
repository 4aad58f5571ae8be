// The ad-series generator and its CSV format; the model is documented in ad_series.h.
#include "nabla/models/ad_series.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <sstream>

#include "nabla/error.h"
#include "nabla/io/atomic_file.h"
#include "nabla/random.h"

namespace nabla::models {
namespace {

using std::chrono::sys_days;
using std::chrono::year_month_day;

const std::vector<Holiday> kHolidays = {
    {"New Year's day", "January 1", -0.30},   {"Valentine's day", "February 14", 0.20},
    {"Black Friday", "the day after the 4th Thursday of November", 0.80}, {"Cyber Monday", "the Monday after Black Friday", 0.60},
    {"Christmas Eve", "December 24", 0.30},   {"Christmas day", "December 25", -0.40},
};

// Monday .. Sunday, mean 0: office hours ("business") traffic. Negated for consumer campaigns.
constexpr std::array<double, 7> kWeeklyProfile = {0.6, 0.7, 0.7, 0.6, 0.3, -1.3, -1.6};

// 0 = Monday .. 6 = Sunday.
int64_t monday_based_weekday(sys_days day) {
  return static_cast<int64_t>(std::chrono::weekday(day).iso_encoding()) - 1;
}

double uniform(Generator& g, double low, double high) { return low + (high - low) * g.uniform(); }

std::string format_date(sys_days day) {
  const year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

AdSeries generate_campaign(Generator& g, const AdSeriesOptions& options, int64_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "campaign_%02lld", static_cast<long long>(index + 1));
  AdSeries s{name, options.start, {}, {}};
  const double level = std::exp(uniform(g, std::log(2000.0), std::log(50000.0)));
  const double growth = uniform(g, -0.3, 0.6);
  const double weekly_amplitude = uniform(g, 0.15, 0.4) * (g.uniform() < 0.5 ? 1.0 : -1.0);
  const double yearly_phase = uniform(g, 0, 2 * std::numbers::pi);
  const double base_ctr = uniform(g, 0.01, 0.05);
  double noise = 0;
  for (int64_t t = 0; t < options.days; ++t) {
    const sys_days day = s.date(t);
    const int64_t dow = monday_based_weekday(day);
    const double day_of_year = static_cast<double>((day - sys_days(year_month_day(day).year() / 1 / 1)).count());
    const int64_t holiday = holiday_index(day);
    noise = 0.5 * noise + 0.08 * g.normal();
    const double expected = level * std::exp(growth * static_cast<double>(t) / 365.0) *
                            (1 + weekly_amplitude * kWeeklyProfile[static_cast<size_t>(dow)]) *
                            (1 + 0.1 * std::sin(2 * std::numbers::pi * day_of_year / 365.25 + yearly_phase)) *
                            (holiday < 0 ? 1.0 : 1 + kHolidays[static_cast<size_t>(holiday)].uplift) * std::exp(noise);
    const double impressions = std::max(0.0, std::round(expected));
    const double weekend = dow >= 5 ? 1.0 : -1.0;
    const double ctr = std::clamp(base_ctr * (1 + 0.15 * weekend) * std::exp(0.1 * g.normal()), 0.0, 1.0);
    const double mean = impressions * ctr, sd = std::sqrt(impressions * ctr * (1 - ctr));
    const double clicks = std::clamp(std::round(mean + sd * g.normal()), 0.0, impressions);
    s.impressions.push_back(impressions);
    s.clicks.push_back(clicks);
  }
  return s;
}

// ---- CSV -------------------------------------------------------------------------------------

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

[[noreturn]] void bad_row(const std::filesystem::path& path, int64_t line, const std::string& what) {
  throw IOError("read_ad_series_csv: " + path.string() + ":" + std::to_string(line) + ": " + what);
}

sys_days parse_date(const std::string& text, const std::filesystem::path& path, int64_t line) {
  int y = 0;
  unsigned m = 0, d = 0;
  char dash1 = 0, dash2 = 0;
  std::istringstream in(text);
  in >> y >> dash1 >> m >> dash2 >> d;
  const year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (in.fail() || !in.eof() || dash1 != '-' || dash2 != '-' || text.size() != 10 || !ymd.ok())
    bad_row(path, line, "column date: '" + text + "' is not a date YYYY-MM-DD");
  return sys_days(ymd);
}

double parse_count(const std::string& text, const char* column, const std::filesystem::path& path, int64_t line) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size())
    bad_row(path, line, std::string("column ") + column + ": '" + text + "' is not a number");
  if (!std::isfinite(value) || value < 0)
    bad_row(path, line, std::string("column ") + column + ": " + text + " is not a non-negative finite count");
  return value;
}

}  // namespace

const std::vector<Holiday>& ad_holidays() { return kHolidays; }

int64_t holiday_index(sys_days day) {
  using namespace std::chrono;
  const year_month_day ymd(day);
  const unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  if (m == 1 && d == 1) return 0;
  if (m == 2 && d == 14) return 1;
  if (m == 12 && d == 24) return 4;
  if (m == 12 && d == 25) return 5;
  const sys_days black_friday = sys_days(ymd.year() / November / Thursday[4]) + days(1);  // after Thanksgiving
  if (day == black_friday) return 2;
  if (day == black_friday + days(3)) return 3;
  return -1;
}

std::vector<AdSeries> generate_ad_series(const AdSeriesOptions& options) {
  if (options.campaigns <= 0 || options.days <= 0)
    throw Error("generate_ad_series: campaigns (" + std::to_string(options.campaigns) + ") and days (" +
                std::to_string(options.days) + ") must be positive");
  Generator g(options.seed);
  std::vector<AdSeries> all;
  for (int64_t c = 0; c < options.campaigns; ++c) all.push_back(generate_campaign(g, options, c));
  return all;
}

std::vector<AdSeries> read_ad_series_csv(const std::filesystem::path& path) {
  std::istringstream in(io::read_file(path.string()));
  std::string line;
  if (!std::getline(in, line)) throw IOError("read_ad_series_csv: " + path.string() + " is empty (no header)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::vector<std::string> header = split_fields(line);
  const std::array<std::string, 4> wanted = {"date", "campaign", "impressions", "clicks"};
  std::array<size_t, 4> column{};
  for (size_t w = 0; w < wanted.size(); ++w) {
    auto it = std::find_if(header.begin(), header.end(), [&](const std::string& h) { return trim(h) == wanted[w]; });
    if (it == header.end())
      throw IOError("read_ad_series_csv: " + path.string() + ":1: the header has no column '" + wanted[w] +
                    "' (it needs date, campaign, impressions, clicks; it has '" + line + "')");
    column[w] = static_cast<size_t>(it - header.begin());
  }

  std::vector<AdSeries> series;
  std::map<std::string, size_t> index;        // campaign -> position in `series`
  std::map<std::string, int64_t> last_line;  // campaign -> line of its latest row
  int64_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    const std::vector<std::string> fields = split_fields(line);
    if (fields.size() != header.size())
      bad_row(path, number, "expected " + std::to_string(header.size()) + " fields as in the header, found " +
                                std::to_string(fields.size()));
    const sys_days day = parse_date(trim(fields[column[0]]), path, number);
    const std::string campaign = trim(fields[column[1]]);
    if (campaign.empty()) bad_row(path, number, "column campaign is empty");
    const double impressions = parse_count(trim(fields[column[2]]), "impressions", path, number);
    const double clicks = parse_count(trim(fields[column[3]]), "clicks", path, number);
    if (clicks > impressions)
      bad_row(path, number, "column clicks: " + trim(fields[column[3]]) + " clicks exceed " +
                                trim(fields[column[2]]) + " impressions");

    auto [it, inserted] = index.try_emplace(campaign, series.size());
    if (inserted) {
      series.push_back(AdSeries{campaign, day, {}, {}});
    } else {
      AdSeries& s = series[it->second];
      const sys_days expected = s.date(s.days());
      const std::string what = "column date: " + format_date(day) + " of campaign '" + campaign + "' ";
      const std::string previous = " (previous row: line " + std::to_string(last_line[campaign]) + ", " +
                                   format_date(expected - std::chrono::days(1)) + ")";
      if (day < expected - std::chrono::days(1)) bad_row(path, number, what + "is out of order" + previous);
      if (day == expected - std::chrono::days(1)) bad_row(path, number, what + "is repeated" + previous);
      if (day > expected)
        bad_row(path, number, what + "leaves a gap: " + format_date(expected) + " is missing" + previous);
    }
    last_line[campaign] = number;
    AdSeries& s = series[index[campaign]];
    s.impressions.push_back(impressions);
    s.clicks.push_back(clicks);
  }
  if (series.empty()) throw IOError("read_ad_series_csv: " + path.string() + " has a header but no rows");
  return series;
}

void write_ad_series_csv(const std::filesystem::path& path, const std::vector<AdSeries>& series) {
  std::ostringstream out;
  out.precision(17);
  out << "date,campaign,impressions,clicks\n";
  for (const AdSeries& s : series) {
    if (s.campaign.empty() || s.campaign.find_first_of(",\"\r\n") != std::string::npos || trim(s.campaign) != s.campaign)
      throw Error("write_ad_series_csv: campaign name '" + s.campaign +
                  "' cannot be written (empty, or with a comma, quote, line break or surrounding space)");
    if (s.impressions.size() != s.clicks.size())
      throw Error("write_ad_series_csv: campaign '" + s.campaign + "' has " + std::to_string(s.impressions.size()) +
                  " impressions but " + std::to_string(s.clicks.size()) + " clicks");
    for (int64_t t = 0; t < s.days(); ++t)
      out << format_date(s.date(t)) << ',' << s.campaign << ',' << s.impressions[static_cast<size_t>(t)] << ','
          << s.clicks[static_cast<size_t>(t)] << '\n';
  }
  std::error_code ignored;  // a directory that cannot be made is reported by the write below
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ignored);
  io::write_file_atomic(path.string(), out.str());
}

}  // namespace nabla::models
