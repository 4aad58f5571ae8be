// Optimizers: they take the parameters (leaf tensors requiring grad, as Module::parameters() gives
// them) and, on step(), move each one against its gradient. The update rules follow PyTorch's
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
#include <utility>
#include <vector>

#include "nabla/error.h"
#include "nabla/tensor.h"

namespace nabla::optim {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;  // as io::NamedTensors

// Everything an optimizer needs to resume: the per-parameter buffers as named tensors
// ("state.3.exp_avg", "state.3.step") and the hyperparameters by name ("lr", "betas.0", ...;
// flags are stored as 0 or 1). The tensors are copies: later steps do not change a saved state.
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
  // PyTorch). Runs without recording a graph and writes parameter data in place.
  void step();
  // Drops every gradient (PyTorch's set_to_none): the next backward starts from nothing.
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr);
  const std::vector<Tensor>& params() const { return params_; }
  // "SGD", "Adam", ...: the name a saved state carries.
  virtual std::string name() const = 0;

  OptimizerState state_dict() const;
  // Restores buffers and hyperparameters saved by an optimizer of the same kind over parameters
  // of the same shapes. Throws Error naming the mismatch otherwise.
  void load_state_dict(const OptimizerState& state);

 protected:
  Optimizer(std::vector<Tensor> params, double lr, const char* who);

  // One parameter's update. `param` and `grad` are contiguous and of the same floating dtype;
  // `state.step` has already been incremented.
  virtual void update(const Tensor& param, const Tensor& grad, ParamState& state) = 0;
  // Every hyperparameter by name and where it lives, lr included; flags are mirrored as doubles
  // by the subclass (see sync_flags).
  virtual std::vector<std::pair<std::string, double*>> hyperparameter_slots() = 0;
  // Called after hyperparameters are loaded, so subclasses can refresh boolean flags from their
  // double mirrors and re-validate.
  virtual void on_hyperparameters_loaded() {}

  double lr_;

 private:
  std::vector<Tensor> params_;
  std::vector<ParamState> states_;
};

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
class SGD : public Optimizer {
 public:
  explicit SGD(std::vector<Tensor> params, SGDOptions options = {});
  std::string name() const override { return "SGD"; }

 protected:
  void update(const Tensor& param, const Tensor& grad, ParamState& state) override;
  std::vector<std::pair<std::string, double*>> hyperparameter_slots() override;
  void on_hyperparameters_loaded() override;

 private:
  SGDOptions options_;
  double nesterov_flag_;
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
class AdaGrad : public Optimizer {
 public:
  explicit AdaGrad(std::vector<Tensor> params, AdaGradOptions options = {});
  std::string name() const override { return "AdaGrad"; }

 protected:
  void update(const Tensor& param, const Tensor& grad, ParamState& state) override;
  std::vector<std::pair<std::string, double*>> hyperparameter_slots() override;

 private:
  AdaGradOptions options_;
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
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});
  std::string name() const override { return "RMSprop"; }

 protected:
  void update(const Tensor& param, const Tensor& grad, ParamState& state) override;
  std::vector<std::pair<std::string, double*>> hyperparameter_slots() override;
  void on_hyperparameters_loaded() override;

 private:
  RMSpropOptions options_;
  double centered_flag_;
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
class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, AdamOptions options = {});
  std::string name() const override { return "Adam"; }

 protected:
  Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled_weight_decay);
  void update(const Tensor& param, const Tensor& grad, ParamState& state) override;
  std::vector<std::pair<std::string, double*>> hyperparameter_slots() override;
  void on_hyperparameters_loaded() override;

 private:
  AdamOptions options_;
  bool decoupled_weight_decay_;
  double amsgrad_flag_;
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
  std::string name() const override { return "AdamW"; }
};

}  // namespace nabla::optim
