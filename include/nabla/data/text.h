// Text as token ids: a tokenizer, a vocabulary, Mikolov's subsampling of frequent words, a real
// English corpus (the glosses of WordNet, Debian's `wordnet-base`), a deterministic train /
// validation split, and a continuous token stream cut into [N, T] windows for language models.
//
//   auto glosses = load_wordnet_glosses();                       // 117k definitions + examples
//   auto split = split_documents(glosses, 0.05, /*seed=*/0);
//   auto vocab = Vocabulary::from_counts(count_tokens(split.train), {.min_count = 5});
//   std::vector<int64_t> ids = vocab.encode(tokenize(split.train[0]));
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::data {

// ---- tokens ------------------------------------------------------------------------------------
// word: lower-cased runs of letters and digits (an apostrophe or hyphen between two of them stays
// inside the word: "don't", "well-known"); every other non-space character is a token of its own
// ("(", ";", "\""). character: every byte is a token, spaces included, case kept.
enum class TokenizerMode { word, character };
std::vector<std::string> tokenize(std::string_view text, TokenizerMode mode = TokenizerMode::word);

// How often each token occurs in the tokenized documents.
using TokenCounts = std::map<std::string, int64_t>;
TokenCounts count_tokens(const std::vector<std::string>& documents,
                         TokenizerMode mode = TokenizerMode::word);

// ---- vocabulary --------------------------------------------------------------------------------
struct VocabularyOptions {
  int64_t min_count = 1;              // rarer tokens are not in the vocabulary: they encode as <unk>
  int64_t max_size = 0;               // keep at most this many ids (specials included); 0 = no limit
  std::string unknown = "<unk>";      // id 0
  std::vector<std::string> specials = {};  // ids 1, 2, ... in this order (e.g. "<eos>", "<pad>")
};

// Ids: <unk> is 0, the specials follow, then the tokens from the most to the least frequent (ties
// in byte order), so the order does not depend on how the counts were gathered. Each id keeps its
// count; <unk> counts the occurrences of every token left out, the specials count 0 until
// add_count says otherwise.
class Vocabulary {
 public:
  // Throws Error for min_count < 1, a special equal to <unk> or repeated, or a negative max_size.
  static Vocabulary from_counts(const TokenCounts& counts, const VocabularyOptions& options = {});
  // Tokens and counts by id, as tokens() and counts() return them (used by load()).
  Vocabulary(std::vector<std::string> tokens, std::vector<int64_t> counts);

  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  static constexpr int64_t unknown_id = 0;
  bool contains(const std::string& token) const { return ids_.count(token) != 0; }
  // The id of a token; unknown_id for a token not in the vocabulary.
  int64_t id(const std::string& token) const;
  // Throws IndexError naming the id and the size for an id outside [0, size()).
  const std::string& token(int64_t id) const;
  int64_t count(int64_t id) const;
  void add_count(int64_t id, int64_t n);  // e.g. one <eos> per document
  const std::vector<std::string>& tokens() const { return tokens_; }
  const std::vector<int64_t>& counts() const { return counts_; }
  int64_t total_count() const;

  std::vector<int64_t> encode(const std::vector<std::string>& tokens) const;
  std::vector<std::string> decode(const std::vector<int64_t>& ids) const;
  // The tokens of `ids` joined by `separator` (" " for words, "" for characters).
  std::string decode_text(const std::vector<int64_t>& ids, const std::string& separator) const;

  // A JSON file {"tokens": [...], "counts": [...]}; load throws IOError naming the path when the
  // file is missing or not such a file.
  void save(const std::string& path) const;
  static Vocabulary load(const std::string& path);

 private:
  std::vector<std::string> tokens_;
  std::vector<int64_t> counts_;
  std::map<std::string, int64_t> ids_;
};

// ---- subsampling of frequent words (Mikolov et al. 2013) -----------------------------------------
// The chance that one occurrence of each id is kept, as word2vec's C code computes it:
//   keep(w) = (sqrt(f / t) + 1) * t / f, capped at 1, with f = count(w) / total_count
// so that words much more frequent than t are mostly dropped ("the", "of") and rare words always
// stay. An id with count 0 is always kept. Throws Error for threshold <= 0.
std::vector<double> subsampling_keep_probabilities(const Vocabulary& vocab, double threshold = 1e-4);
// The ids of `tokens` that survive one draw each from `generator`, in order.
std::vector<int64_t> subsample(const std::vector<int64_t>& tokens, const std::vector<double>& keep,
                               Generator& generator);

// ---- corpus ------------------------------------------------------------------------------------
// The glosses of WordNet 3.0 (definitions and example sentences): the text after " | " on every
// line of data.noun, data.verb, data.adj and data.adv in `directory` that is not part of the
// license header (those start with two spaces). One document per synset, in file order.
// Throws IOError naming the file when one is missing or unreadable, Error naming the directory
// when no gloss is found.
inline constexpr const char* kWordNetDirectory = "/usr/share/wordnet";
std::vector<std::string> load_wordnet_glosses(const std::string& directory = kWordNetDirectory);

// Documents split by a seeded shuffle: round(validation_fraction * size) of them (at least one
// when the fraction is positive and there are two or more) are validation, the rest train; each
// part keeps the corpus order. Throws Error for a fraction outside [0, 1).
struct DocumentSplit {
  std::vector<std::string> train, validation;
};
DocumentSplit split_documents(const std::vector<std::string>& documents, double validation_fraction,
                              uint64_t seed);

// ---- language-model batches ----------------------------------------------------------------------
// All documents as one stream of ids, each document followed by `separator_id` (e.g. <eos>).
std::vector<int64_t> encode_stream(const std::vector<std::string>& documents, const Vocabulary& vocab,
                                   TokenizerMode mode, int64_t separator_id);

// A continuous stream laid out for truncated back-propagation through time: the stream is cut
// into `batch_size` equal rows (the tail that does not fill a row is dropped), so row n holds
// tokens [n * L, (n + 1) * L). window(k) is the k-th run of `steps` columns as inputs [N, T] and
// the same positions one token later as targets [N, T]; consecutive windows continue each row, so
// a stateful LSTM carries its state from one window into the next.
class StreamBatches {
 public:
  // Throws Error when the stream is too short for one window of one step per row.
  StreamBatches(const std::vector<int64_t>& stream, int64_t batch_size, int64_t steps);
  int64_t size() const;  // number of windows (the last may be shorter than `steps`)
  struct Window {
    Tensor inputs, targets;  // i64 [N, T]
  };
  Window window(int64_t k) const;  // throws IndexError outside [0, size())
  int64_t batch_size() const { return batch_size_; }
  int64_t row_length() const { return row_length_; }

 private:
  Tensor rows_;  // i64 [N, L]
  int64_t batch_size_, steps_, row_length_;
};

}  // namespace nabla::data
