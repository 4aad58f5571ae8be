#include "saved_model.h"

#include "nabla/io/safetensors.h"

namespace nabla::cli {

SavedModel load_saved_model(const std::string& path) {
  const io::SafetensorsFile file = io::load_safetensors(path);
  SavedModel saved;
  saved.spec = models::from_metadata(file.metadata, path);
  try {
    saved.model = make_model(saved.spec);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  try {
    saved.model->load_state_dict(file.tensors);
  } catch (const Error& e) {
    throw Error(path + ": the weights do not fit model " + saved.spec.name + ": " + e.what());
  }
  return saved;
}

void check_model_fits_data(const models::ModelSpec& spec, const std::string& model_file, const LabelledImages& data,
                           const std::string& data_name) {
  if (data.images[0].numel() != spec.inputs || data.num_classes != spec.classes)
    throw Error(model_file + ": the model expects " + std::to_string(spec.inputs) + " inputs and " +
                std::to_string(spec.classes) + " classes; " + data_name + " has " +
                std::to_string(data.images[0].numel()) + " and " + std::to_string(data.num_classes));
}

}  // namespace nabla::cli
