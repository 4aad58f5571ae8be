// Ops that move or repeat elements without computing with them: flip (a kernel: a strided copy
// read backwards), roll (two slices in the other order) and repeat / tile (a broadcast of a view
// with an extra axis before each one). Each gradient takes the elements back where they came from,
// summing the copies of a repeat.
#include "kernels/cpu/flip.h"
#include "ops/op_utils.h"

namespace nabla {

Tensor flip(const Tensor& x, const Axes& axes_in) {
  std::vector<bool> reversed(static_cast<size_t>(x.dim()), false);
  if (!axes_in.empty())  // normalize_axes reads no axes as all of them; flip then reverses none
    for (int a : detail::normalize_axes(axes_in, x.dim(), "flip")) reversed[static_cast<size_t>(a)] = true;
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  detail::kernel_for<kernels::flip>(x.device(), "flip")(x.dtype(), x.shape(), out.raw_data(), out.strides(),
                                                        x.raw_data(), x.strides(), reversed);
  return record("flip", {x}, out, [axes_in](const Tensor& g) -> std::vector<Tensor> { return {flip(g, axes_in)}; });
}

Tensor roll(const Tensor& x, int64_t shift, std::optional<int64_t> axis) {
  if (!axis) return reshape(roll(reshape(x, {-1}), shift, 0), x.shape());
  const int a = normalize_axis(*axis, x.dim(), "roll");
  const int64_t n = x.shape()[static_cast<size_t>(a)];
  if (n == 0) return x;
  // Python's modulo: a shift of -1 on 5 elements is a shift of 4.
  const int64_t s = ((shift % n) + n) % n;
  if (s == 0) return x;
  return concat({slice(x, a, n - s, n), slice(x, a, 0, n - s)}, a);
}

Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const Axes& axes) {
  if (shifts.size() != axes.size())
    throw ShapeError("roll: " + std::to_string(shifts.size()) + " shifts given for " +
                     std::to_string(axes.size()) + " axes");
  Tensor out = x;
  for (size_t i = 0; i < axes.size(); ++i) out = roll(out, shifts[i], axes[i]);
  return out;
}

Tensor repeat(const Tensor& x, const std::vector<int64_t>& repeats) {
  if (static_cast<int64_t>(repeats.size()) < x.dim())
    throw ShapeError("repeat: " + std::to_string(repeats.size()) + " repeats given for a tensor of shape " +
                     to_string(x.shape()) + "; give at least one per axis");
  for (int64_t r : repeats)
    if (r < 0) throw ShapeError("repeat: repeats must not be negative, got " + to_string(repeats));
  // x as [1, s0, 1, s1, ...] (missing leading axes of size 1), broadcast to [r0, s0, r1, s1, ...],
  // then merged pairwise: position q * s + i of the result holds x[i], for every copy q.
  const size_t lead = repeats.size() - static_cast<size_t>(x.dim());
  Shape interleaved, broadcast, result;
  for (size_t i = 0; i < repeats.size(); ++i) {
    const int64_t size = i < lead ? 1 : x.shape()[i - lead];
    interleaved.insert(interleaved.end(), {1, size});
    broadcast.insert(broadcast.end(), {repeats[i], size});
    result.push_back(repeats[i] * size);
  }
  return reshape(broadcast_to(reshape(x, interleaved), broadcast), result);
}

Tensor tile(const Tensor& x, const std::vector<int64_t>& repeats) {
  std::vector<int64_t> padded(repeats);
  if (static_cast<int64_t>(padded.size()) < x.dim())
    padded.insert(padded.begin(), static_cast<size_t>(x.dim()) - padded.size(), 1);
  return repeat(x, padded);
}

}  // namespace nabla
