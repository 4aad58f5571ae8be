// Text for a character-level GPT: documents as one stream of character ids per split, windows of
// that stream as next-character training pairs, and prompts encoded strictly.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/data/text.h"
#include "nabla/tensor.h"

namespace nabla::models {

struct CharacterCorpusOptions {
  int64_t max_chars = 0;             // a seeded sample of whole documents about this long; 0 = all
  double validation_fraction = 0.05;
  uint64_t seed = 0;
  std::string end_of_document = "\n";  // a special token after every document, so the model learns endings
};

// The vocabulary is every character of the training documents (<unk> is id 0, the end-of-document
// token id 1); each stream is its documents' characters, each followed by end_of_document.
struct CharacterCorpus {
  data::Vocabulary vocabulary;
  std::vector<int64_t> train, validation;
};

// Throws Error for no documents, or a split that leaves either side empty.
CharacterCorpus make_character_corpus(std::vector<std::string> documents, const CharacterCorpusOptions& options);

// The number of windows of `length` + 1 ids that start every `length` ids of `stream`.
int64_t window_count(const std::vector<int64_t>& stream, int64_t length);

// Windows `which` of the stream: inputs [N, length] are ids [w L, w L + L) and targets the same
// positions one id later. Throws IndexError for a window outside [0, window_count).
struct NextTokenBatch {
  Tensor inputs, targets;  // i64 [N, length]
};
NextTokenBatch stream_windows(const std::vector<int64_t>& stream, const std::vector<int64_t>& which, int64_t length);

// The characters of `text` as ids. A character that is not in the vocabulary (or is <unk>) is an
// Error naming it and its position, not a silent <unk>: a model has never been trained to continue
// from one. Empty text is an Error too.
std::vector<int64_t> encode_characters_strictly(const std::string& text, const data::Vocabulary& vocabulary);

}  // namespace nabla::models
