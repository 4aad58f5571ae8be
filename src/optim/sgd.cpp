#include "elementwise_loop.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

using detail::for_each_element;

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params), options.lr, "SGD"), options_(options),
      nesterov_flag_(options.nesterov ? 1 : 0) {
  on_hyperparameters_loaded();
}

void SGD::on_hyperparameters_loaded() {
  options_.lr = lr_;
  options_.nesterov = nesterov_flag_ != 0;
  if (options_.momentum < 0) throw Error("SGD: momentum must be >= 0, got " + std::to_string(options_.momentum));
  if (options_.weight_decay < 0)
    throw Error("SGD: weight_decay must be >= 0, got " + std::to_string(options_.weight_decay));
  if (options_.nesterov && (options_.momentum <= 0 || options_.dampening != 0))
    throw Error("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
}

std::vector<std::pair<std::string, double*>> SGD::hyperparameter_slots() {
  return {{"lr", &lr_},
          {"momentum", &options_.momentum},
          {"dampening", &options_.dampening},
          {"weight_decay", &options_.weight_decay},
          {"nesterov", &nesterov_flag_}};
}

void SGD::update(const Tensor& param, const Tensor& grad, ParamState& state) {
  const double lr = lr_, mu = options_.momentum, wd = options_.weight_decay;
  const double keep = 1 - options_.dampening;
  const bool nesterov = options_.nesterov;
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
