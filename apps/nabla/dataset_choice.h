// The data sets the command line knows, loaded and normalised the same way for train and eval.
#pragma once
#include <memory>
#include <string>
#include <utility>

#include "nabla/data/dataset.h"

namespace nabla::cli {

struct LabelledImages {
  Tensor images;  // f32 [N, 1, 28, 28], normalised with the training set's mean and std
  Tensor labels;  // i64 [N]
  int64_t num_classes = 10;
  std::vector<std::string> class_names;
};

// "fashion-mnist" or "mnist"; `dir` empty means the data set's Debian location.
LabelledImages load_images(const std::string& name, const std::string& dir, bool train);

// A stratified hold-out of `fraction` of the examples for validation; the second is null when
// fraction is 0. The pieces are copied into contiguous tensors so batches gather quickly.
std::pair<std::shared_ptr<data::Dataset>, std::shared_ptr<data::Dataset>> split_for_validation(
    const LabelledImages& all, double fraction, uint64_t seed);

}  // namespace nabla::cli
