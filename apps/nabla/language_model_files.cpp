#include "language_model_files.h"

#include <filesystem>

#include "nabla/error.h"

namespace nabla::cli {

std::string sibling_file(const std::string& model_file, const std::string& name) {
  return (std::filesystem::path(model_file).parent_path() / name).string();
}

data::TokenizerMode mode_of(const std::string& level) {
  return level == "char" ? data::TokenizerMode::character : data::TokenizerMode::word;
}

std::string render(const data::Vocabulary& vocab, const std::vector<int64_t>& ids, bool words) {
  std::string text;
  for (int64_t id : ids) {
    if (id == kEos) {
      text += "\n";
      continue;
    }
    if (words && !text.empty() && text.back() != '\n') text += " ";
    text += vocab.token(id);
  }
  return text;
}

std::vector<int64_t> prompt_ids(const data::Vocabulary& vocab, const std::string& prompt, data::TokenizerMode mode) {
  if (prompt.empty()) return {kEos};
  return vocab.encode(data::tokenize(prompt, mode));
}

std::map<std::string, std::string> to_metadata(const std::string& level, const models::LanguageModelConfig& c) {
  return {{"model", "lstm-lm"},
          {"level", level},
          {"vocab_size", std::to_string(c.vocab_size)},
          {"embedding_dim", std::to_string(c.embedding_dim)},
          {"hidden_size", std::to_string(c.hidden_size)},
          {"num_layers", std::to_string(c.num_layers)},
          {"dropout", std::to_string(c.dropout)},
          {"tie_weights", c.tie_weights ? "1" : "0"}};
}

int64_t metadata_int(const std::map<std::string, std::string>& m, const std::string& key, const std::string& file) {
  const auto it = m.find(key);
  if (it == m.end()) throw IOError("lm-sample: " + file + " has no '" + key + "' in its metadata (not written by nabla lm?)");
  return std::stoll(it->second);
}

}  // namespace nabla::cli
