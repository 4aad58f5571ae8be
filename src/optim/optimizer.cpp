#include "nabla/optim/optimizer.h"

#include <charconv>
#include <type_traits>
#include <set>
#include <unordered_set>

#include "nabla/autograd.h"

namespace nabla::optim {
namespace {

std::string param_label(size_t index, const Tensor& param) {
  return "parameter " + std::to_string(index) + " (shape " + to_string(param.shape()) + ")";
}

Tensor step_tensor(int64_t step) {
  Tensor t = Tensor::empty(Shape{}, DType::i64);
  *t.data<int64_t>() = step;
  return t;
}

// "state.12.exp_avg" -> (12, "exp_avg"); throws for anything else.
std::pair<size_t, std::string> parse_state_key(const std::string& key, const std::string& who) {
  const std::string prefix = "state.";
  const size_t dot = key.find('.', prefix.size());
  size_t index = 0;
  const char* first = key.data() + prefix.size();
  const char* last = key.data() + (dot == std::string::npos ? key.size() : dot);
  const auto [end, error] = std::from_chars(first, last, index);
  if (key.rfind(prefix, 0) != 0 || dot == std::string::npos || dot + 1 == key.size() ||
      error != std::errc() || end != last)
    throw Error(who + ": unexpected entry '" + key + "'; expected 'state.<index>.<buffer>'");
  return {index, key.substr(dot + 1)};
}

std::string group_key(size_t group, const std::string& name) {
  return "param_groups." + std::to_string(group) + "." + name;
}

// Flags travel as 0 or 1 beside the numbers.
template <class Slot>
double read_slot(const Slot& slot) {
  return std::visit([](auto* value) { return static_cast<double>(*value); }, slot);
}

template <class Slot>
void write_slot(const Slot& slot, double value) {
  std::visit([value](auto* target) { *target = static_cast<std::remove_pointer_t<decltype(target)>>(value); },
             slot);
}

void require_valid_lr(double lr, const std::string& who) {
  if (!(lr >= 0)) throw Error(who + ": learning rate must be >= 0, got " + std::to_string(lr));
}

}  // namespace

Optimizer::Optimizer(const std::vector<ParamGroup>& groups, std::string name)
    : name_(std::move(name)), group_begin_{0} {
  for (const ParamGroup& group : groups) {
    params_.insert(params_.end(), group.params.begin(), group.params.end());
    group_begin_.push_back(params_.size());
  }
  if (params_.empty()) throw Error(name_ + ": got an empty parameter list");
  states_.resize(params_.size());
  std::unordered_set<const TensorImpl*> seen;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    if (!p.defined()) throw Error(name_ + ": parameter " + std::to_string(i) + " is undefined");
    if (!p.is_leaf())
      throw Error(name_ + ": " + param_label(i, p) +
                  " is not a leaf; optimizers update leaves (detach it or pass the original)");
    if (!is_floating(p.dtype()) || is_storage_only(p.dtype()))
      throw DTypeError(name_ + ": " + param_label(i, p) + " has dtype " + to_string(p.dtype()) +
                       "; only f32 and f64 parameters can be optimized (keep a master copy in f32: "
                       ".to(DType::f32))");
    // Updates write straight through the data pointer, which assumes a dense row-major view.
    if (!p.is_contiguous()) throw Error(name_ + ": " + param_label(i, p) + " is not contiguous");
    // Within a group or across two: either way it would be updated twice per step.
    if (!seen.insert(p.impl()).second)
      throw Error(name_ + ": " + param_label(i, p) + " appears twice; it would be updated twice per step");
  }
}

std::span<const Tensor> Optimizer::group_params(size_t group) const {
  if (group >= num_groups())
    throw Error(name_ + ": no parameter group " + std::to_string(group) + " (it has " +
                std::to_string(num_groups()) + ")");
  return std::span<const Tensor>(params_).subspan(group_begin_[group],
                                                  group_begin_[group + 1] - group_begin_[group]);
}

void Optimizer::validate_all() const {
  for (size_t g = 0; g < num_groups(); ++g) {
    require_valid_lr(lr(g), name_);
    validate(g);
  }
}

void Optimizer::set_lr(size_t group, double lr) {
  require_valid_lr(lr, name_);
  group_params(group);  // checks the index
  store_lr(group, lr);
}

void Optimizer::set_lr(double lr) {
  require_valid_lr(lr, name_);
  for (size_t g = 0; g < num_groups(); ++g) store_lr(g, lr);
}

void Optimizer::step() {
  NoGradGuard no_grad;
  for (size_t group = 0; group < num_groups(); ++group)
    for (size_t i = group_begin_[group]; i < group_begin_[group + 1]; ++i) {
      const Tensor& p = params_[i];
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (g.shape() != p.shape() || g.dtype() != p.dtype())
        throw Error(name_ + ".step: gradient of shape " + to_string(g.shape()) + " and dtype " +
                    to_string(g.dtype()) + " for " + param_label(i, p) + " of dtype " +
                    to_string(p.dtype()));
      // Gradients may be broadcast views (the backward of sum); the loops want dense data.
      g = g.contiguous();
      ParamState& state = states_[i];
      state.step += 1;
      update(p, g, state, group);
      p.storage()->bump_version();  // written in place, as PyTorch's optimizers do
    }
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_) p.zero_grad();
}

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  out.optimizer = name_;
  for (size_t i = 0; i < states_.size(); ++i) {
    const ParamState& s = states_[i];
    if (s.empty()) continue;
    const std::string prefix = "state." + std::to_string(i) + ".";
    out.tensors.emplace_back(prefix + "step", step_tensor(s.step));
    for (const auto& [buffer_name, buffer] : s.buffers)
      out.tensors.emplace_back(prefix + buffer_name, buffer.clone());
  }
  for (size_t g = 0; g < num_groups(); ++g) {
    out.hyperparameters[group_key(g, "params")] = static_cast<double>(group_begin_[g + 1] - group_begin_[g]);
    // The slots are only read here; they are non-const because load_state_dict writes through them.
    for (const auto& [key, slot] : const_cast<Optimizer*>(this)->hyperparameter_slots(g))
      out.hyperparameters[group_key(g, key)] = read_slot(slot);
  }
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& state) {
  const std::string who = name_ + ".load_state_dict";
  if (state.optimizer != name_)
    throw Error(who + ": the state was saved by " +
                (state.optimizer.empty() ? std::string("an unnamed optimizer") : state.optimizer));
  // Check everything first so a bad state leaves this optimizer untouched.
  std::vector<ParamState> states(params_.size());
  for (const auto& [key, value] : state.tensors) {
    const auto [index, buffer_name] = parse_state_key(key, who);
    if (index >= params_.size())
      throw Error(who + ": '" + key + "' refers to parameter " + std::to_string(index) +
                  " but the optimizer has " + std::to_string(params_.size()));
    if (!value.defined()) throw Error(who + ": '" + key + "' is undefined");
    const Tensor& p = params_[index];
    if (buffer_name == "step") {
      if (value.dtype() != DType::i64 || value.numel() != 1)
        throw Error(who + ": '" + key + "' must be one i64 value, got shape " +
                    to_string(value.shape()) + " " + to_string(value.dtype()));
      states[index].step = value.contiguous().data<int64_t>()[0];
      continue;
    }
    if (value.shape() != p.shape() || value.dtype() != p.dtype())
      throw Error(who + ": '" + key + "' has shape " + to_string(value.shape()) + " " +
                  to_string(value.dtype()) + " but " + param_label(index, p) + " is " +
                  to_string(p.dtype()));
    states[index].buffers[buffer_name] = value.detach().clone();
  }

  std::set<std::string> expected;
  for (size_t g = 0; g < num_groups(); ++g) {
    const std::string size_key = group_key(g, "params");
    const auto size = state.hyperparameters.find(size_key);
    if (size == state.hyperparameters.end())
      throw Error(who + ": the state has no '" + size_key + "'; it was saved with fewer than " +
                  std::to_string(num_groups()) + " parameter groups");
    const size_t own_size = group_begin_[g + 1] - group_begin_[g];
    if (size->second != static_cast<double>(own_size))
      throw Error(who + ": parameter group " + std::to_string(g) + " has " + std::to_string(own_size) +
                  " parameters but the saved one had " + std::to_string(size->second));
    expected.insert(size_key);
    for (const auto& [key, slot] : hyperparameter_slots(g)) {
      const std::string full_key = group_key(g, key);
      if (!state.hyperparameters.count(full_key))
        throw Error(who + ": the state has no hyperparameter '" + full_key + "'");
      expected.insert(full_key);
    }
  }
  for (const auto& [key, value] : state.hyperparameters)
    if (!expected.count(key)) throw Error(who + ": unknown hyperparameter '" + key + "'");

  // Write the saved values, keeping the current ones to put back if a group rejects them.
  std::vector<std::vector<double>> previous(num_groups());
  for (size_t g = 0; g < num_groups(); ++g)
    for (const auto& [key, slot] : hyperparameter_slots(g)) {
      previous[g].push_back(read_slot(slot));
      write_slot(slot, state.hyperparameters.at(group_key(g, key)));
    }
  try {
    validate_all();
  } catch (const Error&) {
    for (size_t g = 0; g < num_groups(); ++g) {
      size_t k = 0;
      for (const auto& [key, slot] : hyperparameter_slots(g)) write_slot(slot, previous[g][k++]);
    }
    throw;
  }
  states_ = std::move(states);
}

}  // namespace nabla::optim
