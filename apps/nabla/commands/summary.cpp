// `nabla summary`: a zoo model's layers, output shapes, parameters and FLOPs for one input shape.
#include <iostream>
#include <memory>

#include "command.h"
#include "nabla/models/model_zoo.h"
#include "nabla/nn/summary.h"
#include "zoo_options.h"

namespace nabla::cli {
namespace {

struct SummaryOptions {
  models::ModelSpec model;
  int64_t batch_size = 1;  // shown in the output shapes; FLOPs are per sample either way
};

int run_summary(const SummaryOptions& o) {
  models::ModelSpec spec = o.model;
  spec.inputs = 28 * 28;  // the zoo's images: 1 x 28 x 28
  nn::ModulePtr model = make_model(spec);
  const nn::ModelSummary summary = nn::summary(*model, {o.batch_size, 1, 28, 28});
  std::cout << "model " << spec.name << "\n\n" << summary.str();
  return 0;
}

}  // namespace

Command summary_command() {
  auto options = std::make_shared<SummaryOptions>();
  return {.name = "summary",
          .help = "print a model's layers, output shapes, parameters and FLOPs",
          .shared = {},
          .add_options =
              [options](CLI::App& app) {
                add_model_option(app, options->model.name)->required();
                add_hidden_option(app, options->model.hidden);
                app.add_option("--batch-size", options->batch_size, "batch dimension of the output shapes")
                    ->check(positive(options->batch_size));
              },
          .run = [options](const SharedOptions&) { return run_summary(*options); },
          .check =
              [options](const SharedOptions&) {
                refuse_hidden_unless_mlp(options->model.name, options->model.hidden != models::ModelSpec{}.hidden);
              }};
}

}  // namespace nabla::cli
