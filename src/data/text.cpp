// Tokenizer, vocabulary, subsampling, the WordNet gloss corpus and language-model windows.
#include "nabla/data/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "nabla/io/atomic_file.h"
#include "nabla/ops.h"

namespace nabla::data {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

}  // namespace

// ---- tokens ------------------------------------------------------------------------------------

std::vector<std::string> tokenize(std::string_view text, TokenizerMode mode) {
  std::vector<std::string> tokens;
  if (mode == TokenizerMode::character) {
    for (char c : text) tokens.emplace_back(1, c);
    return tokens;
  }
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (is_space(c)) {
      ++i;
    } else if (is_word_char(c)) {
      std::string word;
      while (i < text.size()) {
        const char d = text[i];
        const bool joiner = (d == '\'' || d == '-') && !word.empty() && i + 1 < text.size() &&
                            is_word_char(text[i + 1]);
        if (!is_word_char(d) && !joiner) break;
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(d)));
        ++i;
      }
      tokens.push_back(std::move(word));
    } else {
      tokens.emplace_back(1, c);
      ++i;
    }
  }
  return tokens;
}

TokenCounts count_tokens(const std::vector<std::string>& documents, TokenizerMode mode) {
  TokenCounts counts;
  for (const std::string& document : documents)
    for (std::string& token : tokenize(document, mode)) ++counts[std::move(token)];
  return counts;
}

// ---- vocabulary --------------------------------------------------------------------------------

Vocabulary::Vocabulary(std::vector<std::string> tokens, std::vector<int64_t> counts)
    : tokens_(std::move(tokens)), counts_(std::move(counts)) {
  if (tokens_.empty() || tokens_.size() != counts_.size())
    throw Error("Vocabulary: " + std::to_string(tokens_.size()) + " tokens but " +
                std::to_string(counts_.size()) + " counts (need equal, at least <unk>)");
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (counts_[i] < 0) throw Error("Vocabulary: negative count for token '" + tokens_[i] + "'");
    if (!ids_.emplace(tokens_[i], static_cast<int64_t>(i)).second)
      throw Error("Vocabulary: token '" + tokens_[i] + "' appears twice");
  }
}

Vocabulary Vocabulary::from_counts(const TokenCounts& counts, const VocabularyOptions& options) {
  if (options.min_count < 1)
    throw Error("Vocabulary: min_count must be at least 1, got " + std::to_string(options.min_count));
  if (options.max_size < 0)
    throw Error("Vocabulary: max_size must be >= 0, got " + std::to_string(options.max_size));
  std::vector<std::string> tokens{options.unknown};
  std::set<std::string> reserved{options.unknown};
  for (const std::string& special : options.specials) {
    if (!reserved.insert(special).second)
      throw Error("Vocabulary: special token '" + special + "' repeats <unk> or another special");
    tokens.push_back(special);
  }
  std::vector<int64_t> token_counts(tokens.size(), 0);

  std::vector<std::pair<std::string, int64_t>> ordinary;
  for (const auto& [token, count] : counts)
    if (!reserved.count(token)) ordinary.emplace_back(token, count);
  // Most frequent first; the map already gives byte order, which stable_sort keeps for ties.
  std::stable_sort(ordinary.begin(), ordinary.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const size_t limit = options.max_size > 0 ? static_cast<size_t>(options.max_size)
                                            : std::numeric_limits<size_t>::max();
  for (const auto& [token, count] : ordinary) {
    if (count >= options.min_count && tokens.size() < limit) {
      tokens.push_back(token);
      token_counts.push_back(count);
    } else {
      token_counts[unknown_id] += count;  // every occurrence left out reads as <unk>
    }
  }
  return Vocabulary(std::move(tokens), std::move(token_counts));
}

int64_t Vocabulary::id(const std::string& token) const {
  const auto it = ids_.find(token);
  return it == ids_.end() ? unknown_id : it->second;
}

const std::string& Vocabulary::token(int64_t id) const {
  if (id < 0 || id >= size())
    throw IndexError("Vocabulary: id " + std::to_string(id) + " is outside a vocabulary of " +
                     std::to_string(size()) + " tokens");
  return tokens_[static_cast<size_t>(id)];
}

int64_t Vocabulary::count(int64_t id) const {
  token(id);  // range check
  return counts_[static_cast<size_t>(id)];
}

void Vocabulary::add_count(int64_t id, int64_t n) {
  token(id);
  if (counts_[static_cast<size_t>(id)] + n < 0)
    throw Error("Vocabulary::add_count: the count of '" + tokens_[static_cast<size_t>(id)] +
                "' would become negative");
  counts_[static_cast<size_t>(id)] += n;
}

int64_t Vocabulary::total_count() const {
  return std::accumulate(counts_.begin(), counts_.end(), int64_t{0});
}

std::vector<int64_t> Vocabulary::encode(const std::vector<std::string>& tokens) const {
  std::vector<int64_t> ids;
  ids.reserve(tokens.size());
  for (const std::string& token : tokens) ids.push_back(id(token));
  return ids;
}

std::vector<std::string> Vocabulary::decode(const std::vector<int64_t>& ids) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int64_t i : ids) tokens.push_back(token(i));
  return tokens;
}

std::string Vocabulary::decode_text(const std::vector<int64_t>& ids, const std::string& separator) const {
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) text += separator;
    text += token(ids[i]);
  }
  return text;
}

void Vocabulary::save(const std::string& path) const {
  // Character vocabularies hold single bytes that need not be valid UTF-8; replace() keeps the
  // dump from throwing, and load() checks what comes back.
  const nlohmann::json json = {{"tokens", tokens_}, {"counts", counts_}};
  io::write_file_atomic(path, json.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Vocabulary Vocabulary::load(const std::string& path) {
  const std::string bytes = io::read_file(path);
  try {
    const nlohmann::json json = nlohmann::json::parse(bytes);
    return Vocabulary(json.at("tokens").get<std::vector<std::string>>(),
                      json.at("counts").get<std::vector<int64_t>>());
  } catch (const nlohmann::json::exception& e) {
    throw IOError("Vocabulary::load: " + path + " is not a vocabulary file (" + e.what() + ")");
  } catch (const IOError&) {
    throw;
  } catch (const Error& e) {
    throw IOError("Vocabulary::load: " + path + ": " + e.what());
  }
}

// ---- subsampling -------------------------------------------------------------------------------

std::vector<double> subsampling_keep_probabilities(const Vocabulary& vocab, double threshold) {
  if (!(threshold > 0))
    throw Error("subsampling: the threshold must be positive, got " + std::to_string(threshold));
  const double total = static_cast<double>(vocab.total_count());
  std::vector<double> keep(static_cast<size_t>(vocab.size()), 1.0);
  for (int64_t i = 0; i < vocab.size(); ++i) {
    const double f = static_cast<double>(vocab.counts()[static_cast<size_t>(i)]) / total;
    if (f > 0) keep[static_cast<size_t>(i)] = std::min(1.0, (std::sqrt(f / threshold) + 1) * threshold / f);
  }
  return keep;
}

std::vector<int64_t> subsample(const std::vector<int64_t>& tokens, const std::vector<double>& keep,
                               Generator& generator) {
  std::vector<int64_t> kept;
  kept.reserve(tokens.size());
  for (int64_t id : tokens) {
    if (id < 0 || id >= static_cast<int64_t>(keep.size()))
      throw IndexError("subsample: token id " + std::to_string(id) + " has no keep probability (" +
                       std::to_string(keep.size()) + " given)");
    if (generator.uniform() < keep[static_cast<size_t>(id)]) kept.push_back(id);
  }
  return kept;
}

// ---- corpus ------------------------------------------------------------------------------------

std::vector<std::string> load_wordnet_glosses(const std::string& directory) {
  std::vector<std::string> glosses;
  for (const char* part : {"data.noun", "data.verb", "data.adj", "data.adv"}) {
    const std::string path = directory + "/" + part;
    std::ifstream in(path);
    if (!in) throw IOError("load_wordnet_glosses: cannot open " + path + " (install wordnet-base)");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("  ", 0) == 0) continue;  // the license header
      const size_t bar = line.find(" | ");
      if (bar == std::string::npos) continue;
      std::string gloss = line.substr(bar + 3);
      while (!gloss.empty() && is_space(gloss.back())) gloss.pop_back();
      if (!gloss.empty()) glosses.push_back(std::move(gloss));
    }
    if (in.bad()) throw IOError("load_wordnet_glosses: error reading " + path);
  }
  if (glosses.empty())
    throw Error("load_wordnet_glosses: no gloss (text after \" | \") in the data.* files of " + directory);
  return glosses;
}

DocumentSplit split_documents(const std::vector<std::string>& documents, double validation_fraction,
                              uint64_t seed) {
  if (!(validation_fraction >= 0 && validation_fraction < 1))
    throw Error("split_documents: the validation fraction must be in [0, 1), got " +
                std::to_string(validation_fraction));
  const size_t n = documents.size();
  size_t n_validation = static_cast<size_t>(std::llround(validation_fraction * static_cast<double>(n)));
  if (validation_fraction > 0 && n >= 2) n_validation = std::clamp<size_t>(n_validation, 1, n - 1);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  Generator generator(seed);
  shuffle(order, generator);
  std::vector<bool> is_validation(n, false);
  for (size_t i = 0; i < n_validation; ++i) is_validation[order[i]] = true;
  DocumentSplit split;
  for (size_t i = 0; i < n; ++i) (is_validation[i] ? split.validation : split.train).push_back(documents[i]);
  return split;
}

// ---- language-model batches ----------------------------------------------------------------------

std::vector<int64_t> encode_stream(const std::vector<std::string>& documents, const Vocabulary& vocab,
                                   TokenizerMode mode, int64_t separator_id) {
  vocab.token(separator_id);  // range check
  std::vector<int64_t> stream;
  for (const std::string& document : documents) {
    for (const std::string& token : tokenize(document, mode)) stream.push_back(vocab.id(token));
    stream.push_back(separator_id);
  }
  return stream;
}

StreamBatches::StreamBatches(const std::vector<int64_t>& stream, int64_t batch_size, int64_t steps)
    : batch_size_(batch_size), steps_(steps) {
  if (batch_size < 1 || steps < 1)
    throw Error("StreamBatches: batch_size and steps must be positive, got " + std::to_string(batch_size) +
                " and " + std::to_string(steps));
  row_length_ = static_cast<int64_t>(stream.size()) / batch_size;
  if (row_length_ < 2)
    throw Error("StreamBatches: a stream of " + std::to_string(stream.size()) +
                " tokens is too short for " + std::to_string(batch_size) +
                " rows of at least 2 tokens (an input and its target)");
  rows_ = from_vector(std::vector<int64_t>(stream.begin(), stream.begin() + batch_size * row_length_),
                      {batch_size, row_length_});
}

int64_t StreamBatches::size() const { return (row_length_ - 1 + steps_ - 1) / steps_; }

StreamBatches::Window StreamBatches::window(int64_t k) const {
  if (k < 0 || k >= size())
    throw IndexError("StreamBatches: window " + std::to_string(k) + " of " + std::to_string(size()));
  const int64_t start = k * steps_;
  const int64_t stop = std::min(start + steps_, row_length_ - 1);
  return {slice(rows_, 1, start, stop).contiguous(), slice(rows_, 1, start + 1, stop + 1).contiguous()};
}

}  // namespace nabla::data
