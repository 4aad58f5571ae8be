// Optimizers: they take the parameters (leaf tensors requiring grad, as Module::parameters() gives
// them), as one list or as groups with their own learning rate and weight decay (PyTorch's
// param_groups), and, on step(), move each one against its gradient. The update rules follow PyTorch's
// torch.optim pseudo-code exactly, term by term, so that a model trained here and one trained in
// PyTorch from the same start take the same steps (the tests replay PyTorch's numbers).
//
// Per-parameter state (momentum buffers, Adam's moments, step counts) is created lazily on the
// first step that sees a gradient, as in PyTorch, and is captured entirely by state_dict(): a run
// restored from a checkpoint continues bit for bit as if it had never stopped.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <cstdint>
#include <map>
#include <string>
#include <optional>
#include <span>
#include <utility>
#include <variant>
#include <vector>

#include "nabla/error.h"
#include "nabla/tensor.h"

namespace nabla::optim {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;  // as io::NamedTensors

// A set of parameters that share hyperparameters: one entry of PyTorch's param_groups. What a
// group leaves unset it takes from the options passed beside the groups, so
//   AdamW({{.params = matrices, .weight_decay = 0.1}, {.params = gains, .weight_decay = 0}},
//         {.lr = 3e-4})
// trains both groups at 3e-4 and decays only the matrices (see weight_decay_groups.h).
struct ParamGroup {
  std::vector<Tensor> params = {};
  std::optional<double> lr = std::nullopt;
  std::optional<double> weight_decay = std::nullopt;
};

// Everything an optimizer needs to resume: the per-parameter buffers as named tensors
// ("state.3.exp_avg", "state.3.step"; parameters are numbered across the groups in order, as in
// PyTorch) and each group's hyperparameters and size by name ("param_groups.1.lr",
// "param_groups.1.betas.0", "param_groups.1.params" = its number of parameters; flags are stored as
// 0 or 1). The tensors are copies: later steps do not change a saved state.
struct OptimizerState {
  std::string optimizer;  // "SGD", "Adam", ... checked on load
  NamedTensors tensors;
  std::map<std::string, double> hyperparameters;
};

// The state of one parameter: how many updates it has had and its named buffers.
struct ParamState {
  int64_t step = 0;
  std::map<std::string, Tensor> buffers;
  bool empty() const { return step == 0 && buffers.empty(); }
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (those without one are skipped, as in
  // PyTorch), each with its group's hyperparameters. Runs without recording a graph and writes
  // parameter data in place.
  void step();
  // Drops every gradient (PyTorch's set_to_none): the next backward starts from nothing.
  void zero_grad();

  size_t num_groups() const { return group_begin_.size() - 1; }
  // Every parameter, group after group: the numbering state_dict uses.
  const std::vector<Tensor>& params() const { return params_; }
  std::span<const Tensor> group_params(size_t group) const;
  // A group's learning rate; group 0's by default, the one a progress line shows.
  virtual double lr(size_t group = 0) const = 0;
  void set_lr(size_t group, double lr);
  // Sets every group's rate (PyTorch's `for g in param_groups: g["lr"] = lr`).
  void set_lr(double lr);
  // "SGD", "Adam", ...: the name a saved state carries.
  const std::string& name() const { return name_; }

  OptimizerState state_dict() const;
  // Restores buffers and hyperparameters saved by an optimizer of the same kind over groups of
  // the same sizes and parameters of the same shapes. Throws Error naming the mismatch otherwise,
  // and then leaves this optimizer as it was.
  void load_state_dict(const OptimizerState& state);

 protected:
  // Where a hyperparameter of a group lives, so that state_dict and load_state_dict can read and
  // write every one by name.
  using HyperparameterSlot = std::variant<double*, bool*>;
  using HyperparameterSlots = std::vector<std::pair<std::string, HyperparameterSlot>>;

  Optimizer(const std::vector<ParamGroup>& groups, std::string name);

  // One parameter's update. `param` and `grad` are contiguous and of the same floating dtype;
  // `state.step` has already been incremented.
  virtual void update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) = 0;
  // Every hyperparameter of `group` by name, lr included.
  virtual HyperparameterSlots hyperparameter_slots(size_t group) = 0;
  // Throws Error if a group's hyperparameters other than lr are out of range.
  virtual void validate(size_t group) const = 0;
  virtual void store_lr(size_t group, double lr) = 0;
  // Every group's lr and validate(); subclass constructors call it once they are built (a base
  // constructor cannot call validate), load_state_dict after writing the saved values.
  void validate_all() const;

 private:
  std::string name_;
  std::vector<Tensor> params_;
  std::vector<size_t> group_begin_;  // group g holds params_[group_begin_[g], group_begin_[g + 1])
  std::vector<ParamState> states_;
};

// The part of every optimizer that depends on its options type: one copy of the options per group,
// made from the defaults and the group's own lr and weight decay.
template <class Options>
class OptimizerWithOptions : public Optimizer {
 public:
  double lr(size_t group = 0) const override { return options_.at(group).lr; }
  const Options& options(size_t group) const { return options_.at(group); }

 protected:
  OptimizerWithOptions(const std::vector<ParamGroup>& groups, const Options& defaults, std::string name)
      : Optimizer(groups, std::move(name)) {
    for (const ParamGroup& group : groups) {
      Options o = defaults;
      o.lr = group.lr.value_or(defaults.lr);
      o.weight_decay = group.weight_decay.value_or(defaults.weight_decay);
      options_.push_back(o);
    }
  }
  void store_lr(size_t group, double lr) override { options_.at(group).lr = lr; }

  std::vector<Options> options_;
};

// One group of every parameter: what a plain list of tensors means to each optimizer below.
inline std::vector<ParamGroup> one_group(std::vector<Tensor> params) { return {{.params = std::move(params)}}; }

// ---- SGD family -----------------------------------------------------------------------------------
struct SGDOptions {
  double lr = 0.01;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;  // coupled: added to the gradient as weight_decay * param
  bool nesterov = false;    // needs momentum > 0 and dampening == 0, as PyTorch
};

// torch.optim.SGD: g = grad + wd*p; b = g on the first step, then b = mu*b + (1-dampening)*g;
// g = nesterov ? g + mu*b : b; p -= lr*g.
class SGD : public OptimizerWithOptions<SGDOptions> {
 public:
  explicit SGD(std::vector<Tensor> params, SGDOptions options = {});
  explicit SGD(const std::vector<ParamGroup>& groups, SGDOptions defaults = {});

 protected:
  void update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) override;
  HyperparameterSlots hyperparameter_slots(size_t group) override;
  void validate(size_t group) const override;
};

// SGD with classical momentum (the course's MomentumSGD), a named convenience.
class Momentum : public SGD {
 public:
  explicit Momentum(std::vector<Tensor> params, double lr = 0.01, double momentum = 0.9,
                    double weight_decay = 0);
};

// SGD with Nesterov momentum, a named convenience.
class Nesterov : public SGD {
 public:
  explicit Nesterov(std::vector<Tensor> params, double lr = 0.01, double momentum = 0.9,
                    double weight_decay = 0);
};

// ---- AdaGrad ------------------------------------------------------------------------------------------
struct AdaGradOptions {
  double lr = 0.01;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
};

// torch.optim.Adagrad: g = grad + wd*p; clr = lr / (1 + (t-1)*lr_decay); s += g*g;
// p -= clr * g / (sqrt(s) + eps). The accumulator starts at initial_accumulator_value.
class AdaGrad : public OptimizerWithOptions<AdaGradOptions> {
 public:
  explicit AdaGrad(std::vector<Tensor> params, AdaGradOptions options = {});
  explicit AdaGrad(const std::vector<ParamGroup>& groups, AdaGradOptions defaults = {});

 protected:
  void update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) override;
  HyperparameterSlots hyperparameter_slots(size_t group) override;
  void validate(size_t group) const override;
};

// ---- RMSprop ------------------------------------------------------------------------------------------
struct RMSpropOptions {
  double lr = 0.01;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
};

// torch.optim.RMSprop: g = grad + wd*p; v = alpha*v + (1-alpha)*g*g; centered: a = alpha*a +
// (1-alpha)*g and avg = sqrt(v - a*a) + eps, else avg = sqrt(v) + eps; with momentum
// b = mu*b + g/avg and p -= lr*b, else p -= lr*g/avg.
class RMSprop : public OptimizerWithOptions<RMSpropOptions> {
 public:
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});
  explicit RMSprop(const std::vector<ParamGroup>& groups, RMSpropOptions defaults = {});

 protected:
  void update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) override;
  HyperparameterSlots hyperparameter_slots(size_t group) override;
  void validate(size_t group) const override;
};

// ---- Adam and AdamW ------------------------------------------------------------------------------------
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;  // Adam: coupled (added to the gradient); AdamW: decoupled
  bool amsgrad = false;
};

// torch.optim.Adam: g = grad + wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g;
// vmax = max(vmax, v) with amsgrad; p -= lr/(1-b1^t) * m / (sqrt(v or vmax)/sqrt(1-b2^t) + eps).
class Adam : public OptimizerWithOptions<AdamOptions> {
 public:
  explicit Adam(std::vector<Tensor> params, AdamOptions options = {});
  explicit Adam(const std::vector<ParamGroup>& groups, AdamOptions defaults = {});

 protected:
  Adam(const std::vector<ParamGroup>& groups, AdamOptions defaults, bool decoupled_weight_decay);
  void update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) override;
  HyperparameterSlots hyperparameter_slots(size_t group) override;
  void validate(size_t group) const override;

 private:
  bool decoupled_weight_decay_;
};

// AdamW's options: Adam's, with PyTorch's default weight decay of 1e-2. A separate aggregate
// (not a subclass) so that designated initializers work: AdamW(params, {.lr = 3e-4}).
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
};

// torch.optim.AdamW: p *= 1 - lr*wd first (decoupled from the gradient), then Adam's update.
class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  explicit AdamW(const std::vector<ParamGroup>& groups, AdamWOptions defaults = {});
};

}  // namespace nabla::optim
