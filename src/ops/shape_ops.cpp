// Views: new shapes and strides over the same storage. Their gradients undo the view.
#include <algorithm>

#include "ops/op_utils.h"

namespace nabla {
namespace {

Tensor view_of(const Tensor& x, Shape shape, Shape strides, int64_t offset) {
  return Tensor::make_view(x.storage(), std::move(shape), std::move(strides), offset, x.dtype());
}

Shape infer_shape(const Shape& requested, int64_t count, const Shape& from) {
  Shape shape = requested;
  int64_t infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer_at >= 0) throw ShapeError("reshape: only one axis can be -1 in " + to_string(requested));
      infer_at = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      throw ShapeError("reshape: invalid size in " + to_string(requested));
    }
  }
  // The known axes' product, refused when it overflows (checked_numel skips the -1 as a 1).
  Shape without_inferred = shape;
  if (infer_at >= 0) without_inferred[static_cast<size_t>(infer_at)] = 1;
  const int64_t known = checked_numel(without_inferred, "reshape");
  if (infer_at >= 0 && known != 0 && count % known == 0) shape[static_cast<size_t>(infer_at)] = count / known;
  if (checked_numel(shape, "reshape") != count || (infer_at >= 0 && known == 0))
    throw ShapeError("reshape: cannot reshape " + to_string(from) + " (" + std::to_string(count) +
                     " elements) into " + to_string(requested));
  return shape;
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& requested) {
  const Shape shape = infer_shape(requested, x.numel(), x.shape());
  const Tensor source = x.is_contiguous() ? x : x.contiguous();
  Tensor out = view_of(source.detach(), shape, contiguous_strides(shape), source.offset());
  return record("reshape", {source}, out, [from = x.shape()](const Tensor& g) -> std::vector<Tensor> {
    return {reshape(g, from)};
  });
}

Tensor permute(const Tensor& x, const Axes& axes) {
  if (static_cast<int64_t>(axes.size()) != x.dim())
    throw ShapeError("permute: " + std::to_string(axes.size()) + " axes given for a tensor of shape " +
                     to_string(x.shape()));
  std::vector<int> order = detail::normalize_axes(axes, x.dim(), "permute");  // checks duplicates
  (void)order;
  Shape shape(axes.size()), strides(axes.size());
  std::vector<int64_t> inverse(axes.size());
  for (size_t i = 0; i < axes.size(); ++i) {
    const int a = normalize_axis(axes[i], x.dim(), "permute");
    shape[i] = x.shape()[static_cast<size_t>(a)];
    strides[i] = x.strides()[static_cast<size_t>(a)];
    inverse[static_cast<size_t>(a)] = static_cast<int64_t>(i);
  }
  return record("permute", {x}, view_of(x, shape, strides, x.offset()),
                [inverse](const Tensor& g) -> std::vector<Tensor> { return {permute(g, inverse)}; });
}

Tensor transpose(const Tensor& x, int64_t a, int64_t b) {
  std::vector<int64_t> axes(static_cast<size_t>(x.dim()));
  for (int64_t i = 0; i < x.dim(); ++i) axes[static_cast<size_t>(i)] = i;
  std::swap(axes[static_cast<size_t>(normalize_axis(a, x.dim(), "transpose"))],
            axes[static_cast<size_t>(normalize_axis(b, x.dim(), "transpose"))]);
  return permute(x, axes);
}

Tensor squeeze(const Tensor& x, std::optional<int64_t> axis) {
  Shape shape, strides;
  const int only = axis ? normalize_axis(*axis, x.dim(), "squeeze") : -1;
  for (int64_t i = 0; i < x.dim(); ++i) {
    const bool drop = x.shape()[static_cast<size_t>(i)] == 1 && (only < 0 || only == i);
    if (drop) continue;
    shape.push_back(x.shape()[static_cast<size_t>(i)]);
    strides.push_back(x.strides()[static_cast<size_t>(i)]);
  }
  return record("squeeze", {x}, view_of(x, shape, strides, x.offset()),
                [from = x.shape()](const Tensor& g) -> std::vector<Tensor> { return {reshape(g, from)}; });
}

Tensor unsqueeze(const Tensor& x, int64_t axis) {
  const int a = normalize_axis(axis, x.dim() + 1, "unsqueeze");
  Shape shape = x.shape(), strides = x.strides();
  const int64_t stride = a < x.dim() ? shape[static_cast<size_t>(a)] * strides[static_cast<size_t>(a)] : 1;
  shape.insert(shape.begin() + a, 1);
  strides.insert(strides.begin() + a, stride);
  return record("unsqueeze", {x}, view_of(x, shape, strides, x.offset()),
                [from = x.shape()](const Tensor& g) -> std::vector<Tensor> { return {reshape(g, from)}; });
}

Tensor flatten(const Tensor& x, int64_t start_axis, int64_t end_axis) {
  if (x.dim() == 0) return reshape(x, {1});
  const int s = normalize_axis(start_axis, x.dim(), "flatten");
  const int e = normalize_axis(end_axis, x.dim(), "flatten");
  if (s > e) throw IndexError("flatten: start axis comes after end axis");
  Shape shape(x.shape().begin(), x.shape().begin() + s);
  int64_t merged = 1;
  for (int i = s; i <= e; ++i) merged *= x.shape()[static_cast<size_t>(i)];
  shape.push_back(merged);
  shape.insert(shape.end(), x.shape().begin() + e + 1, x.shape().end());
  return reshape(x, shape);
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  const Shape target = broadcast_shapes(x.shape(), shape, "broadcast_to");
  if (target != shape)
    throw ShapeError("broadcast_to: " + to_string(x.shape()) + " cannot be broadcast to " + to_string(shape));
  checked_numel(shape, "broadcast_to");  // a view, but its element count must still be countable
  return record("broadcast_to", {x}, view_of(x, shape, detail::broadcast_strides(x, shape), x.offset()),
                [from = x.shape()](const Tensor& g) -> std::vector<Tensor> { return {sum_to(g, from)}; });
}

}  // namespace nabla
