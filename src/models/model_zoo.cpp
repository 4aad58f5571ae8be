#include "nabla/models/model_zoo.h"

#include <algorithm>
#include <sstream>

#include "nabla/models/cnn_models.h"
#include "nabla/nn/layers.h"

namespace nabla::models {

nn::ModulePtr make_model(const ModelSpec& spec) {
  if (spec.name == "mlp") {
    // Flatten, then Linear + ReLU per hidden layer, then the classifier: PyTorch's layer indices
    // (1.weight, 3.weight, ...) so the weights load in torch.nn.Sequential of the same layers.
    auto model = std::make_shared<nn::Sequential>();
    model->push_back(std::make_shared<nn::Flatten>());
    int64_t width = spec.inputs;
    for (int64_t h : spec.hidden) {
      model->push_back(std::make_shared<nn::Linear>(width, h));
      model->push_back(std::make_shared<nn::ReLU>());
      width = h;
    }
    model->push_back(std::make_shared<nn::Linear>(width, spec.classes));
    return model;
  }
  const std::vector<std::string> cnns = cnn_model_names();
  if (std::find(cnns.begin(), cnns.end(), spec.name) != cnns.end()) {
    if (spec.inputs != 28 * 28)
      throw Error("model '" + spec.name + "' is built for 1x28x28 images; the data has " +
                  std::to_string(spec.inputs) + " values per example");
    return make_cnn(spec.name, spec.classes);
  }
  std::string names;
  for (const std::string& name : model_names()) names += (names.empty() ? "" : ", ") + name;
  throw Error("unknown model '" + spec.name + "'; choose one of: " + names);
}

std::vector<std::string> model_names() {
  std::vector<std::string> names{"mlp"};
  for (const std::string& name : cnn_model_names()) names.push_back(name);
  return names;
}

std::map<std::string, std::string> to_metadata(const ModelSpec& spec) {
  std::string hidden;
  for (int64_t h : spec.hidden) {
    if (!hidden.empty()) hidden += ',';
    hidden += std::to_string(h);
  }
  return {{"nabla.model", spec.name},
          {"nabla.inputs", std::to_string(spec.inputs)},
          {"nabla.classes", std::to_string(spec.classes)},
          {"nabla.hidden", hidden}};
}

ModelSpec from_metadata(const std::map<std::string, std::string>& metadata, const std::string& path) {
  auto get = [&](const std::string& key) {
    const auto it = metadata.find(key);
    if (it == metadata.end())
      throw IOError(path + ": not a nabla model file (metadata '" + key + "' is missing)");
    return it->second;
  };
  ModelSpec spec;
  try {
    spec.name = get("nabla.model");
    spec.inputs = std::stoll(get("nabla.inputs"));
    spec.classes = std::stoll(get("nabla.classes"));
    spec.hidden.clear();
    std::stringstream hidden(get("nabla.hidden"));
    for (std::string item; std::getline(hidden, item, ',');) spec.hidden.push_back(std::stoll(item));
  } catch (const std::logic_error& e) {  // stoll: not a number
    throw IOError(path + ": malformed model metadata (" + e.what() + ")");
  }
  auto require_positive = [&](int64_t size, const std::string& key) {
    if (size <= 0)
      throw IOError(path + ": impossible model metadata: '" + key + "' is " + std::to_string(size) +
                    " (sizes must be positive)");
  };
  require_positive(spec.inputs, "nabla.inputs");
  require_positive(spec.classes, "nabla.classes");
  for (int64_t h : spec.hidden) require_positive(h, "nabla.hidden");
  return spec;
}

}  // namespace nabla::models
