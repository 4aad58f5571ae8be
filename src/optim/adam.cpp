// Adam and AdamW. AdamW differs only in where weight decay enters: it shrinks the parameter
// directly (decoupled) instead of adding wd*p to the gradient, so the decay is not rescaled by
// the adaptive denominator (Loshchilov & Hutter).
#include <cmath>

#include <type_traits>

#include "elementwise_loop.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

Adam::Adam(std::vector<Tensor> params, AdamOptions options) : Adam(one_group(std::move(params)), options) {}

Adam::Adam(const std::vector<ParamGroup>& groups, AdamOptions defaults) : Adam(groups, defaults, false) {}

Adam::Adam(const std::vector<ParamGroup>& groups, AdamOptions defaults, bool decoupled_weight_decay)
    : OptimizerWithOptions(groups, defaults, decoupled_weight_decay ? "AdamW" : "Adam"),
      decoupled_weight_decay_(decoupled_weight_decay) {
  validate_all();
}

void Adam::validate(size_t group) const {
  const AdamOptions& o = options_[group];
  if (!(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1))
    throw Error(name() + ": betas must lie in [0, 1), got (" + std::to_string(o.beta1) + ", " +
                std::to_string(o.beta2) + ")");
  if (!(o.eps >= 0)) throw Error(name() + ": eps must be >= 0, got " + std::to_string(o.eps));
  if (!(o.weight_decay >= 0))
    throw Error(name() + ": weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
}

Optimizer::HyperparameterSlots Adam::hyperparameter_slots(size_t group) {
  AdamOptions& o = options_[group];
  return {{"lr", &o.lr},
          {"betas.0", &o.beta1},
          {"betas.1", &o.beta2},
          {"eps", &o.eps},
          {"weight_decay", &o.weight_decay},
          {"amsgrad", &o.amsgrad}};
}

namespace {

// One Adam step over contiguous buffers, term by term as torch.optim.Adam.
template <class T, bool WeightDecay, bool Decoupled, bool AmsGrad>
void adam_loop(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
               T* __restrict vmax, T tb1, T one_minus_b1, T tb2, T one_minus_b2, T twd, T shrink,
               T teps, T neg_step_size, T tbc2_sqrt) {
#pragma omp parallel for simd schedule(static) if (n >= detail::kParallelElements)
  for (int64_t i = 0; i < n; ++i) {
    T d = g[i];
    if constexpr (WeightDecay) {
      if constexpr (Decoupled) p[i] = p[i] * shrink;
      else d = d + twd * p[i];
    }
    m[i] = tb1 * m[i] + one_minus_b1 * d;
    v[i] = tb2 * v[i] + one_minus_b2 * (d * d);
    T second = v[i];
    if constexpr (AmsGrad) {
      vmax[i] = std::max(vmax[i], v[i]);
      second = vmax[i];
    }
    const T denom = std::sqrt(second) / tbc2_sqrt + teps;
    p[i] = p[i] + neg_step_size * m[i] / denom;
  }
}

}  // namespace

void Adam::update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) {
  const AdamOptions& o = options_[group];
  const double beta1 = o.beta1, beta2 = o.beta2, eps = o.eps, wd = o.weight_decay, lr = o.lr;
  const bool amsgrad = o.amsgrad, decoupled = decoupled_weight_decay_;
  Tensor exp_avg = detail::state_buffer(state, "exp_avg", param);
  Tensor exp_avg_sq = detail::state_buffer(state, "exp_avg_sq", param);
  Tensor max_exp_avg_sq = amsgrad ? detail::state_buffer(state, "max_exp_avg_sq", param) : Tensor();
  // The scalar factors are computed in double, as Python does, then used in the parameter's dtype.
  const double step = static_cast<double>(state.step);
  const double bias_correction1 = 1 - std::pow(beta1, step);
  const double bias_correction2 = 1 - std::pow(beta2, step);
  const double step_size = lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  detail::dispatch_floating(param, name().c_str(), [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* m = exp_avg.data<T>();
    T* v = exp_avg_sq.data<T>();
    T* vmax = amsgrad ? max_exp_avg_sq.data<T>() : nullptr;
    const T tb1 = T(beta1), one_minus_b1 = T(1 - beta1), tb2 = T(beta2), one_minus_b2 = T(1 - beta2);
    const T twd = T(wd), shrink = T(1 - lr * wd), teps = T(eps);
    const T neg_step_size = T(-step_size), tbc2_sqrt = T(bias_correction2_sqrt);
    // The flags are template arguments so each variant is a straight loop the compiler
    // vectorises (sqrt and division are exact in SIMD too, so results do not change).
    auto run = [&](auto weight_decay, auto is_decoupled, auto use_vmax) {
      adam_loop<T, weight_decay(), is_decoupled(), use_vmax()>(param.numel(), p, g, m, v, vmax, tb1,
                                                                 one_minus_b1, tb2, one_minus_b2, twd,
                                                                 shrink, teps, neg_step_size, tbc2_sqrt);
    };
    using Yes = std::true_type;
    using No = std::false_type;
    if (wd == 0) amsgrad ? run(No{}, No{}, Yes{}) : run(No{}, No{}, No{});
    else if (decoupled) amsgrad ? run(Yes{}, Yes{}, Yes{}) : run(Yes{}, Yes{}, No{});
    else amsgrad ? run(Yes{}, No{}, Yes{}) : run(Yes{}, No{}, No{});
  });
}

namespace {
AdamOptions as_adam_options(const AdamWOptions& o) {
  return {.lr = o.lr, .beta1 = o.beta1, .beta2 = o.beta2, .eps = o.eps, .weight_decay = o.weight_decay,
          .amsgrad = o.amsgrad};
}
}  // namespace

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options) : AdamW(one_group(std::move(params)), options) {}

AdamW::AdamW(const std::vector<ParamGroup>& groups, AdamWOptions defaults)
    : Adam(groups, as_adam_options(defaults), true) {}

}  // namespace nabla::optim
