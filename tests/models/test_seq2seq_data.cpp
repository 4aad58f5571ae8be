// The seq2seq tasks: same seed, same questions; addition answers are sums; every date format reads
// back (with an independent parser) as the date it was written from; splits are disjoint; the
// vocabulary round-trips and names unknown characters; batches are padded as documented.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "nabla/models/seq2seq_data.h"
#include "nabla/error.h"

namespace nabla::data {
namespace {

using namespace std::chrono;

TEST(Seq2seqData, AdditionIsSeededAndRight) {
  const auto a = models::make_addition_examples(2000, 7), b = models::make_addition_examples(2000, 7), c = models::make_addition_examples(2000, 8);
  int64_t same_as_other_seed = 0, three_digit = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].source, b[i].source);
    same_as_other_seed += a[i].source == c[i].source;
    long x = 0, y = 0;
    char plus = 0;
    std::istringstream in(a[i].source);
    in >> x >> plus >> y;
    ASSERT_EQ(plus, '+') << a[i].source;
    EXPECT_TRUE(x >= 0 && x <= 999 && y >= 0 && y <= 999) << a[i].source;
    three_digit += x >= 100;
    EXPECT_EQ(a[i].target, std::to_string(x + y)) << a[i].source;
    EXPECT_LE(a[i].source.size(), 7u);
  }
  EXPECT_LT(same_as_other_seed, 10);
  EXPECT_GT(three_digit, 1500);  // 90% of operands have three digits
}

// An independent reader of the generated formats: month and weekday names in any case, fields in
// the order the pattern gives them, two-digit years in 1950-2049.
year_month_day parse_date(const std::string& text, const std::string& pattern) {
  static const char* months[] = {"january", "february", "march",     "april",   "may",      "june",
                                 "july",    "august",   "september", "october", "november", "december"};
  static const char* weekdays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t pos = 0;
  int d = 0, m = 0, y = 0, wday = -1;
  auto number = [&](size_t max_digits) {
    int v = 0;
    size_t n = 0;
    while (n < max_digits && pos < lower.size() && std::isdigit(static_cast<unsigned char>(lower[pos])))
      v = v * 10 + (lower[pos++] - '0'), ++n;
    if (n == 0) throw std::runtime_error("no number at " + std::to_string(pos) + " of " + text);
    return v;
  };
  auto name = [&](const char* const* names, int count, bool abbreviated) {
    for (int i = 0; i < count; ++i) {
      const std::string full = names[i], want = abbreviated ? full.substr(0, 3) : full;
      if (lower.compare(pos, want.size(), want) == 0) {
        pos += want.size();
        return i;
      }
    }
    throw std::runtime_error("no name at " + std::to_string(pos) + " of " + text);
  };
  for (size_t p = 0; p < pattern.size(); ++p) {
    if (pattern.compare(p, 2, " (") == 0) break;  // the case marker ends the pattern
    if (pattern[p] != '%') {
      if (pos >= lower.size() || lower[pos] != pattern[p]) throw std::runtime_error("literal mismatch in " + text);
      ++pos;
      continue;
    }
    switch (pattern[++p]) {
      case 'A': wday = name(weekdays, 7, false); break;
      case 'a': wday = name(weekdays, 7, true); break;
      case 'B': m = name(months, 12, false) + 1; break;
      case 'b': m = name(months, 12, true) + 1; break;
      case 'd': d = number(2); break;
      case 'm': m = number(2); break;
      case 'y': y = number(2), y += y < 50 ? 2000 : 1900; break;
      case 'Y': y = number(4); break;
      case '-': ++p, d = number(2); break;
    }
  }
  if (pos != lower.size()) throw std::runtime_error("trailing text in " + text);
  const year_month_day date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (wday >= 0 && weekday(sys_days(date)).c_encoding() != static_cast<unsigned>(wday))
    throw std::runtime_error("wrong weekday in " + text);
  return date;
}

TEST(Seq2seqData, EveryDateFormatReadsBackAsItsDate) {
  ASSERT_EQ(static_cast<int64_t>(models::date_format_patterns().size()), models::date_format_count());
  EXPECT_GE(models::date_format_count(), 10);
  const year_month_day samples[] = {1994y / September / 27, 1950y / January / 1, 2049y / December / 31,
                                    2000y / February / 29, 2013y / May / 5};
  for (const year_month_day& date : samples)
    for (int64_t f = 0; f < models::date_format_count(); ++f) {
      const std::string text = models::format_date(date, f);
      EXPECT_EQ(parse_date(text, models::date_format_patterns()[f]), date) << text << " as " << models::date_format_patterns()[f];
    }
  EXPECT_EQ(models::format_date(1994y / September / 27, 0), "september 27, 1994");
  EXPECT_EQ(models::format_date(1994y / September / 27, 6), "27/09/94");
  EXPECT_EQ(models::format_date(1994y / September / 27, 8), "Tue 27 Sep 1994");
  EXPECT_EQ(models::iso_date(1994y / September / 27), "1994-09-27");
  EXPECT_THROW(models::format_date(1994y / September / 27, models::date_format_count()), IndexError);

  // Generated examples: each question reads back, in some format, as its answer.
  for (const models::Seq2seqExample& e : models::make_date_examples(300, 3)) {
    bool read_back = false;
    for (const std::string& pattern : models::date_format_patterns()) {
      try {
        read_back = read_back || models::iso_date(parse_date(e.source, pattern)) == e.target;
      } catch (const std::exception&) {
      }
    }
    EXPECT_TRUE(read_back) << e.source << " -> " << e.target;
  }
}

TEST(Seq2seqData, SplitsAreDistinctDisjointAndFitTheirLengths) {
  for (const std::string task : {"addition", "dates"}) {
    const models::Seq2seqData data = models::make_seq2seq_data(task, 900, 100, 0);
    ASSERT_EQ(data.train.size(), 900u);
    ASSERT_EQ(data.validation.size(), 100u);
    std::set<std::string> sources;
    for (const auto* split : {&data.train, &data.validation})
      for (const models::Seq2seqExample& e : *split) {
        EXPECT_TRUE(sources.insert(e.source).second) << task << ": " << e.source << " twice";
        EXPECT_LE(static_cast<int64_t>(e.source.size()), data.source_length);
        EXPECT_LT(static_cast<int64_t>(e.target.size()), data.target_length);
      }
    // The same seed gives the same data; the first examples do not depend on the counts.
    const models::Seq2seqData again = models::make_seq2seq_data(task, 500, 10, 0);
    EXPECT_EQ(again.train[123].source, data.train[123].source);
  }
  EXPECT_EQ(models::make_seq2seq_data("addition", 1, 1).source_length, 7);
  EXPECT_EQ(models::make_seq2seq_data("dates", 1, 1).source_length, 29);  // "wednesday, september 27, 1994"
  EXPECT_EQ(models::make_seq2seq_data("dates", 1, 1).target_length, 11);
  EXPECT_THROW(models::make_seq2seq_data("poetry", 1, 1), Error);
}

TEST(Seq2seqData, VocabularyRoundTripsAndNamesUnknownCharacters) {
  const models::CharVocabulary vocab(std::string("9+10"));
  EXPECT_EQ(vocab.size(), 3 + 4);
  EXPECT_EQ(vocab.characters(), "+019");  // byte order after the three special ids
  EXPECT_EQ(vocab.id('+'), 3);
  EXPECT_EQ(vocab.encode("19"), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(vocab.decode({models::CharVocabulary::start, 4, 6, models::CharVocabulary::end, 5}), "09");  // stops at the end id
  EXPECT_EQ(vocab.decode({6, models::CharVocabulary::pad, 4}), "90");
  try {
    vocab.encode("12");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown character '2'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(vocab.decode({99}), IndexError);
}

TEST(Seq2seqData, BatchesArePaddedWithTheStartAndEndTokens) {
  const std::vector<models::Seq2seqExample> examples = {{"1+2", "3"}, {"10+20", "30"}};
  const models::CharVocabulary vocab(examples);  // + 0 1 2 3 -> 3 4 5 6 7 8
  const models::Seq2seqBatch batch = encode_seq2seq(examples, vocab, 7, 4);
  EXPECT_EQ(batch.size(), 2);
  EXPECT_EQ(batch.source.to_vector<int64_t>(), (std::vector<int64_t>{5, 3, 6, 0, 0, 0, 0, 5, 4, 3, 6, 4, 0, 0}));
  EXPECT_EQ(batch.decoder_input.to_vector<int64_t>(), (std::vector<int64_t>{1, 7, 0, 0, 1, 7, 4, 0}));
  EXPECT_EQ(batch.decoder_target.to_vector<int64_t>(), (std::vector<int64_t>{7, 2, 0, 0, 7, 4, 2, 0}));
  const models::Seq2seqBatch second = select_rows(batch, {1});
  EXPECT_EQ(second.decoder_target.to_vector<int64_t>(), (std::vector<int64_t>{7, 4, 2, 0}));

  EXPECT_THROW(encode_seq2seq(examples, vocab, 4, 4), ShapeError);  // "10+20" is 5 characters
  EXPECT_THROW(encode_seq2seq(examples, vocab, 7, 2), ShapeError);  // "30" and the end token are 3
  EXPECT_THROW(encode_seq2seq({{"1+4", "5"}}, vocab, 7, 4), Error);
}

}  // namespace
}  // namespace nabla::data
