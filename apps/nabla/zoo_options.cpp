#include "zoo_options.h"

#include "command.h"
#include "nabla/models/model_zoo.h"

namespace nabla::cli {

CLI::Option* add_model_option(CLI::App& app, std::string& name) {
  return app.add_option("--model", name, "model architecture")->check(CLI::IsMember(models::model_names()));
}

CLI::Option* add_hidden_option(CLI::App& app, std::vector<int64_t>& hidden) {
  return app.add_option("--hidden", hidden, "hidden widths of the mlp, one per layer, comma-separated")
      ->delimiter(',')
      ->check(positive(hidden));
}

CLI::Option* add_model_file_option(CLI::App& app, std::string& path) {
  return app.add_option("--model-file", path, "weights written by `nabla train` (model.safetensors)")
      ->check(CLI::ExistingFile);
}

void refuse_hidden_unless_mlp(const std::string& model, bool hidden_set) {
  if (!hidden_set || model == "mlp") return;
  refuse_unused("--hidden", model.empty() ? "with --model-file: the file records the model's widths"
                                          : "for model " + model + ": it sets the hidden widths of the mlp only");
}

}  // namespace nabla::cli
