// Scaled dot-product attention and the masked softmax at its heart. The softmax folds the 1/sqrt(d)
// scale and the additive mask into one pass over the scores (kernels/cpu/attention_softmax), so
// attention is two batched GEMMs and two softmax passes (forward and backward) per step.
#include <cmath>
#include <limits>

#include "kernels/cpu/attention_softmax.h"
#include "nabla/functional.h"
#include "nabla/nn/attention.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

// softmax(scale * scores + mask) over the last axis; mask is undefined or additive of the scores'
// dtype and broadcasts to them. Its gradient is scale * y * (g - sum(g y)) for the scores and
// y * (g - sum(g y)) summed to the mask's shape for a mask that requires grad.
Tensor scaled_masked_softmax(const Tensor& scores, const Tensor& mask, double scale) {
  const Tensor x = scores.contiguous().detach();
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      kernels::MaskView<T> view;
      if (mask.defined()) {
        view.data = mask.data<T>();
        view.strides = detail::broadcast_strides(mask, x.shape());
      }
      kernels::masked_softmax<T>(x.shape(), x.data<T>(), static_cast<T>(scale), view, y.data<T>());
    }
  });
  return record("masked_softmax", {scores, mask}, y,
                [out = SavedOutput(y), mask, scale](const Tensor& g) -> std::vector<Tensor> {
                  const Tensor s = out.get();
                  Tensor shifted;  // y * (g - sum(g y)): the softmax's own gradient
                  if (is_grad_enabled()) {
                    shifted = s * (g - sum(g * s, {-1}, true));
                  } else {  // plain backward: one fused pass
                    const Tensor gc = g.contiguous(), sc = s.contiguous();
                    shifted = Tensor::empty(s.shape(), s.dtype());
                    const int64_t n = s.dim() == 0 ? 1 : s.shape().back();
                    const int64_t rows = n == 0 ? 0 : s.numel() / n;
                    dispatch(s.dtype(), [&](auto tag) {
                      using T = decltype(tag);
                      if constexpr (std::is_floating_point_v<T>)
                        kernels::softmax_backward<T>(rows, n, sc.data<T>(), gc.data<T>(),
                                                     shifted.data<T>());
                    });
                  }
                  Tensor g_mask;
                  if (mask.defined() && mask.requires_grad()) g_mask = sum_to(shifted, mask.shape());
                  return {scale == 1.0 ? shifted : shifted * scale, g_mask};
                });
}

// The mask as additive in the scores' dtype, checked to broadcast to the scores.
Tensor prepared_mask(const Tensor& mask, const Tensor& scores, bool true_attends, const char* op) {
  if (!mask.defined()) return mask;
  Tensor additive = additive_mask(mask, scores.dtype(), true_attends, op);
  // Each of the mask's axes, aligned from the right, is 1 or the scores' own size.
  bool fits = additive.dim() <= scores.dim();
  for (int64_t i = 1; fits && i <= additive.dim(); ++i) {
    const int64_t m = additive.shape()[static_cast<size_t>(additive.dim() - i)];
    fits = m == 1 || m == scores.shape()[static_cast<size_t>(scores.dim() - i)];
  }
  if (!fits)
    throw ShapeError(std::string(op) + ": mask of shape " + to_string(mask.shape()) +
                     " does not broadcast to the attention scores " + to_string(scores.shape()));
  return additive;
}

}  // namespace

Tensor additive_mask(const Tensor& mask, DType dtype, bool true_attends, const char* op) {
  if (is_floating(mask.dtype())) return mask.dtype() == dtype ? mask : cast(mask, dtype);
  // Boolean: 0 where attending is allowed, -inf where it is not.
  const double inf = std::numeric_limits<double>::infinity();
  if (!is_floating(dtype))
    throw DTypeError(std::string(op) + ": the attention scores must be floating, got " + to_string(dtype));
  const Tensor allowed = true_attends ? ne(mask, scalar(0, DType::i64)) : eq(mask, scalar(0, DType::i64));
  return where(allowed, zeros({}, dtype), full({}, -inf, dtype));
}

Tensor causal_mask(int64_t length, DType dtype) {
  if (length < 0) throw ShapeError("causal_mask: negative length " + std::to_string(length));
  if (!is_floating(dtype)) throw DTypeError("causal_mask: an additive mask must be floating, got " + std::string(to_string(dtype)));
  Tensor mask = Tensor::empty({length, length}, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* m = mask.data<T>();
    for (int64_t i = 0; i < length; ++i)
      for (int64_t j = 0; j < length; ++j)
        m[i * length + j] = j <= i ? T(0) : -std::numeric_limits<T>::infinity();
  });
  return mask;
}

Tensor masked_softmax(const Tensor& scores, const Tensor& mask) {
  detail::require_floating(scores, "masked_softmax");
  if (scores.dim() < 1) throw ShapeError("masked_softmax: scores need at least one axis, got a 0-d tensor");
  return scaled_masked_softmax(scores, prepared_mask(mask, scores, true, "masked_softmax"), 1.0);
}

AttentionResult scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const Tensor& mask, bool is_causal, double dropout_p,
                                             bool training) {
  const char* op = "scaled_dot_product_attention";
  detail::require_floating(q, op);
  if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.shape().back() != k.shape().back() ||
      k.shape()[k.shape().size() - 2] != v.shape()[v.shape().size() - 2])
    throw ShapeError(std::string(op) + ": query " + to_string(q.shape()) + ", key " +
                     to_string(k.shape()) + " and value " + to_string(v.shape()) +
                     " do not fit (expected [..., Lq, d], [..., Lk, d], [..., Lk, dv])");
  if (!(dropout_p >= 0.0 && dropout_p <= 1.0))
    throw Error(std::string(op) + ": dropout_p must be in [0, 1], got " + std::to_string(dropout_p));
  const int64_t d = q.shape().back();
  const Tensor scores = matmul(q, transpose(k, -1, -2));  // [..., Lq, Lk]
  Tensor additive = prepared_mask(mask, scores, true, op);
  if (is_causal) {
    const int64_t lq = scores.shape()[scores.shape().size() - 2], lk = scores.shape().back();
    // Top-left aligned: query i sees keys 0..i, whatever lk is.
    const Tensor causal = slice(causal_mask(std::max(lq, lk), scores.dtype()), 0, 0, lq).slice(1, 0, lk);
    additive = additive.defined() ? additive + causal : causal;
  }
  const double scale = d > 0 ? 1.0 / std::sqrt(static_cast<double>(d)) : 1.0;
  Tensor weights = scaled_masked_softmax(scores, additive, scale);
  if (dropout_p > 0.0 && training) weights = dropout(weights, dropout_p, true);
  return {matmul(weights, v), weights};
}

}  // namespace nabla::functional
