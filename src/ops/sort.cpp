// Sorting along an axis. The kernel finds the positions; the values are x gathered at them, so
// the gradient scatter-adds back through the same positions (gather's backward), to any order.
#include "kernels/cpu/sort.h"
#include "ops/op_utils.h"

namespace nabla {
namespace {

// The positions of the first k of each line along axis a in sorted order, i64 of x's shape with k
// along a.
Tensor sorted_positions(const Tensor& x, int a, int64_t k, bool descending, const char* name) {
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < x.dim(); ++i) {
    if (i < a) outer *= x.shape()[static_cast<size_t>(i)];
    if (i > a) inner *= x.shape()[static_cast<size_t>(i)];
  }
  Shape shape = x.shape();
  const int64_t n = shape[static_cast<size_t>(a)];
  shape[static_cast<size_t>(a)] = k;
  // A storage dtype sorts as its compute dtype, which holds every value exactly.
  const Tensor src = cast(x.detach(), compute_dtype(x.dtype())).contiguous();
  Tensor positions = Tensor::empty(shape, DType::i64, x.device());
  detail::kernel_for<kernels::sort_indices>(x.device(), name)(
      src.dtype(), outer, n, inner, k, descending, src.raw_data(), positions.data<int64_t>());
  return positions;
}

ValuesAndIndices sorted(const Tensor& x, int64_t axis, int64_t k, bool descending, const char* name) {
  if (x.dim() == 0) {
    const ValuesAndIndices line = sorted(reshape(x, {1}), axis, k, descending, name);
    return {reshape(line.values, {}), reshape(line.indices, {})};
  }
  const int a = normalize_axis(axis, x.dim(), name);
  const Tensor positions = sorted_positions(x, a, k, descending, name);
  return {gather(x, a, positions), positions};
}

}  // namespace

ValuesAndIndices sort(const Tensor& x, int64_t axis, bool descending) {
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[static_cast<size_t>(normalize_axis(axis, x.dim(), "sort"))];
  return sorted(x, axis, n, descending, "sort");
}

Tensor argsort(const Tensor& x, int64_t axis, bool descending) {
  if (x.dim() == 0) return zeros({}, DType::i64, x.device());
  const int a = normalize_axis(axis, x.dim(), "argsort");
  return sorted_positions(x, a, x.shape()[static_cast<size_t>(a)], descending, "argsort");
}

ValuesAndIndices topk(const Tensor& x, int64_t k, int64_t axis, bool largest) {
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[static_cast<size_t>(normalize_axis(axis, x.dim(), "topk"))];
  if (k < 0 || k > n)
    throw IndexError("topk: k = " + std::to_string(k) + " is out of range for an axis of size " +
                     std::to_string(n) + " of shape " + to_string(x.shape()));
  return sorted(x, axis, k, largest, "topk");
}

}  // namespace nabla
