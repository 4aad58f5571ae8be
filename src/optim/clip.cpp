#include "nabla/optim/clip.h"

#include <algorithm>
#include <cmath>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::optim {
namespace {

// The p-norm of one gradient, accumulated in double. PyTorch takes each gradient's norm, then
// the norm of those norms; for finite p that equals (sum |g|^p)^(1/p) over everything, and the
// two-stage form keeps the rounding the same as PyTorch's.
double tensor_norm(const Tensor& grad, double norm_type) {
  const Tensor g = grad.contiguous();
  double acc = 0;
  dispatch(g.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* data = g.data<T>();
    const int64_t n = g.numel();
    for (int64_t i = 0; i < n; ++i) {
      const double a = std::abs(static_cast<double>(data[i]));
      if (std::isinf(norm_type)) acc = std::max(acc, a);
      else if (norm_type == 2) acc += a * a;
      else if (norm_type == 1) acc += a;
      else acc += std::pow(a, norm_type);
    }
  });
  if (std::isinf(norm_type) || norm_type == 1) return acc;
  return norm_type == 2 ? std::sqrt(acc) : std::pow(acc, 1.0 / norm_type);
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  if (!(norm_type > 0))
    throw Error("clip_grad_norm_: norm_type must be positive or infinity, got " + std::to_string(norm_type));
  std::vector<Tensor> grads;
  for (const Tensor& p : params)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  std::vector<double> norms;
  for (const Tensor& g : grads) norms.push_back(tensor_norm(g, norm_type));
  double total = 0;
  if (std::isinf(norm_type)) {
    for (double n : norms) total = std::max(total, n);
  } else {
    for (double n : norms) total += norm_type == 2 ? n * n : std::pow(n, norm_type);
    total = norm_type == 2 ? std::sqrt(total) : std::pow(total, 1.0 / norm_type);
  }
  const double coefficient = std::min(max_norm / (total + 1e-6), 1.0);
  NoGradGuard no_grad;
  for (const Tensor& p : params) {
    if (!p.defined() || !p.grad().defined()) continue;
    const Tensor g = p.grad();
    p.set_grad(mul(g, scalar(coefficient, g.dtype())));
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  if (!(clip_value >= 0))
    throw Error("clip_grad_value_: clip_value must be >= 0, got " + std::to_string(clip_value));
  NoGradGuard no_grad;
  for (const Tensor& p : params) {
    if (!p.defined() || !p.grad().defined()) continue;
    p.set_grad(clamp(p.grad(), -clip_value, clip_value));
  }
}

}  // namespace nabla::optim
