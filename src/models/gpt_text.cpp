// Character streams and windows for a character-level GPT; see include/nabla/data/gpt_text.h.
#include "nabla/models/gpt_text.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "nabla/error.h"
#include "nabla/random.h"

namespace nabla::models {

CharacterCorpus make_character_corpus(std::vector<std::string> documents, const CharacterCorpusOptions& options) {
  if (documents.empty()) throw Error("character corpus: there are no documents");
  if (options.max_chars > 0) {
    Generator generator(options.seed);
    shuffle(documents, generator);
    size_t kept = 0, chars = 0;
    while (kept < documents.size() && chars < static_cast<size_t>(options.max_chars)) chars += documents[kept++].size() + 1;
    documents.resize(kept);
  }
  data::DocumentSplit split = data::split_documents(documents, options.validation_fraction, options.seed);
  if (split.train.empty() || split.validation.empty())
    throw Error("character corpus: " + std::to_string(documents.size()) + " documents leave " +
                (split.train.empty() ? "no training" : "no validation") + " text at a validation fraction of " +
                std::to_string(options.validation_fraction));
  data::VocabularyOptions vocabulary_options;
  vocabulary_options.specials = {options.end_of_document};
  data::Vocabulary vocabulary = data::Vocabulary::from_counts(count_tokens(split.train, data::TokenizerMode::character), vocabulary_options);
  const int64_t end = vocabulary.id(options.end_of_document);
  std::vector<int64_t> train = encode_stream(split.train, vocabulary, data::TokenizerMode::character, end);
  std::vector<int64_t> validation = encode_stream(split.validation, vocabulary, data::TokenizerMode::character, end);
  return {std::move(vocabulary), std::move(train), std::move(validation)};
}

int64_t window_count(const std::vector<int64_t>& stream, int64_t length) {
  if (length < 1) throw Error("window_count: the window length must be positive, got " + std::to_string(length));
  return stream.empty() ? 0 : (static_cast<int64_t>(stream.size()) - 1) / length;
}

NextTokenBatch stream_windows(const std::vector<int64_t>& stream, const std::vector<int64_t>& which, int64_t length) {
  const int64_t count = window_count(stream, length);
  std::vector<int64_t> inputs(which.size() * static_cast<size_t>(length)), targets(inputs.size());
  for (size_t r = 0; r < which.size(); ++r) {
    if (which[r] < 0 || which[r] >= count)
      throw IndexError("stream_windows: window " + std::to_string(which[r]) + " is outside the stream's " +
                       std::to_string(count) + " windows of " + std::to_string(length));
    const auto start = stream.begin() + which[r] * length;
    std::copy(start, start + length, inputs.begin() + static_cast<int64_t>(r) * length);
    std::copy(start + 1, start + length + 1, targets.begin() + static_cast<int64_t>(r) * length);
  }
  const Shape shape = {static_cast<int64_t>(which.size()), length};
  return {from_vector(inputs, shape), from_vector(targets, shape)};
}

std::vector<int64_t> encode_characters_strictly(const std::string& text, const data::Vocabulary& vocabulary) {
  if (text.empty()) throw Error("encode_characters_strictly: the text is empty");
  const std::vector<std::string> chars = tokenize(text, data::TokenizerMode::character);
  for (size_t i = 0; i < chars.size(); ++i)
    if (vocabulary.id(chars[i]) == data::Vocabulary::unknown_id)
      throw Error("the character " + nlohmann::json(chars[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                  " at position " + std::to_string(i) + " is not among the " + std::to_string(vocabulary.size()) +
                  " characters the model knows");
  return vocabulary.encode(chars);
}

}  // namespace nabla::models
