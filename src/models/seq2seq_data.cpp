#include "nabla/models/seq2seq_data.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_set>

#include "nabla/ops.h"
#include "nabla/random.h"

namespace nabla::models {
namespace {

using namespace std::chrono;

enum class Case { as_is, lower, upper };

struct DateFormat {
  const char* pattern;  // strftime directives: %A %a %B %b %d %-d %m %y %Y
  Case letter_case;
};

// Each format fixes the order of day, month and year, and the two-digit year of "%y" is read
// within 1950-2049 (the generated range), so no question has two answers.
constexpr DateFormat kDateFormats[] = {
    {"%B %-d, %Y", Case::lower},      // september 27, 1994 (the course's commonest form)
    {"%B %-d, %Y", Case::as_is},      // September 27, 1994
    {"%B %-d, %Y", Case::upper},      // SEPTEMBER 27, 1994
    {"%b %-d, %Y", Case::as_is},      // Sep 27, 1994
    {"%b %-d, %Y", Case::lower},      // sep 27, 1994
    {"%-d %B %Y", Case::as_is},       // 27 September 1994
    {"%d/%m/%y", Case::as_is},        // 27/09/94
    {"%d.%m.%Y", Case::as_is},        // 27.09.1994
    {"%a %d %b %Y", Case::as_is},     // Tue 27 Sep 1994
    {"%A, %B %-d, %Y", Case::as_is},  // Tuesday, September 27, 1994
    {"%A, %B %-d, %Y", Case::upper},  // TUESDAY, SEPTEMBER 27, 1994
    {"%d-%b-%Y", Case::as_is},        // 27-Sep-1994
};

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kWeekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};  // C's tm_wday order

constexpr int kFirstYear = 1950, kLastYear = 2049;

std::string two_digits(unsigned value) {
  char buffer[4];
  std::snprintf(buffer, sizeof buffer, "%02u", value % 100);
  return buffer;
}

std::string apply_case(std::string text, Case letter_case) {
  if (letter_case == Case::as_is) return text;
  for (char& ch : text)
    ch = static_cast<char>(letter_case == Case::lower ? std::tolower(static_cast<unsigned char>(ch))
                                                      : std::toupper(static_cast<unsigned char>(ch)));
  return text;
}

// The longest text any format gives: every weekday with the longest month name and a two-digit
// day. Tasks use it as their fixed source length.
int64_t longest_date_text() {
  int64_t longest = 0;
  for (unsigned day = 20; day < 27; ++day)  // seven consecutive days: every weekday once
    for (int64_t f = 0; f < date_format_count(); ++f)
      longest = std::max<int64_t>(longest, format_date(year{2000} / September / day, f).size());
  return longest;
}

std::vector<Seq2seqExample> distinct(std::vector<Seq2seqExample> examples, int64_t wanted) {
  std::unordered_set<std::string> seen;
  std::vector<Seq2seqExample> out;
  out.reserve(static_cast<size_t>(wanted));
  for (Seq2seqExample& e : examples) {
    if (static_cast<int64_t>(out.size()) == wanted) break;
    if (seen.insert(e.source).second) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

// ---- the tasks ---------------------------------------------------------------------------------

std::vector<Seq2seqExample> make_addition_examples(int64_t count, uint64_t seed, int64_t max_digits) {
  if (count < 0 || max_digits < 1 || max_digits > 9)
    throw Error("make_addition_examples: count " + std::to_string(count) + " and max_digits " +
                std::to_string(max_digits) + " should be >= 0 and in 1..9");
  uint64_t limit = 1;
  for (int64_t i = 0; i < max_digits; ++i) limit *= 10;
  Generator generator(seed);
  std::vector<Seq2seqExample> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const uint64_t a = generator.below(limit), b = generator.below(limit);
    out.push_back({std::to_string(a) + "+" + std::to_string(b), std::to_string(a + b)});
  }
  return out;
}

int64_t date_format_count() { return static_cast<int64_t>(std::size(kDateFormats)); }

const std::vector<std::string>& date_format_patterns() {
  static const std::vector<std::string> patterns = [] {
    std::vector<std::string> out;
    for (const DateFormat& f : kDateFormats)
      out.push_back(std::string(f.pattern) + (f.letter_case == Case::lower   ? " (lower)"
                                              : f.letter_case == Case::upper ? " (upper)"
                                                                             : ""));
    return out;
  }();
  return patterns;
}

std::string format_date(year_month_day date, int64_t format) {
  if (format < 0 || format >= date_format_count())
    throw IndexError("format_date: format " + std::to_string(format) + " is not in 0.." +
                     std::to_string(date_format_count() - 1));
  if (!date.ok()) throw Error("format_date: not a valid date");
  const unsigned d = static_cast<unsigned>(date.day()), m = static_cast<unsigned>(date.month());
  const int y = static_cast<int>(date.year());
  const std::string month = kMonths[m - 1];
  const std::string weekday_name = kWeekdays[weekday(sys_days(date)).c_encoding()];
  std::string out;
  for (const char* p = kDateFormats[format].pattern; *p; ++p) {
    if (*p != '%') {
      out += *p;
      continue;
    }
    switch (*++p) {
      case 'A': out += weekday_name; break;
      case 'a': out += weekday_name.substr(0, 3); break;
      case 'B': out += month; break;
      case 'b': out += month.substr(0, 3); break;
      case 'd': out += two_digits(d); break;
      case 'm': out += two_digits(m); break;
      case 'y': out += two_digits(static_cast<unsigned>(y)); break;
      case 'Y': out += std::to_string(y); break;
      case '-': ++p, out += std::to_string(d); break;  // "%-d" is the only unpadded field
    }
  }
  return apply_case(out, kDateFormats[format].letter_case);
}

std::string iso_date(year_month_day date) {
  return std::to_string(static_cast<int>(date.year())) + "-" +
         two_digits(static_cast<unsigned>(date.month())) + "-" + two_digits(static_cast<unsigned>(date.day()));
}

std::vector<Seq2seqExample> make_date_examples(int64_t count, uint64_t seed) {
  if (count < 0) throw Error("make_date_examples: count " + std::to_string(count) + " is negative");
  const sys_days first = year{kFirstYear} / January / 1, last = year{kLastYear} / December / 31;
  const uint64_t days = static_cast<uint64_t>((last - first).count()) + 1;
  Generator generator(seed);
  std::vector<Seq2seqExample> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const year_month_day date{first + std::chrono::days(generator.below(days))};
    const auto format = static_cast<int64_t>(generator.below(static_cast<uint64_t>(date_format_count())));
    out.push_back({format_date(date, format), iso_date(date)});
  }
  return out;
}

Seq2seqData make_seq2seq_data(const std::string& task, int64_t train_count, int64_t validation_count,
                              uint64_t seed) {
  if (train_count < 0 || validation_count < 0)
    throw Error("make_seq2seq_data: negative example counts " + std::to_string(train_count) + ", " +
                std::to_string(validation_count));
  const int64_t wanted = train_count + validation_count;
  // Twice as many draws as needed leaves plenty after repeats are dropped (addition has 10^6
  // questions, dates 36,525 x 12), and the draws are the same for every count below that.
  Seq2seqData data;
  std::vector<Seq2seqExample> all;
  if (task == "addition") {
    all = distinct(make_addition_examples(2 * wanted, seed), wanted);
    data.source_length = 7;  // "999+999"
    data.target_length = 5;  // "1998" and the end token
  } else if (task == "dates") {
    all = distinct(make_date_examples(2 * wanted, seed), wanted);
    data.source_length = longest_date_text();
    data.target_length = 11;  // "1994-09-27" and the end token
  } else {
    throw Error("make_seq2seq_data: unknown task '" + task + "' (addition, dates)");
  }
  if (static_cast<int64_t>(all.size()) < wanted)
    throw Error("make_seq2seq_data: only " + std::to_string(all.size()) + " distinct " + task +
                " questions in " + std::to_string(2 * wanted) + " draws, " + std::to_string(wanted) + " wanted");
  data.validation.assign(all.begin() + train_count, all.end());
  all.resize(static_cast<size_t>(train_count));
  data.train = std::move(all);
  return data;
}

// ---- characters as ids ---------------------------------------------------------------------------

CharVocabulary::CharVocabulary(const std::string& characters) : ids_(256, -1) {
  std::string sorted = characters;
  std::sort(sorted.begin(), sorted.end(),
            [](char a, char b) { return static_cast<unsigned char>(a) < static_cast<unsigned char>(b); });
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  characters_ = sorted;
  for (size_t i = 0; i < characters_.size(); ++i)
    ids_[static_cast<unsigned char>(characters_[i])] = 3 + static_cast<int64_t>(i);
}

CharVocabulary::CharVocabulary(const std::vector<Seq2seqExample>& examples)
    : CharVocabulary([&] {
        std::string all;
        for (const Seq2seqExample& e : examples) all += e.source + e.target;
        return all;
      }()) {}

int64_t CharVocabulary::id(char c) const {
  const int64_t i = ids_[static_cast<unsigned char>(c)];
  if (i < 0) {
    char shown[8];
    std::snprintf(shown, sizeof shown, std::isprint(static_cast<unsigned char>(c)) ? "'%c'" : "\\x%02x",
                  std::isprint(static_cast<unsigned char>(c)) ? c : static_cast<unsigned char>(c));
    throw Error("CharVocabulary: unknown character " + std::string(shown) + " (the vocabulary has \"" +
                characters_ + "\")");
  }
  return i;
}

char CharVocabulary::character(int64_t id) const {
  if (id < 0 || id >= size())
    throw IndexError("CharVocabulary: id " + std::to_string(id) + " is not in 0.." + std::to_string(size() - 1));
  if (id == pad) return '_';
  if (id == start) return '<';
  if (id == end) return '>';
  return characters_[static_cast<size_t>(id - 3)];
}

std::vector<int64_t> CharVocabulary::encode(const std::string& text) const {
  std::vector<int64_t> out;
  out.reserve(text.size());
  for (char c : text) out.push_back(id(c));
  return out;
}

std::string CharVocabulary::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t i : ids) {
    const char c = character(i);  // checks the range
    if (i == end) break;
    if (i != pad && i != start) out += c;
  }
  return out;
}

// ---- batches -------------------------------------------------------------------------------------

Seq2seqBatch encode_seq2seq(const std::vector<Seq2seqExample>& examples, const CharVocabulary& vocab,
                            int64_t source_length, int64_t target_length) {
  const auto n = static_cast<int64_t>(examples.size());
  if (source_length < 1 || target_length < 1)
    throw ShapeError("encode_seq2seq: lengths " + std::to_string(source_length) + " and " +
                     std::to_string(target_length) + " should be positive");
  std::vector<int64_t> source(static_cast<size_t>(n * source_length), CharVocabulary::pad);
  std::vector<int64_t> input(static_cast<size_t>(n * target_length), CharVocabulary::pad);
  std::vector<int64_t> target(static_cast<size_t>(n * target_length), CharVocabulary::pad);
  for (int64_t i = 0; i < n; ++i) {
    const Seq2seqExample& e = examples[static_cast<size_t>(i)];
    if (static_cast<int64_t>(e.source.size()) > source_length)
      throw ShapeError("encode_seq2seq: example " + std::to_string(i) + " \"" + e.source + "\" has " +
                       std::to_string(e.source.size()) + " characters, more than the source length " +
                       std::to_string(source_length));
    if (static_cast<int64_t>(e.target.size()) + 1 > target_length)
      throw ShapeError("encode_seq2seq: example " + std::to_string(i) + " answer \"" + e.target + "\" has " +
                       std::to_string(e.target.size()) + " characters, more than the target length " +
                       std::to_string(target_length) + " less one for the end token");
    const std::vector<int64_t> s = vocab.encode(e.source), t = vocab.encode(e.target);
    std::copy(s.begin(), s.end(), source.begin() + i * source_length);
    int64_t* in = input.data() + i * target_length;
    int64_t* out = target.data() + i * target_length;
    in[0] = CharVocabulary::start;
    for (size_t k = 0; k < t.size(); ++k) {
      out[k] = t[k];
      if (static_cast<int64_t>(k) + 1 < target_length) in[k + 1] = t[k];
    }
    out[t.size()] = CharVocabulary::end;
  }
  return {from_vector(source, {n, source_length}), from_vector(input, {n, target_length}),
          from_vector(target, {n, target_length})};
}

Seq2seqBatch select_rows(const Seq2seqBatch& all, const std::vector<int64_t>& indices) {
  const Tensor index = from_vector(indices, {static_cast<int64_t>(indices.size())});
  return {index_select(all.source, 0, index), index_select(all.decoder_input, 0, index),
          index_select(all.decoder_target, 0, index)};
}

}  // namespace nabla::models
