// Adam and AdamW. AdamW differs only in where weight decay enters: it shrinks the parameter
// directly (decoupled) instead of adding wd*p to the gradient, so the decay is not rescaled by
// the adaptive denominator (Loshchilov & Hutter).
#include <cmath>

#include <type_traits>

#include "elementwise_loop.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim {


Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::move(params), options, false) {}

Adam::Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled_weight_decay)
    : Optimizer(std::move(params), options.lr, decoupled_weight_decay ? "AdamW" : "Adam"),
      options_(options), decoupled_weight_decay_(decoupled_weight_decay),
      amsgrad_flag_(options.amsgrad ? 1 : 0) {
  on_hyperparameters_loaded();
}

void Adam::on_hyperparameters_loaded() {
  options_.amsgrad = amsgrad_flag_ != 0;
  // Not name(): this also runs inside the constructor, where the virtual call would say "Adam".
  const std::string who = decoupled_weight_decay_ ? "AdamW" : "Adam";
  if (!(options_.beta1 >= 0 && options_.beta1 < 1) || !(options_.beta2 >= 0 && options_.beta2 < 1))
    throw Error(who + ": betas must lie in [0, 1), got (" + std::to_string(options_.beta1) + ", " +
                std::to_string(options_.beta2) + ")");
  if (!(options_.eps >= 0)) throw Error(who + ": eps must be >= 0, got " + std::to_string(options_.eps));
  if (!(options_.weight_decay >= 0))
    throw Error(who + ": weight_decay must be >= 0, got " + std::to_string(options_.weight_decay));
}

std::vector<std::pair<std::string, double*>> Adam::hyperparameter_slots() {
  return {{"lr", &lr_},
          {"betas.0", &options_.beta1},
          {"betas.1", &options_.beta2},
          {"eps", &options_.eps},
          {"weight_decay", &options_.weight_decay},
          {"amsgrad", &amsgrad_flag_}};
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

void Adam::update(const Tensor& param, const Tensor& grad, ParamState& state) {
  const double beta1 = options_.beta1, beta2 = options_.beta2, eps = options_.eps;
  const double wd = options_.weight_decay, lr = lr_;
  const bool amsgrad = options_.amsgrad, decoupled = decoupled_weight_decay_;
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

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : Adam(std::move(params),
           {.lr = options.lr, .beta1 = options.beta1, .beta2 = options.beta2, .eps = options.eps,
            .weight_decay = options.weight_decay, .amsgrad = options.amsgrad},
           true) {}

}  // namespace nabla::optim
