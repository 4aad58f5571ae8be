// Matrix products (numpy.matmul semantics) on BLAS. Transposed operands are passed to BLAS as
// flags rather than copied, which matters in backward where every product has a transpose.
#include "kernels/cpu/gemm.h"
#include "ops/op_utils.h"

namespace nabla {
namespace {

// How a matrix (the last two axes of a tensor) can be handed to BLAS without a copy.
struct MatrixLayout {
  bool transposed;  // stored column-major
  int64_t ld;       // leading dimension
};

std::optional<MatrixLayout> blas_layout(const Tensor& t) {
  const int64_t n = t.dim();
  const int64_t rows = t.shape()[static_cast<size_t>(n - 2)], cols = t.shape()[static_cast<size_t>(n - 1)];
  const int64_t rs = t.strides()[static_cast<size_t>(n - 2)], cs = t.strides()[static_cast<size_t>(n - 1)];
  if ((cs == 1 || cols == 1) && rs >= std::max<int64_t>(cols, 1)) return MatrixLayout{false, std::max<int64_t>(rs, 1)};
  if ((rs == 1 || rows == 1) && cs >= std::max<int64_t>(rows, 1)) return MatrixLayout{true, std::max<int64_t>(cs, 1)};
  return std::nullopt;
}

// a: [..., m, k], b: [..., k, n] with batch axes already broadcast to `batch`.
Tensor batched_gemm(Tensor a, Tensor b, const Shape& batch) {
  const int64_t m = a.shape()[a.shape().size() - 2], k = a.shape().back(), n = b.shape().back();
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  // Nothing to multiply (an empty operand has no BLAS layout): an empty product, or sums over an
  // empty k, which are zeros.
  if (numel(out_shape) == 0 || k == 0) return zeros(out_shape, a.dtype(), a.device());
  Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
  auto la = blas_layout(a);
  if (!la) {
    a = a.contiguous();
    la = blas_layout(a);
  }
  auto lb = blas_layout(b);
  if (!lb) {
    b = b.contiguous();
    lb = blas_layout(b);
  }
  const Shape a_strides = detail::broadcast_strides(a, [&] { Shape s = batch; s.push_back(m); s.push_back(k); return s; }());
  const Shape b_strides = detail::broadcast_strides(b, [&] { Shape s = batch; s.push_back(k); s.push_back(n); return s; }());
  const int64_t batches = numel(batch);
  dispatch(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    T* pc = static_cast<T*>(out.raw_data());
    const auto gemm = detail::kernel_for<kernels::gemm<T>>(a.device(), "matmul");
    for (int64_t i = 0; i < batches; ++i) {
      int64_t oa = 0, ob = 0, rest = i;
      for (size_t axis = batch.size(); axis-- > 0;) {
        const int64_t idx = rest % batch[axis];
        rest /= batch[axis];
        oa += idx * a_strides[axis];
        ob += idx * b_strides[axis];
      }
      gemm(la->transposed, lb->transposed, m, n, k, T(1), pa + oa, la->ld, pb + ob, lb->ld, T(0),
           pc + i * m * n, n);
    }
  });
  return out;
}

Tensor matmul_forward(const Tensor& a, const Tensor& b) {
  // A 2-D right operand with a contiguous left one: fold the batch into the rows, one big GEMM.
  if (b.dim() == 2 && a.dim() > 2 && a.is_contiguous()) {
    const int64_t k = a.shape().back();
    Tensor flat = a.detach().reshape({-1, k});
    Tensor out = batched_gemm(flat, b.detach(), {});
    Shape shape = a.shape();
    shape.back() = b.shape()[1];
    return out.reshape(shape).detach();
  }
  Shape batch_a(a.shape().begin(), a.shape().end() - 2), batch_b(b.shape().begin(), b.shape().end() - 2);
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  return batched_gemm(a.detach(), b.detach(), batch);
}

}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  if (a_in.dim() == 0 || b_in.dim() == 0)
    throw ShapeError("matmul: both operands need at least one axis, got " + to_string(a_in.shape()) +
                     " and " + to_string(b_in.shape()));
  detail::common_device("matmul", {a_in, b_in});
  if (a_in.dtype() != b_in.dtype())
    throw DTypeError(std::string("matmul: operands have different dtypes ") + to_string(a_in.dtype()) +
                     " and " + to_string(b_in.dtype()));
  detail::require_computed(a_in, "matmul");
  // Vectors become matrices ([k] -> [1,k] on the left, [k,1] on the right) and lose that axis after.
  if (a_in.dim() == 1 || b_in.dim() == 1) {
    Tensor out = matmul(a_in.dim() == 1 ? unsqueeze(a_in, 0) : a_in,
                        b_in.dim() == 1 ? unsqueeze(b_in, 1) : b_in);
    if (b_in.dim() == 1) out = squeeze(out, -1);
    if (a_in.dim() == 1) out = squeeze(out, b_in.dim() == 1 ? -1 : -2);
    return out;
  }
  const int64_t k = a_in.shape().back(), kb = b_in.shape()[b_in.shape().size() - 2];
  if (k != kb)
    throw ShapeError("matmul: " + to_string(a_in.shape()) + " x " + to_string(b_in.shape()) +
                     ": inner dimensions " + std::to_string(k) + " and " + std::to_string(kb) + " differ");
  Tensor out = matmul_forward(a_in, b_in);
  return record("matmul", {a_in, b_in}, out, [a = a_in, b = b_in](const Tensor& g) -> std::vector<Tensor> {
    Tensor ga, gb;
    if (a.requires_grad()) ga = sum_to(matmul(g, transpose(b, -1, -2)), a.shape());
    if (b.requires_grad()) {
      if (b.dim() == 2 && a.dim() > 2) {  // the batch folded into rows, as in forward
        const Tensor rows_a = reshape(a, {-1, a.shape().back()});
        gb = matmul(transpose(rows_a, 0, 1), reshape(g, {-1, g.shape().back()}));
      } else {
        gb = sum_to(matmul(transpose(a, -1, -2), g), b.shape());
      }
    }
    return {ga, gb};
  });
}

}  // namespace nabla
