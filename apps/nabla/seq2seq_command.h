// `nabla seq2seq`: the course's sequence-to-sequence experiments (addition, date formats) with the
// plain, reversed, peeky and attention models, and their comparison table.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace nabla::cli {

struct Seq2seqCommandOptions {
  std::string data = "dates";      // addition, dates
  std::string variant = "attention";  // plain, reverse, peeky, reverse-peeky, attention, reverse-attention
  bool compare = false;            // every variant of the course's table, one after the other
  int64_t epochs = 10;
  int64_t batch_size = 128;
  int64_t hidden = 256;
  int64_t embedding = 16;
  double lr = 1e-3;
  double clip = 5.0;               // gradient norm clipping, as the course's max_grad
  int64_t train_size = 45000, validation_size = 5000;
  int64_t beam_width = 0;          // > 1: also score the final model with beam search
  int64_t beam_examples = 500;     // on this many validation questions (beam search is per question)
  int64_t heatmaps = 3;            // attention pictures of the first validation questions
  uint64_t seed = 0;
  int threads = 0;                 // 0: OpenMP's default
  std::string out = "runs/seq2seq";
};

void add_seq2seq_options(CLI::App& app, Seq2seqCommandOptions& options);
int run_seq2seq(const Seq2seqCommandOptions& options);

}  // namespace nabla::cli
