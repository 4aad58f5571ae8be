// `nabla word2vec`, `nabla similar`, `nabla lm` and `nabla lm-sample`: word vectors and an LSTM
// language model trained on the glosses of WordNet (Debian's wordnet-base).
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace nabla::cli {

struct Word2VecOptions {
  std::string mode = "skipgram";  // skipgram, cbow
  int64_t dim = 100;
  int64_t window = 5;
  int64_t negatives = 5;
  int64_t min_count = 5;
  double subsample = 1e-4;        // Mikolov's threshold t; 0 turns subsampling off
  int64_t epochs = 5;
  int64_t batch_size = 4096;      // examples per step
  std::string optimizer = "adam"; // adam (mean loss) or sgd (summed loss, word2vec's rule)
  double lr = 0;                  // 0: 3e-3 for adam; word2vec's 0.025 (skip-gram), 0.05 (CBOW) for sgd
  uint64_t seed = 0;
  int threads = 0;
  std::string wordnet_dir = "/usr/share/wordnet";
  std::string out = "runs/w2v";
};

struct SimilarOptions {
  std::string model_dir = "runs/w2v";
  std::string word;               // nearest words to this one, or
  std::string analogy;            // "a:b::c:?" -> the words d with b - a + c nearest
  int64_t top = 10;
};

struct LanguageModelOptions {
  std::string level = "word";     // word, char
  int64_t embedding = 256;
  int64_t hidden = 256;
  int64_t layers = 2;
  double dropout = 0.3;
  int64_t epochs = 3;
  int64_t batch_size = 32;
  int64_t bptt = 35;
  double lr = 2e-3;               // Adam
  double clip = 0.25;             // global gradient norm
  int64_t min_count = 3;          // word level: rarer words read as <unk>
  int64_t max_vocab = 10000;      // word level: ids kept, specials included
  int64_t max_documents = 0;      // use the first N glosses only (0: all 117,659)
  double validation_fraction = 0.05;
  uint64_t seed = 0;
  int threads = 0;
  std::string wordnet_dir = "/usr/share/wordnet";
  std::string out = "runs/lm";
  int64_t sample_tokens = 40;     // printed after training from --prompt
  std::string prompt;             // empty: start after an end of gloss
  double temperature = 0.8;
  int64_t top_k = 20;
};

struct LanguageModelSampleOptions {
  std::string model_dir = "runs/lm";
  std::string prompt;
  int64_t tokens = 40;
  double temperature = 0.8;
  int64_t top_k = 20;
  int64_t samples = 3;
  uint64_t seed = 0;
};

void add_word2vec_options(CLI::App& app, Word2VecOptions& options);
void add_similar_options(CLI::App& app, SimilarOptions& options);
void add_lm_options(CLI::App& app, LanguageModelOptions& options);
void add_lm_sample_options(CLI::App& app, LanguageModelSampleOptions& options);
int run_word2vec(const Word2VecOptions& options);
int run_similar(const SimilarOptions& options);
int run_lm(const LanguageModelOptions& options);
int run_lm_sample(const LanguageModelSampleOptions& options);

}  // namespace nabla::cli
