// The subcommands of the `nabla` binary, each with the options it parses.
#pragma once
#include <string>
#include <vector>

#include "nabla/models/model_zoo.h"

namespace nabla::cli {

struct TrainOptions {
  models::ModelSpec model;
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
  std::vector<std::string> augment;  // of crop, flip, affine; applied to training batches only
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
  models::ModelSpec model;
  int64_t batch_size = 1;  // shown in the output shapes; FLOPs are per sample either way
};

// `nabla filters`: the first layer's weights, from a trained file or a fresh model.
struct FiltersOptions {
  std::string model_file;           // weights written by `nabla train`, or else
  std::string model_name;           // a model initialised as `nabla train --model NAME --seed S` starts
  std::vector<int64_t> hidden;      // the mlp's hidden widths (empty: the default)
  uint64_t seed = 0;
  std::string out = "filters.png";
  int64_t scale = 0;                // pixels per weight; 0: tiles about 56 pixels across
};

// `nabla misclassified`: the first `count` test images the model gets wrong.
struct MisclassifiedOptions {
  std::string model_file;
  std::string data = "fashion-mnist";
  std::string data_dir;
  int64_t count = 36;
  std::string out = "misclassified.png";
  int64_t scale = 3;
  int threads = 0;
};

// `nabla features`: the output channels of one layer for one test image.
struct FeaturesOptions {
  std::string model_file;
  std::string layer;                // dotted module name: `0`, `features.3`
  int64_t index = 0;                // test image
  std::string data = "fashion-mnist";
  std::string data_dir;
  std::string out = "features.png";
  int64_t scale = 0;                // 0: tiles about 56 pixels across
  int threads = 0;
};

int run_train(const TrainOptions& options);
int run_eval(const EvalOptions& options);
int run_filters(const FiltersOptions& options);
int run_misclassified(const MisclassifiedOptions& options);
int run_features(const FeaturesOptions& options);
int run_summary(const SummaryOptions& options);

}  // namespace nabla::cli
