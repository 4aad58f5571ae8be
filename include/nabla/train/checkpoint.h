// A training checkpoint: model weights, optimizer state, scheduler state and the loop's own
// state (epoch, random generator, early stopping, best metric), in one safetensors file written
// atomically (temp file, fsync, rename), so a crash mid-write leaves the previous checkpoint whole.
// Resuming from it continues with the same results as a run that never stopped.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <map>
#include <string>

#include "nabla/io/safetensors.h"
#include "nabla/optim/optimizer.h"

namespace nabla::train {

struct Checkpoint {
  io::NamedTensors model;                           // Module::state_dict()
  optim::OptimizerState optimizer;                  // Optimizer::state_dict()
  std::map<std::string, double> scheduler;          // LRScheduler::state_dict(), may be empty
  std::map<std::string, std::string> training;      // the loop's own state, as text
};

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// A double as text with 17 significant digits, which reads back bit for bit (for checkpoint fields).
std::string exact_decimal(double value);
// Throws IOError naming the file when it is not a nabla checkpoint or is damaged.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace nabla::train
