// `nabla summary`: a zoo model's layers, output shapes, parameters and FLOPs for one input shape.
#include <iostream>

#include "commands.h"
#include "nabla/nn/summary.h"

namespace nabla::cli {

int run_summary(const SummaryOptions& o) {
  models::ModelSpec spec = o.model;
  spec.inputs = 28 * 28;  // the zoo's images: 1 x 28 x 28
  nn::ModulePtr model = make_model(spec);
  const nn::ModelSummary summary = nn::summary(*model, {o.batch_size, 1, 28, 28});
  std::cout << "model " << spec.name << "\n\n" << summary.str();
  return 0;
}

}  // namespace nabla::cli
