// Picking parts of tensors. Views (select, slice) scatter their gradient back into zeros; index
// ops gather with an i64 index and scatter-add their gradient, and each pair is the other's
// backward, so every order of derivative works.
#include "kernels/cpu/index.h"
#include "ops/op_utils.h"

namespace nabla {
namespace {

struct SliceRange {
  int64_t start, stop, length;
};

// Python's rules: negative positions count from the end; out-of-range bounds are clipped.
SliceRange resolve(int64_t size, std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step) {
  auto clip = [size](int64_t v) {
    if (v < 0) v += size;
    return std::clamp<int64_t>(v, 0, size);
  };
  const int64_t b = start ? clip(*start) : 0;
  const int64_t e = std::max(b, stop ? clip(*stop) : size);
  return {b, e, (e - b + step - 1) / step};
}

// Views [outer, axis, inner] of a contiguous tensor for the index kernels.
struct Blocks {
  int64_t outer = 1, axis = 1, inner = 1;
};
Blocks blocks(const Shape& shape, int a) {
  Blocks b;
  for (int i = 0; i < static_cast<int>(shape.size()); ++i) {
    if (i < a) b.outer *= shape[static_cast<size_t>(i)];
    else if (i == a) b.axis = shape[static_cast<size_t>(i)];
    else b.inner *= shape[static_cast<size_t>(i)];
  }
  return b;
}

void check_index(const Tensor& index, int64_t limit, const char* op) {
  detail::require_dtype(index, DType::i64, op, "the index");
  // Read on the host: an index that points outside must be an error here, not a fault in a kernel.
  for (const int64_t i : index.to_vector<int64_t>())
    if (i < 0 || i >= limit)
      throw IndexError(std::string(op) + ": index " + std::to_string(i) +
                       " is out of range for an axis of size " + std::to_string(limit));
}

}  // namespace

Tensor select(const Tensor& x, int64_t axis, int64_t index) {
  const int a = normalize_axis(axis, x.dim(), "select");
  const int64_t size = x.shape()[static_cast<size_t>(a)];
  if (index < -size || index >= size)
    throw IndexError("select: index " + std::to_string(index) + " is out of range for axis " +
                     std::to_string(a) + " of size " + std::to_string(size));
  const int64_t i = index < 0 ? index + size : index;
  Shape shape = x.shape(), strides = x.strides();
  const int64_t offset = x.offset() + i * strides[static_cast<size_t>(a)];
  shape.erase(shape.begin() + a);
  strides.erase(strides.begin() + a);
  Tensor out = Tensor::make_view(x.storage(), shape, strides, offset, x.dtype());
  return record("select", {x}, out, [from = x.shape(), a, i](const Tensor& g) -> std::vector<Tensor> {
    return {slice_scatter(unsqueeze(g, a), from, a, i, i + 1, 1)};
  });
}

Tensor slice(const Tensor& x, int64_t axis, std::optional<int64_t> start, std::optional<int64_t> stop,
             int64_t step) {
  if (step <= 0) throw IndexError("slice: step must be positive, got " + std::to_string(step));
  const int a = normalize_axis(axis, x.dim(), "slice");
  const SliceRange r = resolve(x.shape()[static_cast<size_t>(a)], start, stop, step);
  Shape shape = x.shape(), strides = x.strides();
  const int64_t offset = x.offset() + r.start * strides[static_cast<size_t>(a)];
  shape[static_cast<size_t>(a)] = r.length;
  strides[static_cast<size_t>(a)] *= step;
  Tensor out = Tensor::make_view(x.storage(), shape, strides, offset, x.dtype());
  return record("slice", {x}, out, [from = x.shape(), a, r, step](const Tensor& g) -> std::vector<Tensor> {
    return {slice_scatter(g, from, a, r.start, r.stop, step)};
  });
}

Tensor slice_scatter(const Tensor& source, const Shape& shape, int64_t axis, int64_t start,
                     int64_t stop, int64_t step) {
  Tensor out = zeros(shape, source.dtype(), source.device());
  const Tensor window = slice(out, axis, start, stop, step);
  if (window.shape() != source.shape())
    throw ShapeError("slice_scatter: source of shape " + to_string(source.shape()) +
                     " does not fit the window " + to_string(window.shape()));
  detail::kernel_for<kernels::copy>(source.device(), "slice_scatter")(
      source.dtype(), source.dtype(), source.shape(), window.raw_data(), window.strides(),
      source.raw_data(), source.strides());
  return record("slice_scatter", {source}, out, [axis, start, stop, step](const Tensor& g) -> std::vector<Tensor> {
    return {slice(g, axis, start, stop, step)};
  });
}

Tensor index_select(const Tensor& x, int64_t axis, const Tensor& index) {
  return detail::index_select_as(x, axis, index, "index_select");
}

Tensor detail::index_select_as(const Tensor& x, int64_t axis, const Tensor& index, const char* op) {
  const int a = normalize_axis(axis, x.dim(), op);
  detail::common_device(op, {x, index});
  if (index.dim() != 1)
    throw ShapeError(std::string(op) + ": the index must be 1-D, got shape " + to_string(index.shape()));
  check_index(index, x.shape()[static_cast<size_t>(a)], op);
  const Tensor src = x.contiguous(), idx = index.contiguous();
  Shape shape = x.shape();
  shape[static_cast<size_t>(a)] = idx.numel();
  Tensor out = Tensor::empty(shape, x.dtype(), x.device());
  const Blocks b = blocks(x.shape(), a);
  detail::kernel_for<kernels::index_select>(x.device(), "index_select")(
      x.dtype(), b.outer, b.axis, b.inner, src.raw_data(), idx.data<int64_t>(), idx.numel(),
      out.raw_data());
  return record("index_select", {x}, out, [from = x.shape(), a, idx](const Tensor& g) -> std::vector<Tensor> {
    return {index_add(zeros(from, g.dtype(), g.device()), a, idx, g)};
  });
}

namespace {
// index_add or scatter_add of a storage dtype: the sums are taken in the compute dtype and stored
// back once.
using AddAt = Tensor (*)(const Tensor&, int64_t, const Tensor&, const Tensor&);
Tensor added_in_compute_dtype(AddAt add_at, const Tensor& base, int64_t axis, const Tensor& index,
                              const Tensor& source) {
  const DType compute = compute_dtype(base.dtype());
  return cast(add_at(cast(base, compute), axis, index, cast(source, compute)), base.dtype());
}
}  // namespace

Tensor index_add(const Tensor& base, int64_t axis, const Tensor& index, const Tensor& source) {
  const int a = normalize_axis(axis, base.dim(), "index_add");
  detail::common_device("index_add", {base, index, source});
  Shape expected = base.shape();
  if (index.dim() != 1 || expected.empty())
    throw ShapeError("index_add: needs a 1-D index and a base with axes");
  expected[static_cast<size_t>(a)] = index.numel();
  if (source.shape() != expected)
    throw ShapeError("index_add: source of shape " + to_string(source.shape()) + " should be " +
                     to_string(expected) + " for base " + to_string(base.shape()));
  detail::require_dtype(source, base.dtype(), "index_add", "the source");
  check_index(index, base.shape()[static_cast<size_t>(a)], "index_add");
  if (is_storage_only(base.dtype())) return added_in_compute_dtype(index_add, base, axis, index, source);
  Tensor out = base.detach().clone();
  const Tensor src = source.contiguous(), idx = index.contiguous();
  const Blocks b = blocks(base.shape(), a);
  detail::kernel_for<kernels::index_add>(base.device(), "index_add")(
      base.dtype(), b.outer, b.axis, b.inner, out.raw_data(), idx.data<int64_t>(), idx.numel(),
      src.raw_data());
  return record("index_add", {base, source}, out, [a, idx](const Tensor& g) -> std::vector<Tensor> {
    return {g, index_select(g, a, idx)};
  });
}

namespace {
void check_gather_shapes(const Tensor& x, const Tensor& index, int a, const char* op) {
  if (index.dim() != x.dim())
    throw ShapeError(std::string(op) + ": index of shape " + to_string(index.shape()) +
                     " and tensor of shape " + to_string(x.shape()) + " need the same number of axes");
  for (int i = 0; i < x.dim(); ++i)
    if (i != a && index.shape()[static_cast<size_t>(i)] != x.shape()[static_cast<size_t>(i)])
      throw ShapeError(std::string(op) + ": index of shape " + to_string(index.shape()) +
                       " must match " + to_string(x.shape()) + " on every axis but " + std::to_string(a));
}
}  // namespace

Tensor gather(const Tensor& x, int64_t axis, const Tensor& index) {
  const int a = normalize_axis(axis, x.dim(), "gather");
  detail::common_device("gather", {x, index});
  check_gather_shapes(x, index, a, "gather");
  check_index(index, x.shape()[static_cast<size_t>(a)], "gather");
  const Tensor src = x.contiguous(), idx = index.contiguous();
  Tensor out = Tensor::empty(index.shape(), x.dtype(), x.device());
  const Blocks b = blocks(x.shape(), a);
  detail::kernel_for<kernels::gather>(x.device(), "gather")(
      x.dtype(), b.outer, b.axis, b.inner, src.raw_data(), idx.data<int64_t>(),
      index.shape()[static_cast<size_t>(a)], out.raw_data());
  return record("gather", {x}, out, [from = x.shape(), a, idx](const Tensor& g) -> std::vector<Tensor> {
    return {scatter_add(zeros(from, g.dtype(), g.device()), a, idx, g)};
  });
}

Tensor scatter_add(const Tensor& base, int64_t axis, const Tensor& index, const Tensor& source) {
  const int a = normalize_axis(axis, base.dim(), "scatter_add");
  detail::common_device("scatter_add", {base, index, source});
  check_gather_shapes(base, index, a, "scatter_add");
  if (source.shape() != index.shape())
    throw ShapeError("scatter_add: source of shape " + to_string(source.shape()) +
                     " must match the index's " + to_string(index.shape()));
  detail::require_dtype(source, base.dtype(), "scatter_add", "the source");
  check_index(index, base.shape()[static_cast<size_t>(a)], "scatter_add");
  if (is_storage_only(base.dtype())) return added_in_compute_dtype(scatter_add, base, axis, index, source);
  Tensor out = base.detach().clone();
  const Tensor src = source.contiguous(), idx = index.contiguous();
  const Blocks b = blocks(base.shape(), a);
  detail::kernel_for<kernels::scatter_add>(base.device(), "scatter_add")(
      base.dtype(), b.outer, b.axis, b.inner, out.raw_data(), idx.data<int64_t>(),
      index.shape()[static_cast<size_t>(a)], src.raw_data());
  return record("scatter_add", {base, source}, out, [a, idx](const Tensor& g) -> std::vector<Tensor> {
    return {g, gather(g, a, idx)};
  });
}

}  // namespace nabla
