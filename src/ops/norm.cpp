// Vector norms over any axes. The 1- and infinity-norms are compositions (sum and max of abs,
// whose gradients already match PyTorch's, 0 at 0); the p-norm records its own backward so that
// its gradient where the norm is 0 is 0, as PyTorch's, instead of sqrt's 0 * inf = nan.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "ops/op_utils.h"

namespace nabla {
namespace {

// max (or min) over several axes: those axes moved to the end, merged into one and reduced.
Tensor extreme_over(const Tensor& x, const std::vector<int>& axes, bool keepdim, bool largest) {
  Axes order;
  for (int64_t i = 0; i < x.dim(); ++i)
    if (std::find(axes.begin(), axes.end(), i) == axes.end()) order.push_back(i);
  const int64_t kept = static_cast<int64_t>(order.size());
  order.insert(order.end(), axes.begin(), axes.end());
  const Tensor merged = flatten(permute(x, order), kept);
  const Tensor reduced = largest ? max(merged, -1) : min(merged, -1);
  return reshape(reduced, detail::reduced_shape(x.shape(), axes, keepdim));
}

// ||x||_p = (sum |x|^p)^(1/p), with gradient x_i |x_i|^(p-2) g / ||x||^(p-1), written as
// sign(x) |x|^(p-1) so that it also holds for p < 2 (0 where x_i = 0), and 0 where the norm is.
// The zeros are substituted before the powers, so no inf appears even in the second derivative.
Tensor p_norm(const Tensor& x, double p, const std::vector<int>& axes, bool keepdim) {
  const Axes reduced(axes.begin(), axes.end());
  const Tensor xd = x.detach();
  const Tensor out = p == 2 ? sqrt(sum(xd * xd, reduced, keepdim))
                            : pow(sum(pow(abs(xd), p), reduced, keepdim), 1.0 / p);
  const Shape kept = detail::reduced_shape(x.shape(), axes, true);
  return record("norm", {x}, out, [x, p, kept, result = SavedOutput(out)](const Tensor& g) -> std::vector<Tensor> {
    const Tensor zero = zeros({}, x.dtype(), x.device()), one = ones({}, x.dtype(), x.device());
    const Tensor n = reshape(result.get(), kept);
    const Tensor x_is_zero = eq(x.detach(), zero), norm_is_zero = eq(n.detach(), zero);
    const Tensor direction = where(x_is_zero, zero, sign(x.detach()) * pow(where(x_is_zero, one, abs(x)), p - 1));
    const Tensor scale = where(norm_is_zero, zero, reshape(g, kept) / pow(where(norm_is_zero, one, n), p - 1));
    return {direction * scale};
  });
}

}  // namespace

Tensor norm(const Tensor& x, double p, const Axes& axes_in, bool keepdim) {
  detail::require_floating(x, "norm");
  const std::vector<int> axes = detail::normalize_axes(axes_in, x.dim(), "norm");
  if (std::isinf(p)) return extreme_over(abs(x), axes, keepdim, p > 0);
  if (!(p > 0)) {
    std::ostringstream message;
    message << "norm: p must be positive or infinite, got " << p;
    throw Error(message.str());
  }
  if (p == 1) return sum(abs(x), Axes(axes.begin(), axes.end()), keepdim);
  return p_norm(x, p, axes, keepdim);
}

}  // namespace nabla
