// Layout inside the safetensors file: tensors "model/<name>" and "optimizer/<name>"; metadata
// "format" = "nabla.checkpoint.v2", "optimizer" = its name, "optimizer.<hyperparameter>",
// "scheduler.<key>" and "training.<key>". Doubles are written with 17 significant digits, so they
// read back bit for bit.
#include "nabla/train/checkpoint.h"

#include <cstdio>
#include <cstdlib>

namespace nabla::train {
namespace {

// v2: optimizer hyperparameters per parameter group, the loop's best monitored metric and its data
// generator. v1 checkpoints (before parameter groups) are refused with a message saying so.
constexpr const char* kFormat = "nabla.checkpoint.v2";

double parse_double(const std::string& path, const std::string& key, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0')
    throw IOError(path + ": checkpoint entry '" + key + "' is not a number: '" + text + "'");
  return v;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::string exact_decimal(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  io::NamedTensors tensors;
  for (const auto& [name, t] : c.model) tensors.emplace_back("model/" + name, t);
  for (const auto& [name, t] : c.optimizer.tensors) tensors.emplace_back("optimizer/" + name, t);
  std::map<std::string, std::string> meta{{"format", kFormat}, {"optimizer", c.optimizer.optimizer}};
  for (const auto& [k, v] : c.optimizer.hyperparameters) meta["optimizer." + k] = exact_decimal(v);
  for (const auto& [k, v] : c.scheduler) meta["scheduler." + k] = exact_decimal(v);
  for (const auto& [k, v] : c.training) meta["training." + k] = v;
  io::save_safetensors(path, tensors, meta);
}

Checkpoint load_checkpoint(const std::string& path) {
  io::SafetensorsFile file = io::load_safetensors(path);
  const auto format = file.metadata.find("format");
  if (format != file.metadata.end() && format->second == "nabla.checkpoint.v1")
    throw IOError(path + ": a checkpoint of an older nabla (nabla.checkpoint.v1, before parameter groups); "
                  "it cannot be resumed by this version, start the run again");
  if (format == file.metadata.end() || format->second != kFormat)
    throw IOError(path + ": not a nabla checkpoint (metadata 'format' should be '" + kFormat + "')");
  Checkpoint c;
  for (auto& [name, t] : file.tensors) {
    if (starts_with(name, "model/")) c.model.emplace_back(name.substr(6), t);
    else if (starts_with(name, "optimizer/")) c.optimizer.tensors.emplace_back(name.substr(10), t);
    else throw IOError(path + ": unexpected tensor '" + name + "' in a checkpoint");
  }
  for (const auto& [key, value] : file.metadata) {
    if (key == "optimizer") c.optimizer.optimizer = value;
    else if (starts_with(key, "optimizer.")) c.optimizer.hyperparameters[key.substr(10)] = parse_double(path, key, value);
    else if (starts_with(key, "scheduler.")) c.scheduler[key.substr(10)] = parse_double(path, key, value);
    else if (starts_with(key, "training.")) c.training[key.substr(9)] = value;
  }
  if (c.optimizer.optimizer.empty()) throw IOError(path + ": checkpoint names no optimizer");
  return c;
}

}  // namespace nabla::train
