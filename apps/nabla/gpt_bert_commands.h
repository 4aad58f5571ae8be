// `nabla gpt`: a GPT-style character Transformer trained on the glosses of WordNet, then sampled.
// `nabla bert`: BERT-style masked-token pretraining of a small encoder on the same sentences.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace nabla::cli {

struct GptCommandOptions {
  std::string corpus = "wordnet";
  std::string corpus_dir;          // default: Debian's /usr/share/wordnet
  int64_t max_chars = 0;           // use only this many characters of glosses (0: all ~9 million)
  double val_fraction = 0.05;      // glosses held out for validation
  int64_t context = 128;
  int64_t layers = 4;
  int64_t d_model = 128;
  int64_t heads = 4;
  double dropout = 0.1;
  bool tie_weights = true;
  int64_t epochs = 1;
  int64_t batch_size = 32;
  double lr = 1e-3;
  double weight_decay = 0.1;
  int64_t warmup = 100;            // steps of linear warmup before the cosine decay
  double clip = 1.0;               // gradient-norm clipping (0: none)
  int64_t val_windows = 200;       // validation windows of `context` characters (0: all)
  std::string model_file;          // sample from a saved model instead of training
  int64_t sample = 300;            // characters to generate after training (0: none)
  std::string prompt = "a ";
  double temperature = 0.8;
  int64_t top_k = 10;
  uint64_t seed = 0;
  int threads = 0;                 // 0: OpenMP's default
  std::string out = "runs/gpt";
  bool progress = true;
};

struct BertCommandOptions {
  std::string corpus = "wordnet";
  std::string corpus_dir;
  int64_t max_sentences = 20000;   // glosses used (0: all ~118,000)
  double val_fraction = 0.05;
  int64_t min_count = 3;           // words seen fewer times in the training glosses become [UNK]
  int64_t context = 32;            // tokens per sentence, [CLS] and [SEP] included
  int64_t layers = 2;
  int64_t d_model = 128;
  int64_t heads = 4;
  double dropout = 0.1;
  int64_t epochs = 3;
  int64_t batch_size = 64;
  double lr = 1e-3;
  double weight_decay = 0.01;
  int64_t warmup = 100;
  double clip = 1.0;
  int64_t examples = 5;            // filled-in validation sentences printed at the end
  uint64_t seed = 0;
  int threads = 0;
  std::string out = "runs/bert";
  bool progress = true;
};

void add_gpt_options(CLI::App& app, GptCommandOptions& options);
int run_gpt(const GptCommandOptions& options);
void add_bert_options(CLI::App& app, BertCommandOptions& options);
int run_bert(const BertCommandOptions& options);

}  // namespace nabla::cli
