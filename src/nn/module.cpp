// The module tree: registration, recursive traversal with dotted names, state dicts, modes.
#include "nabla/nn/module.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>

#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla::nn {
namespace {

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

void check_name(const std::string& name, const char* what) {
  if (name.empty() || name.find('.') != std::string::npos)
    throw Error(std::string("Module: ") + what + " name '" + name + "' must be non-empty and contain no '.'");
}

// Indents every line after the first by two spaces (PyTorch's _addindent).
std::string indent(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

}  // namespace

Tensor Module::operator()(const Tensor& input) {
  if (auto* unary = dynamic_cast<UnaryModule*>(this)) return (*unary)(input);
  throw Error(type_name() + ": its forward does not take one tensor; call it with its own arguments "
              "(nn::call(module, ...) or through a ModuleHolder)");
}

Tensor UnaryModule::operator()(const Tensor& input) { return call(*this, input); }

void Module::run_forward_hooks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs) const {
  // A copy, so a hook may remove itself.
  const auto hooks = forward_hooks_;
  for (const auto& [id, hook] : hooks) hook(*this, inputs, outputs);
}

std::string Module::type_name() const {
  int status = 0;
  const char* mangled = typeid(*this).name();
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                   std::free);
  const std::string full = status == 0 ? demangled.get() : mangled;
  // Drop the namespaces (and enclosing classes): the part after the last "::" outside template
  // arguments, so "nabla::models::GPT" is "GPT".
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i + 1 < full.size(); ++i) {
    if (full[i] == '<') ++depth;
    else if (full[i] == '>') --depth;
    else if (depth == 0 && full[i] == ':' && full[i + 1] == ':') start = i + 2;
  }
  return full.substr(start);
}

int64_t Module::add_forward_hook(ForwardHook hook) {
  forward_hooks_.emplace_back(next_hook_id_, std::move(hook));
  return next_hook_id_++;
}

void Module::remove_forward_hook(int64_t id) {
  std::erase_if(forward_hooks_, [id](const auto& entry) { return entry.first == id; });
}

Tensor Module::register_parameter(std::string name, Tensor value) {
  check_name(name, "parameter");
  if (value.defined()) {
    if (!is_floating(value.dtype()))
      throw DTypeError("Module: parameter '" + name + "' must be floating, got " + to_string(value.dtype()));
    value.requires_grad_(true);
  }
  parameters_.emplace_back(std::move(name), value);
  return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  check_name(name, "buffer");
  buffers_.emplace_back(std::move(name), value);
  return value;
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  check_name(name, "submodule");
  if (!module) throw Error("Module: submodule '" + name + "' is null");
  for (const auto& [existing, child] : children_)
    if (existing == name) throw Error("Module: a submodule named '" + name + "' already exists");
  module->train(training_);
  children_.emplace_back(std::move(name), std::move(module));
}

void Module::collect(const std::string& prefix, bool want_parameters, bool want_buffers,
                     NamedTensors& out) const {
  if (want_parameters)
    for (const auto& [name, t] : parameters_)
      if (t.defined()) out.emplace_back(join(prefix, name), t);
  if (want_buffers)
    for (const auto& [name, t] : buffers_)
      if (t.defined()) out.emplace_back(join(prefix, name), t);
  for (const auto& [name, child] : children_) child->collect(join(prefix, name), want_parameters, want_buffers, out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors all;
  collect("", true, false, all);
  // A tensor shared between two layers (tied weights) is listed once, under its first name.
  NamedTensors unique;
  std::unordered_set<const TensorImpl*> seen;
  for (auto& entry : all)
    if (seen.insert(entry.second.impl()).second) unique.push_back(std::move(entry));
  return unique;
}

NamedTensors Module::named_buffers() const {
  NamedTensors all;
  collect("", false, true, all);
  return all;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

int64_t Module::parameter_count() const {
  int64_t total = 0;
  for (const Tensor& t : parameters()) total += t.numel();
  return total;
}

void Module::collect_state(const std::string& prefix, StateDict& out) const {
  for (const auto& [name, t] : parameters_)
    if (t.defined()) out.emplace_back(join(prefix, name), t.detach());
  for (const auto& [name, t] : buffers_)
    if (t.defined()) out.emplace_back(join(prefix, name), t.detach());
  for (const auto& [name, child] : children_) child->collect_state(join(prefix, name), out);
}

StateDict Module::state_dict() const {
  StateDict out;
  collect_state("", out);
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  StateDict own = state_dict();
  std::unordered_map<std::string, const Tensor*> given;
  for (const auto& [name, t] : state) {
    if (!t.defined()) throw Error("load_state_dict: the given state's tensor for key '" + name + "' is undefined");
    if (!given.emplace(name, &t).second)
      throw Error("load_state_dict: key '" + name + "' appears twice in the given state");
  }
  // Check everything before writing anything, so a failed load leaves the module untouched.
  std::vector<std::string> missing;
  for (const auto& [name, t] : own) {
    auto it = given.find(name);
    if (it == given.end()) {
      missing.push_back(name);
      continue;
    }
    if (it->second->shape() != t.shape())
      throw ShapeError("load_state_dict: size mismatch for '" + name + "': the state has shape " +
                       to_string(it->second->shape()) + ", the module has " + to_string(t.shape()));
  }
  if (strict) {
    if (!missing.empty()) {
      std::string names;
      for (const auto& n : missing) names += (names.empty() ? "'" : ", '") + n + "'";
      throw Error("load_state_dict: missing key(s) " + names + " in the given state");
    }
    std::unordered_set<std::string> known;
    for (const auto& [name, t] : own) known.insert(name);
    for (const auto& [name, t] : state)
      if (!known.count(name))
        throw Error("load_state_dict: unexpected key '" + name + "' of shape " + to_string(t.shape()) +
                    " in the given state");
  }
  NoGradGuard no_grad;
  for (const auto& [name, t] : own) {
    auto it = given.find(name);
    if (it != given.end()) copy_(t, *it->second);
  }
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (const Tensor& p : parameters()) p.zero_grad();
}

void Module::to(DType dtype) {
  if (!is_floating(dtype)) throw DTypeError("Module::to: parameters must stay floating, not " + std::string(to_string(dtype)));
  auto convert = [dtype](Tensor& t) {
    if (!t.defined() || !is_floating(t.dtype()) || t.dtype() == dtype) return;
    Tensor converted;
    {
      NoGradGuard no_grad;
      converted = cast(t.detach(), dtype).contiguous();
    }
    // Swap the storage under the same TensorImpl, so every handle (the layer's member, an
    // optimizer's list) sees the converted tensor.
    TensorImpl* impl = t.impl();
    impl->storage = converted.storage();
    impl->shape = converted.shape();
    impl->strides = converted.strides();
    impl->offset = converted.offset();
    impl->dtype = dtype;
    impl->grad.reset();
  };
  for (auto& [name, t] : parameters_) convert(t);
  for (auto& [name, t] : buffers_) convert(t);
  for (auto& [name, child] : children_) child->to(dtype);
}

std::string Module::str() const {
  std::ostringstream out;
  out << type_name() << "(";
  const std::string extra = extra_repr();
  if (children_.empty()) {
    out << extra << ")";
    return out.str();
  }
  if (!extra.empty()) out << "\n  " << indent(extra);
  for (const auto& [name, child] : children_) out << "\n  (" << name << "): " << indent(child->str());
  out << "\n)";
  return out.str();
}

}  // namespace nabla::nn
