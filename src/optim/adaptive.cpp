// AdaGrad and RMSprop: per-element step sizes from a running sum or average of squared gradients.
#include <cmath>

#include "elementwise_loop.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

using detail::for_each_element;

namespace {
void require_non_negative(double value, const char* what, const char* who) {
  if (!(value >= 0)) throw Error(std::string(who) + ": " + what + " must be >= 0, got " + std::to_string(value));
}
}  // namespace

// ---- AdaGrad ------------------------------------------------------------------------------------------

AdaGrad::AdaGrad(std::vector<Tensor> params, AdaGradOptions options)
    : AdaGrad(one_group(std::move(params)), options) {}

AdaGrad::AdaGrad(const std::vector<ParamGroup>& groups, AdaGradOptions defaults)
    : OptimizerWithOptions(groups, defaults, "AdaGrad") {
  validate_all();
}

void AdaGrad::validate(size_t group) const {
  const AdaGradOptions& o = options_[group];
  require_non_negative(o.lr_decay, "lr_decay", "AdaGrad");
  require_non_negative(o.weight_decay, "weight_decay", "AdaGrad");
  require_non_negative(o.initial_accumulator_value, "initial_accumulator_value", "AdaGrad");
  require_non_negative(o.eps, "eps", "AdaGrad");
}

Optimizer::HyperparameterSlots AdaGrad::hyperparameter_slots(size_t group) {
  AdaGradOptions& o = options_[group];
  return {{"lr", &o.lr},
          {"lr_decay", &o.lr_decay},
          {"weight_decay", &o.weight_decay},
          {"initial_accumulator_value", &o.initial_accumulator_value},
          {"eps", &o.eps}};
}

void AdaGrad::update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) {
  const AdaGradOptions& o = options_[group];
  Tensor sum = detail::state_buffer(state, "sum", param, o.initial_accumulator_value);
  // Python computes the decayed rate in double from the float step count.
  const double clr = o.lr / (1 + static_cast<double>(state.step - 1) * o.lr_decay);
  const double wd = o.weight_decay, eps = o.eps;
  detail::dispatch_floating(param, "AdaGrad", [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    T* s = sum.data<T>();
    const T* g = grad.data<T>();
    const T neg_clr = T(-clr), twd = T(wd), teps = T(eps);
    for_each_element(param.numel(), [=](int64_t i) {
      const T d = wd != 0 ? g[i] + twd * p[i] : g[i];
      s[i] = s[i] + d * d;
      const T std_dev = std::sqrt(s[i]) + teps;
      p[i] = p[i] + neg_clr * d / std_dev;
    });
  });
}

// ---- RMSprop ------------------------------------------------------------------------------------------

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : RMSprop(one_group(std::move(params)), options) {}

RMSprop::RMSprop(const std::vector<ParamGroup>& groups, RMSpropOptions defaults)
    : OptimizerWithOptions(groups, defaults, "RMSprop") {
  validate_all();
}

void RMSprop::validate(size_t group) const {
  const RMSpropOptions& o = options_[group];
  require_non_negative(o.alpha, "alpha", "RMSprop");
  require_non_negative(o.eps, "eps", "RMSprop");
  require_non_negative(o.momentum, "momentum", "RMSprop");
  require_non_negative(o.weight_decay, "weight_decay", "RMSprop");
}

Optimizer::HyperparameterSlots RMSprop::hyperparameter_slots(size_t group) {
  RMSpropOptions& o = options_[group];
  return {{"lr", &o.lr},
          {"alpha", &o.alpha},
          {"eps", &o.eps},
          {"weight_decay", &o.weight_decay},
          {"momentum", &o.momentum},
          {"centered", &o.centered}};
}

void RMSprop::update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) {
  const RMSpropOptions& o = options_[group];
  const double alpha = o.alpha, eps = o.eps, wd = o.weight_decay, mu = o.momentum;
  const bool centered = o.centered;
  Tensor square_avg = detail::state_buffer(state, "square_avg", param);
  Tensor grad_avg = centered ? detail::state_buffer(state, "grad_avg", param) : Tensor();
  Tensor momentum = mu > 0 ? detail::state_buffer(state, "momentum_buffer", param) : Tensor();
  detail::dispatch_floating(param, "RMSprop", [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* v = square_avg.data<T>();
    T* a = centered ? grad_avg.data<T>() : nullptr;
    T* b = mu > 0 ? momentum.data<T>() : nullptr;
    const T talpha = T(alpha), one_minus_alpha = T(1 - alpha), teps = T(eps), twd = T(wd);
    const T tmu = T(mu), neg_lr = T(-o.lr);
    for_each_element(param.numel(), [=](int64_t i) {
      const T d = wd != 0 ? g[i] + twd * p[i] : g[i];
      v[i] = talpha * v[i] + one_minus_alpha * (d * d);
      T avg;
      if (a) {
        a[i] = talpha * a[i] + one_minus_alpha * d;
        avg = std::sqrt(v[i] + T(-1) * (a[i] * a[i])) + teps;
      } else {
        avg = std::sqrt(v[i]) + teps;
      }
      if (b) {
        b[i] = tmu * b[i] + d / avg;
        p[i] = p[i] + neg_lr * b[i];
      } else {
        p[i] = p[i] + neg_lr * d / avg;
      }
    });
  });
}

}  // namespace nabla::optim
