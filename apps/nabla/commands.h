// The subcommands of the `nabla` binary, each with the options it parses.
#pragma once
#include <string>

#include "model_zoo.h"

namespace nabla::cli {

struct TrainOptions {
  ModelSpec model;
  std::string data = "fashion-mnist";
  std::string data_dir;  // default: the data set's Debian location
  int64_t epochs = 5;
  int64_t batch_size = 100;
  std::string optimizer = "adam";
  double lr = 1e-3;
  double momentum = 0.9;
  double weight_decay = 0;
  std::string scheduler = "none";
  double val_fraction = 0.1;
  int64_t patience = 0;
  uint64_t seed = 0;
  int threads = 0;  // 0: OpenMP's default
  std::string out = "runs/default";
  bool resume = false;
  bool progress = true;
};

struct EvalOptions {
  std::string model_file;
  std::string data = "fashion-mnist";
  std::string data_dir;
  int64_t batch_size = 1000;
  int threads = 0;
};

struct SummaryOptions {
  ModelSpec model;
  int64_t batch_size = 1;  // shown in the output shapes; FLOPs are per sample either way
};

int run_train(const TrainOptions& options);
int run_eval(const EvalOptions& options);
int run_summary(const SummaryOptions& options);

}  // namespace nabla::cli
