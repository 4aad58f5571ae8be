// What the op implementations share: running kernels on tensors, broadcasting strides, checks.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <string>
#include <type_traits>

#include "kernels/cpu/elementwise.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "tensor/kernel_for.h"

namespace nabla::detail {

// x's strides seen through a broadcast to `shape` (stride 0 on broadcast axes).
Shape broadcast_strides(const Tensor& x, const Shape& shape);

// out = a (op) b with broadcasting and type promotion; no autograd. Comparisons give bool; storage
// dtypes (bool, f16, bf16) compute in compute_dtype() and their result is stored back.
Tensor binary_kernel(kernels::BinaryOp op, const Tensor& a, const Tensor& b, const char* name);
// out = op(x); no autograd; storage dtypes as in binary_kernel. `name` is the op, for errors.
Tensor unary_kernel(kernels::UnaryOp op, const Tensor& x, const char* name,
                    kernels::UnaryParams params = {});
// unary_kernel for ops defined on floating tensors only (f16 and bf16 included, computed in f32):
// refuses any other dtype, naming the op.
Tensor floating_unary(kernels::UnaryOp op, const Tensor& x, const char* name,
                      kernels::UnaryParams params = {});

// x is f32 or f64, the dtypes non-elementwise kernels compute in; f16 and bf16 are refused with the
// advice to convert. Elementwise ops, which compute the 16-bit floats in f32, ask only for
// require_floating_storage (any floating dtype).
void require_floating(const Tensor& x, const char* op);
void require_floating_storage(const Tensor& x, const char* op);
// x is not of a storage dtype (for ops that also compute in i64).
void require_computed(const Tensor& x, const char* op);
void require_dtype(const Tensor& x, DType dtype, const char* op, const char* what);
// A 0-d tensor of `value` in the dtype that x op value should compute in.
Tensor scalar_for(const Tensor& x, double value);

// Typed views of a tensor's data for kernels, nullptr for an undefined (optional) tensor such as
// a missing bias.
template <class T>
const T* ptr(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}
template <class T>
T* mut(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
}

// fn(T{}) for a floating tensor's element type; the caller has already rejected other dtypes
// (require_floating), so the integer instantiations are never compiled.
template <class Fn>
void with_floating(const Tensor& t, Fn fn) {
  dispatch(t.dtype(), [&](auto tag) {
    if constexpr (std::is_floating_point_v<decltype(tag)>) fn(tag);
    else throw_not_computed_in(t.dtype());
  });
}

// f(x) for x of a storage dtype, computed in its compute dtype and stored back in x's (rounded
// once). Differentiable: cast is.
template <class F>
Tensor through_compute_dtype(const Tensor& x, F&& f) {
  return cast(f(cast(x, compute_dtype(x.dtype()))), x.dtype());
}

// index_select whose errors name `op`, the function the user called (embedding selects rows).
Tensor index_select_as(const Tensor& x, int64_t axis, const Tensor& index, const char* op);

// The shape of x reduced over `axes` (normalized, sorted), keeping size-1 axes or not.
Shape reduced_shape(const Shape& shape, const std::vector<int>& axes, bool keepdim);
std::vector<int> normalize_axes(const Axes& axes, int64_t ndim, const char* op);

}  // namespace nabla::detail
