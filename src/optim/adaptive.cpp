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
    : Optimizer(std::move(params), options.lr, "AdaGrad"), options_(options) {
  require_non_negative(options.lr_decay, "lr_decay", "AdaGrad");
  require_non_negative(options.weight_decay, "weight_decay", "AdaGrad");
  require_non_negative(options.initial_accumulator_value, "initial_accumulator_value", "AdaGrad");
  require_non_negative(options.eps, "eps", "AdaGrad");
}

std::vector<std::pair<std::string, double*>> AdaGrad::hyperparameter_slots() {
  return {{"lr", &lr_},
          {"lr_decay", &options_.lr_decay},
          {"weight_decay", &options_.weight_decay},
          {"initial_accumulator_value", &options_.initial_accumulator_value},
          {"eps", &options_.eps}};
}

void AdaGrad::update(const Tensor& param, const Tensor& grad, ParamState& state) {
  Tensor sum = detail::state_buffer(state, "sum", param, options_.initial_accumulator_value);
  // Python computes the decayed rate in double from the float step count.
  const double clr = lr_ / (1 + static_cast<double>(state.step - 1) * options_.lr_decay);
  const double wd = options_.weight_decay, eps = options_.eps;
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
    : Optimizer(std::move(params), options.lr, "RMSprop"), options_(options),
      centered_flag_(options.centered ? 1 : 0) {
  on_hyperparameters_loaded();
}

void RMSprop::on_hyperparameters_loaded() {
  options_.centered = centered_flag_ != 0;
  require_non_negative(options_.alpha, "alpha", "RMSprop");
  require_non_negative(options_.eps, "eps", "RMSprop");
  require_non_negative(options_.momentum, "momentum", "RMSprop");
  require_non_negative(options_.weight_decay, "weight_decay", "RMSprop");
}

std::vector<std::pair<std::string, double*>> RMSprop::hyperparameter_slots() {
  return {{"lr", &lr_},
          {"alpha", &options_.alpha},
          {"eps", &options_.eps},
          {"weight_decay", &options_.weight_decay},
          {"momentum", &options_.momentum},
          {"centered", &centered_flag_}};
}

void RMSprop::update(const Tensor& param, const Tensor& grad, ParamState& state) {
  const double alpha = options_.alpha, eps = options_.eps, wd = options_.weight_decay;
  const double mu = options_.momentum;
  const bool centered = options_.centered;
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
    const T tmu = T(mu), neg_lr = T(-lr_);
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
