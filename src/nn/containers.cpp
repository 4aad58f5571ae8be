#include "nabla/nn/containers.h"

namespace nabla::nn {

// ---- Sequential -----------------------------------------------------------------------------------

Sequential::Sequential(std::initializer_list<ModulePtr> modules) {
  for (const ModulePtr& m : modules) push_back(m);
}

Sequential::Sequential(const std::vector<ModulePtr>& modules) {
  for (const ModulePtr& m : modules) push_back(m);
}

Sequential::Sequential(const NamedModules& named_modules) {
  for (const auto& [name, m] : named_modules) push_back(name, m);
}

void Sequential::push_back(ModulePtr module) { push_back(std::to_string(size()), std::move(module)); }

void Sequential::push_back(std::string name, ModulePtr module) {
  auto step = std::dynamic_pointer_cast<UnaryModule>(module);
  if (module && !step)
    throw Error("Sequential: child '" + name + "' (" + module->type_name() +
                ") does not take one tensor, so it cannot be a step of a sequence");
  add_child(std::move(name), std::move(module));
  steps_.push_back(std::move(step));
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (const auto& step : steps_) h = (*step)(h);
  return h;
}

// ---- ModuleList ------------------------------------------------------------------------------------

ModuleList::ModuleList(std::initializer_list<ModulePtr> modules) {
  for (const ModulePtr& m : modules) push_back(m);
}

void ModuleList::push_back(ModulePtr module) { add_child(std::to_string(size()), std::move(module)); }

const ModulePtr& ModuleList::operator[](size_t i) const {
  if (i >= size())
    throw IndexError("ModuleList: index " + std::to_string(i) + " out of range for " + std::to_string(size()) +
                     " modules");
  return named_children()[i].second;
}

// ---- ModuleDict ------------------------------------------------------------------------------------

ModuleDict::ModuleDict(const NamedModules& named_modules) {
  for (const auto& [name, m] : named_modules) insert(name, m);
}

void ModuleDict::insert(std::string name, ModulePtr module) { add_child(std::move(name), std::move(module)); }

bool ModuleDict::contains(const std::string& name) const {
  for (const auto& [key, child] : named_children())
    if (key == name) return true;
  return false;
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& [key, child] : named_children()) out.push_back(key);
  return out;
}

const ModulePtr& ModuleDict::operator[](const std::string& name) const {
  for (const auto& [key, child] : named_children())
    if (key == name) return child;
  std::string known;
  for (const auto& key : keys()) known += (known.empty() ? "'" : ", '") + key + "'";
  throw IndexError("ModuleDict: no module named '" + name + "'; it holds " + (known.empty() ? "none" : known));
}

}  // namespace nabla::nn
