// Functions of two inputs that Siamese networks and bilinear models reach for: the bilinear map,
// cosine similarity and the pairwise distance. Each is a short composition of ops (matmul, sums,
// norms), so it runs on any device and differentiates to any order.
#include "nabla/functional.h"
#include "ops/op_utils.h"

namespace nabla::functional {

Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias) {
  detail::require_floating(x1, "bilinear");
  detail::common_device("bilinear", {x1, x2, weight, bias});
  for (const Tensor* t : {&x2, &weight, &bias})
    if (t->defined() && t->dtype() != x1.dtype())
      throw DTypeError(std::string("bilinear: inputs, weight and bias must all be ") + to_string(x1.dtype()) +
                       ", got " + to_string(t->dtype()));
  const auto leading = [](const Tensor& t) { return Shape(t.shape().begin(), t.shape().end() - 1); };
  if (x1.dim() < 1 || x2.dim() != x1.dim() || leading(x1) != leading(x2) || weight.dim() != 3 ||
      weight.shape()[1] != x1.shape().back() || weight.shape()[2] != x2.shape().back() ||
      (bias.defined() && bias.shape() != Shape{weight.shape()[0]}))
    throw ShapeError("bilinear: inputs " + to_string(x1.shape()) + " and " + to_string(x2.shape()) +
                     " with weight " + to_string(weight.shape()) +
                     (bias.defined() ? " and bias " + to_string(bias.shape()) : std::string()) +
                     " do not fit (expected [..., in1], [..., in2], [out, in1, in2] and [out])");
  const int64_t out = weight.shape()[0], in1 = weight.shape()[1], in2 = weight.shape()[2];
  const Shape lead = leading(x1);
  const int64_t rows = numel(lead);
  // x1 A_k for every k in one product: [rows, in1] x [in1, out in2], then the dot with x2.
  const Tensor left = matmul(reshape(x1, {rows, in1}), reshape(permute(weight, {1, 0, 2}), {in1, out * in2}));
  Tensor y = sum(reshape(left, {rows, out, in2}) * reshape(x2, {rows, 1, in2}), {2});
  if (bias.defined()) y = y + bias;
  Shape out_shape = lead;
  out_shape.push_back(out);
  return reshape(y, out_shape);
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t axis, double eps) {
  detail::require_floating(x1, "cosine_similarity");
  detail::common_device("cosine_similarity", {x1, x2});
  const Shape shape = broadcast_shapes(x1.shape(), x2.shape(), "cosine_similarity");
  const int a = normalize_axis(axis, static_cast<int64_t>(shape.size()), "cosine_similarity");
  // x / max(|x|, eps) as PyTorch 1.13 computes it: x / sqrt(s) with s = |x|^2 clamped to eps^2
  // outside the graph (in place, under no-grad), so s takes the clamped value but its gradient is
  // that of |x|^2 unclamped. Below eps that is not the derivative of x / eps; it is PyTorch's.
  const auto normalised = [&](const Tensor& x) {
    const Tensor b = broadcast_to(x, shape);
    const Tensor squared = sum(b * b, {a}, true);
    return b / sqrt(squared + (clamp(squared, eps * eps, std::nullopt) - squared).detach());
  };
  return sum(normalised(x1) * normalised(x2), {a});
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  detail::require_floating(x1, "pairwise_distance");
  detail::common_device("pairwise_distance", {x1, x2});
  if (!(p > 0))
    throw Error("pairwise_distance: p must be positive, got " + std::to_string(p));
  const Tensor difference = x1 - x2 + eps;
  if (difference.dim() < 1)
    throw ShapeError("pairwise_distance: inputs " + to_string(x1.shape()) + " and " + to_string(x2.shape()) +
                     " have no axis to measure along");
  if (p == 2.0) return sqrt(sum(difference * difference, {-1}, keepdim));
  if (p == 1.0) return sum(abs(difference), {-1}, keepdim);
  return pow(sum(pow(abs(difference), p), {-1}, keepdim), 1.0 / p);
}

}  // namespace nabla::functional
