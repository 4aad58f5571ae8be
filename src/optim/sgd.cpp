#include "elementwise_loop.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

using detail::for_each_element;

SGD::SGD(std::vector<Tensor> params, SGDOptions options) : SGD(one_group(std::move(params)), options) {}

SGD::SGD(const std::vector<ParamGroup>& groups, SGDOptions defaults)
    : OptimizerWithOptions(groups, defaults, "SGD") {
  validate_all();
}

void SGD::validate(size_t group) const {
  const SGDOptions& o = options_[group];
  if (o.momentum < 0) throw Error("SGD: momentum must be >= 0, got " + std::to_string(o.momentum));
  if (o.weight_decay < 0) throw Error("SGD: weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
    throw Error("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
}

Optimizer::HyperparameterSlots SGD::hyperparameter_slots(size_t group) {
  SGDOptions& o = options_[group];
  return {{"lr", &o.lr},
          {"momentum", &o.momentum},
          {"dampening", &o.dampening},
          {"weight_decay", &o.weight_decay},
          {"nesterov", &o.nesterov}};
}

void SGD::update(const Tensor& param, const Tensor& grad, ParamState& state, size_t group) {
  const SGDOptions& o = options_[group];
  const double lr = o.lr, mu = o.momentum, wd = o.weight_decay;
  const double keep = 1 - o.dampening;
  const bool nesterov = o.nesterov;
  // PyTorch starts the buffer as a copy of the first (decayed) gradient, without dampening.
  const bool first = mu != 0 && !state.buffers.count("momentum_buffer");
  Tensor buffer = mu != 0 ? detail::state_buffer(state, "momentum_buffer", param) : Tensor();
  detail::dispatch_floating(param, "SGD", [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* b = mu != 0 ? buffer.data<T>() : nullptr;
    const T tlr = T(lr), tmu = T(mu), twd = T(wd), tkeep = T(keep);
    for_each_element(param.numel(), [=](int64_t i) {
      T d = wd != 0 ? g[i] + twd * p[i] : g[i];
      if (b) {
        b[i] = first ? d : tmu * b[i] + tkeep * d;
        d = nesterov ? d + tmu * b[i] : b[i];
      }
      p[i] = p[i] + -tlr * d;
    });
  });
}

Momentum::Momentum(std::vector<Tensor> params, double lr, double momentum, double weight_decay)
    : SGD(std::move(params), {.lr = lr, .momentum = momentum, .weight_decay = weight_decay}) {}

Nesterov::Nesterov(std::vector<Tensor> params, double lr, double momentum, double weight_decay)
    : SGD(std::move(params),
          {.lr = lr, .momentum = momentum, .weight_decay = weight_decay, .nesterov = true}) {}

}  // namespace nabla::optim
