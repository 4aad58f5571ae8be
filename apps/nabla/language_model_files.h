// The files `nabla lm` writes and `nabla lm-sample` reads (model.safetensors with the settings in
// its metadata, vocabulary.json beside it; `nabla word2vec` and `similar` pair them alike), and how
// both turn tokens into text and back.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nabla/data/text.h"
#include "nabla/models/language_model.h"

namespace nabla::cli {

constexpr int64_t kEos = 1;  // the first special: the end of a gloss

// "word" or "char", as `nabla lm --level` takes it.
data::TokenizerMode mode_of(const std::string& level);

// Tokens as text: words joined by spaces, characters as they are, <eos> as a line break.
std::string render(const data::Vocabulary& vocab, const std::vector<int64_t>& ids, bool words);

// The prompt's tokens; an empty prompt starts as if a gloss had just ended.
std::vector<int64_t> prompt_ids(const data::Vocabulary& vocab, const std::string& prompt, data::TokenizerMode mode);

// The metadata of model.safetensors: the level and the model's configuration.
std::map<std::string, std::string> to_metadata(const std::string& level, const models::LanguageModelConfig& c);

// The file `name` in the directory of `model_file` (a run's vocabulary.json beside its model).
std::string sibling_file(const std::string& model_file, const std::string& name);

// An integer of that metadata; an IOError naming `file` when it is missing.
int64_t metadata_int(const std::map<std::string, std::string>& m, const std::string& key, const std::string& file);

}  // namespace nabla::cli
