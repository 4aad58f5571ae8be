// The containers of torch.nn: Sequential (runs its children in order, under "0", "1", ... or the
// names given, as Sequential(OrderedDict(...))), ModuleList (children 0, 1, ... for the caller to
// run) and ModuleDict (children by name). Parameter names follow PyTorch's: a ModuleList child
// `layers` gives `layers.0.weight`, a ModuleDict child `blocks` gives `blocks.conv.weight`.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/error.h"
#include "nabla/nn/module.h"
#include "nabla/nn/module_holder.h"

namespace nabla::nn {

using NamedModules = std::vector<std::pair<std::string, ModulePtr>>;

// Each child's output is the next one's input, so every child must be a UnaryModule; another is
// an Error when it is added, naming it.
class Sequential : public UnaryModule {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<ModulePtr> modules);
  explicit Sequential(const std::vector<ModulePtr>& modules);
  explicit Sequential(const NamedModules& named_modules);
  void push_back(ModulePtr module);  // named by its position
  void push_back(std::string name, ModulePtr module);
  size_t size() const { return steps_.size(); }
  const ModulePtr& operator[](size_t i) const { return named_children().at(i).second; }
  Tensor forward(const Tensor& x) override;

 private:
  std::vector<std::shared_ptr<UnaryModule>> steps_;
};

// A child module by position or name, as the holder of its own type; an Error naming the types
// when it is something else.
template <class M>
ModuleHolder<M> as_holder(const ModulePtr& module, const std::string& where) {
  auto typed = std::dynamic_pointer_cast<M>(module);
  if (!typed)
    throw Error(where + " is a " + module->type_name() + ", not the module type asked for");
  return typed;
}

class ModuleList : public Module {
 public:
  ModuleList() = default;
  ModuleList(std::initializer_list<ModulePtr> modules);
  void push_back(ModulePtr module);
  size_t size() const { return named_children().size(); }
  const ModulePtr& operator[](size_t i) const;
  template <class M>
  ModuleHolder<M> at(size_t i) const {
    return as_holder<M>((*this)[i], "ModuleList: entry " + std::to_string(i));
  }
  // A list has no forward of its own (its owner calls the members): calling it does not compile.
  template <class... Args>
  void operator()(Args&&...) = delete;
};

class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  explicit ModuleDict(const NamedModules& named_modules);
  // Adds `module` under a new `name` (one already there is an Error).
  void insert(std::string name, ModulePtr module);
  bool contains(const std::string& name) const;
  size_t size() const { return named_children().size(); }
  std::vector<std::string> keys() const;
  const ModulePtr& operator[](const std::string& name) const;
  template <class M>
  ModuleHolder<M> at(const std::string& name) const {
    return as_holder<M>((*this)[name], "ModuleDict: entry '" + name + "'");
  }
  template <class... Args>
  void operator()(Args&&...) = delete;  // as ModuleList's
};

}  // namespace nabla::nn
