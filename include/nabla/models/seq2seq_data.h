// Toy sequence-to-sequence tasks of the course (Deep Learning from Scratch 2, chapters 7 and 8),
// generated here from a seed rather than read from its text files, and their encoding as padded
// batches of character ids.
//
//   addition   "16+75" -> "91"        operands 0..999 (up to 3 digits), as addition.txt
//   dates      "september 27, 1994", "27/09/94", "Tue 27 Sep 1994", ... -> "1994-09-27"
//
// Every date format names its fields unambiguously (day/month/year order is fixed per format, the
// two-digit years cover 1950-2049 only), so the answer is a function of the question and a model
// can reach 100%.
//
//   auto data = make_seq2seq_data("dates", 45000, 5000, /*seed=*/0);
//   CharVocabulary vocab(data.train);
//   Seq2seqBatch all = encode_seq2seq(data.train, vocab, data.source_length, data.target_length);
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::models {

struct Seq2seqExample {
  std::string source, target;
};

// ---- the tasks ---------------------------------------------------------------------------------
// `count` questions "a+b" with a, b uniform in [0, 10^max_digits) and their sums. Questions may
// repeat (make_seq2seq_data removes repeats).
std::vector<Seq2seqExample> make_addition_examples(int64_t count, uint64_t seed, int64_t max_digits = 3);

// The human-readable formats of a date, by index (see date_format_patterns()).
int64_t date_format_count();
// The pattern of each format in strftime notation, for documentation and tests: "%B %d, %Y", ...
// A lower-case or upper-case name is marked by a trailing " (lower)" / " (upper)".
const std::vector<std::string>& date_format_patterns();
// `date` written in format `format` (0 <= format < date_format_count()); throws IndexError otherwise.
std::string format_date(std::chrono::year_month_day date, int64_t format);
// ISO 8601: "1994-09-27", the answer of the dates task.
std::string iso_date(std::chrono::year_month_day date);

// `count` dates uniform in 1950-01-01 .. 2049-12-31, each in a uniformly chosen format, with their
// ISO forms as targets.
std::vector<Seq2seqExample> make_date_examples(int64_t count, uint64_t seed);

// A task's train and validation examples: distinct questions (no question is in both), and the
// fixed source and target lengths (in characters) the task's batches use.
struct Seq2seqData {
  std::vector<Seq2seqExample> train, validation;
  int64_t source_length = 0;  // the longest question the task can produce: 7 or 29
  int64_t target_length = 0;  // the longest answer + 1 for the end token: 5 or 11
};
// task: "addition" or "dates" (anything else is an Error naming the choices).
Seq2seqData make_seq2seq_data(const std::string& task, int64_t train_count = 45000,
                              int64_t validation_count = 5000, uint64_t seed = 0);

// ---- characters as ids ---------------------------------------------------------------------------
// One vocabulary for questions and answers (as the course's): three special ids, then every
// character seen, in byte order. Padding is id 0 so that the loss ignores it with ignore_index 0.
class CharVocabulary {
 public:
  static constexpr int64_t pad = 0;    // fills sequences to a common length
  static constexpr int64_t start = 1;  // the decoder's first input
  static constexpr int64_t end = 2;    // the decoder's last target: the answer is complete

  // The characters of every source and target.
  explicit CharVocabulary(const std::vector<Seq2seqExample>& examples);
  // These characters (duplicates are dropped).
  explicit CharVocabulary(const std::string& characters);

  int64_t size() const { return 3 + static_cast<int64_t>(characters_.size()); }
  // Throws Error naming the character (shown escaped when not printable) and the vocabulary.
  int64_t id(char c) const;
  // The character of a non-special id; the specials print as '_' (pad), '<' (start), '>' (end).
  char character(int64_t id) const;
  std::vector<int64_t> encode(const std::string& text) const;
  // Characters up to the first end id; pad and start ids are skipped. Throws IndexError for an id
  // outside the vocabulary.
  std::string decode(const std::vector<int64_t>& ids) const;
  const std::string& characters() const { return characters_; }

 private:
  std::string characters_;
  std::vector<int64_t> ids_;  // by byte; -1 when absent
};

// ---- batches -------------------------------------------------------------------------------------
// i64 ids [B, S] and [B, T], padded on the right with CharVocabulary::pad:
//   source          the question's characters
//   decoder_input   start, then the answer's characters       (teacher forcing)
//   decoder_target  the answer's characters, then end         (the next character at each step)
struct Seq2seqBatch {
  Tensor source, decoder_input, decoder_target;
  int64_t size() const { return source.defined() ? source.size(0) : 0; }
};

// All of `examples`, in order. Throws ShapeError naming the example when a source is longer than
// source_length or a target (with its end token) longer than target_length, and Error for a
// character outside the vocabulary.
Seq2seqBatch encode_seq2seq(const std::vector<Seq2seqExample>& examples, const CharVocabulary& vocab,
                            int64_t source_length, int64_t target_length);
// The rows of `all` at `indices` (a shuffled mini-batch).
Seq2seqBatch select_rows(const Seq2seqBatch& all, const std::vector<int64_t>& indices);

}  // namespace nabla::models
