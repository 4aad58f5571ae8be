#include "nabla/optim/optimizer.h"

#include <charconv>
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

}  // namespace

Optimizer::Optimizer(std::vector<Tensor> params, double lr, const char* who)
    : lr_(lr), params_(std::move(params)), states_(params_.size()) {
  if (!(lr >= 0)) throw Error(std::string(who) + ": learning rate must be >= 0, got " + std::to_string(lr));
  std::unordered_set<const TensorImpl*> seen;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    if (!p.defined()) throw Error(std::string(who) + ": parameter " + std::to_string(i) + " is undefined");
    if (!p.is_leaf())
      throw Error(std::string(who) + ": " + param_label(i, p) +
                  " is not a leaf; optimizers update leaves (detach it or pass the original)");
    if (!is_floating(p.dtype()))
      throw DTypeError(std::string(who) + ": " + param_label(i, p) + " has dtype " +
                       to_string(p.dtype()) + "; only f32 and f64 parameters can be optimized");
    // Updates write straight through the data pointer, which assumes a dense row-major view.
    if (!p.is_contiguous())
      throw Error(std::string(who) + ": " + param_label(i, p) + " is not contiguous");
    if (!seen.insert(p.impl()).second)
      throw Error(std::string(who) + ": " + param_label(i, p) +
                  " appears twice; it would be updated twice per step");
  }
}

void Optimizer::set_lr(double lr) {
  if (!(lr >= 0)) throw Error(name() + ": learning rate must be >= 0, got " + std::to_string(lr));
  lr_ = lr;
}

void Optimizer::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (g.shape() != p.shape() || g.dtype() != p.dtype())
      throw Error(name() + ".step: gradient of shape " + to_string(g.shape()) + " and dtype " +
                  to_string(g.dtype()) + " for " + param_label(i, p) + " of dtype " +
                  to_string(p.dtype()));
    // Gradients may be broadcast views (the backward of sum); the loops want dense data.
    g = g.contiguous();
    ParamState& state = states_[i];
    state.step += 1;
    update(p, g, state);
  }
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_) p.zero_grad();
}

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  out.optimizer = name();
  for (size_t i = 0; i < states_.size(); ++i) {
    const ParamState& s = states_[i];
    if (s.empty()) continue;
    const std::string prefix = "state." + std::to_string(i) + ".";
    out.tensors.emplace_back(prefix + "step", step_tensor(s.step));
    for (const auto& [buffer_name, buffer] : s.buffers)
      out.tensors.emplace_back(prefix + buffer_name, buffer.clone());
  }
  // The slots are only read here; they are non-const because load_state_dict writes through them.
  for (const auto& [key, slot] : const_cast<Optimizer*>(this)->hyperparameter_slots())
    out.hyperparameters[key] = *slot;
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& state) {
  const std::string who = name() + ".load_state_dict";
  if (state.optimizer != name())
    throw Error(who + ": the state was saved by " +
                (state.optimizer.empty() ? std::string("an unnamed optimizer") : state.optimizer));
  // Build everything first so a bad state leaves this optimizer untouched.
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
  auto slots = hyperparameter_slots();
  for (const auto& [key, slot] : slots)
    if (!state.hyperparameters.count(key))
      throw Error(who + ": the state has no hyperparameter '" + key + "'");
  for (const auto& [key, value] : state.hyperparameters) {
    bool known = false;
    for (const auto& [slot_key, slot] : slots) known = known || slot_key == key;
    if (!known) throw Error(who + ": unknown hyperparameter '" + key + "'");
  }
  for (const auto& [key, slot] : slots) *slot = state.hyperparameters.at(key);
  states_ = std::move(states);
  on_hyperparameters_loaded();
}

}  // namespace nabla::optim
