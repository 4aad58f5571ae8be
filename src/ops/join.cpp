// Joining and splitting along an axis, and padding.
#include "ops/op_utils.h"

namespace nabla {

Tensor concat(const std::vector<Tensor>& tensors, int64_t axis) {
  if (tensors.empty()) throw ShapeError("concat: needs at least one tensor");
  const Tensor& first = tensors[0];
  const int a = normalize_axis(axis, first.dim(), "concat");
  Shape shape = first.shape();
  shape[static_cast<size_t>(a)] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    detail::common_device("concat", {first, t});
    bool fits = t.dim() == first.dim() && t.dtype() == first.dtype();
    for (int64_t d = 0; fits && d < t.dim(); ++d)
      fits = d == a || t.shape()[static_cast<size_t>(d)] == first.shape()[static_cast<size_t>(d)];
    if (!fits)
      throw ShapeError("concat: tensor " + std::to_string(i) + " of shape " + to_string(t.shape()) +
                       " (" + to_string(t.dtype()) + ") does not fit tensor 0 of shape " +
                       to_string(first.shape()) + " (" + to_string(first.dtype()) + ") along axis " +
                       std::to_string(a));
    shape[static_cast<size_t>(a)] += t.shape()[static_cast<size_t>(a)];
  }
  Tensor out = Tensor::empty(shape, first.dtype(), first.device());
  std::vector<int64_t> offsets;
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    const int64_t len = t.shape()[static_cast<size_t>(a)];
    const Tensor window = slice(out, a, at, at + len);
    detail::kernel_for<kernels::copy>(t.device(), "concat")(t.dtype(), t.dtype(), t.shape(),
                                                            window.raw_data(), window.strides(),
                                                            t.raw_data(), t.strides());
    offsets.push_back(at);
    at += len;
  }
  offsets.push_back(at);
  return record("concat", tensors, out, [a, offsets](const Tensor& g) -> std::vector<Tensor> {
    std::vector<Tensor> grads;
    for (size_t i = 0; i + 1 < offsets.size(); ++i) grads.push_back(slice(g, a, offsets[i], offsets[i + 1]));
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t axis) {
  if (tensors.empty()) throw ShapeError("stack: needs at least one tensor");
  const int a = normalize_axis(axis, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].shape() != tensors[0].shape())
      throw ShapeError("stack: tensor " + std::to_string(i) + " has shape " + to_string(tensors[i].shape()) +
                       ", tensor 0 has " + to_string(tensors[0].shape()));
    expanded.push_back(unsqueeze(tensors[i], a));
  }
  return concat(expanded, a);
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t axis) {
  const int a = normalize_axis(axis, x.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  if (total != x.shape()[static_cast<size_t>(a)])
    throw ShapeError("split: sizes add up to " + std::to_string(total) + " but axis " + std::to_string(a) +
                     " of " + to_string(x.shape()) + " has " + std::to_string(x.shape()[static_cast<size_t>(a)]));
  std::vector<Tensor> parts;
  int64_t at = 0;
  for (int64_t s : sizes) {
    parts.push_back(slice(x, a, at, at + s));
    at += s;
  }
  return parts;
}

std::vector<Tensor> split(const Tensor& x, int64_t size, int64_t axis) {
  if (size <= 0) throw ShapeError("split: size must be positive, got " + std::to_string(size));
  const int64_t n = x.shape()[static_cast<size_t>(normalize_axis(axis, x.dim(), "split"))];
  std::vector<int64_t> sizes;
  for (int64_t at = 0; at < n; at += size) sizes.push_back(std::min(size, n - at));
  return split(x, sizes, axis);
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value) {
  if (pads.size() % 2 != 0 || static_cast<int64_t>(pads.size() / 2) > x.dim())
    throw ShapeError("pad: " + std::to_string(pads.size()) + " pad values for a tensor of shape " +
                     to_string(x.shape()) + "; give (before, after) pairs for up to " +
                     std::to_string(x.dim()) + " axes, last axis first");
  Shape shape = x.shape();
  // Where x sits in the output along each axis; unpadded axes keep their whole extent.
  std::vector<std::pair<int64_t, int64_t>> windows;
  for (int64_t size : x.shape()) windows.emplace_back(0, size);
  for (size_t p = 0; p < pads.size() / 2; ++p) {
    const size_t axis = static_cast<size_t>(x.dim()) - 1 - p;
    if (pads[2 * p] < 0 || pads[2 * p + 1] < 0)
      throw ShapeError("pad: negative padding is not supported");
    shape[axis] += pads[2 * p] + pads[2 * p + 1];
    windows[axis] = {pads[2 * p], pads[2 * p] + x.shape()[axis]};
  }
  Tensor out = full(shape, value, x.dtype(), x.device());
  Tensor window = out;
  for (size_t axis = 0; axis < windows.size(); ++axis)
    window = slice(window, static_cast<int64_t>(axis), windows[axis].first, windows[axis].second);
  detail::kernel_for<kernels::copy>(x.device(), "pad")(x.dtype(), x.dtype(), x.shape(),
                                                       window.raw_data(), window.strides(),
                                                       x.raw_data(), x.strides());
  return record("pad", {x}, out, [windows](const Tensor& g) -> std::vector<Tensor> {
    Tensor inner = g;
    for (size_t axis = 0; axis < windows.size(); ++axis)
      inner = slice(inner, static_cast<int64_t>(axis), windows[axis].first, windows[axis].second);
    return {inner};
  });
}

}  // namespace nabla
