// A model file written by `nabla train`: the architecture rebuilt from its metadata and the
// weights loaded into it. `nabla eval` and the picture commands all start from one.
#pragma once
#include <string>

#include "dataset_choice.h"
#include "nabla/models/model_zoo.h"

namespace nabla::cli {

struct SavedModel {
  models::ModelSpec spec;
  nn::ModulePtr model;
};

// Throws IOError naming `path` when it is not a nabla model file, and Error when the weights do
// not fit the architecture the metadata names.
SavedModel load_saved_model(const std::string& path);

// Throws Error, naming the model file and the data set, unless the model takes the data set's
// images and predicts its classes.
void check_model_fits_data(const models::ModelSpec& spec, const std::string& model_file, const LabelledImages& data,
                           const std::string& data_name);

}  // namespace nabla::cli
