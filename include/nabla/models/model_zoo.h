// The models the command line can build by name: the mlp here, the CNNs in cnn_models.h. A saved
// model file records the name and the shape arguments in its metadata, so `nabla eval` rebuilds
// the same architecture.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <map>
#include <string>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::models {

struct ModelSpec {
  std::string name = "mlp";
  int64_t inputs = 784;       // flattened input size
  int64_t classes = 10;
  std::vector<int64_t> hidden{100, 100};  // the mlp's hidden widths; the CNNs ignore it
};

nn::ModulePtr make_model(const ModelSpec& spec);
std::vector<std::string> model_names();

// As safetensors metadata and back.
std::map<std::string, std::string> to_metadata(const ModelSpec& spec);
ModelSpec from_metadata(const std::map<std::string, std::string>& metadata, const std::string& path);

}  // namespace nabla::models
