// Scaled dot-product attention and the masked softmax at its heart. The softmax folds the 1/sqrt(d)
// scale and the additive mask into one pass over the scores (kernels/cpu/attention_softmax).
// When the weights are not asked for, attention runs fused (kernels/cpu/attention): each head's
// scores, softmax, dropout and products in one go, forward and backward.
#include <cmath>
#include <limits>

#include "kernels/cpu/attention.h"
#include "kernels/cpu/attention_softmax.h"
#include "nabla/functional.h"
#include "ops/functional_detail.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

// softmax(scale * scores + mask) over the last axis; mask is undefined or additive of the scores'
// dtype and broadcasts to them. Its gradient is scale * y * (g - sum(g y)) for the scores and
// y * (g - sum(g y)) summed to the mask's shape for a mask that requires grad.
Tensor scaled_masked_softmax(const Tensor& scores, const Tensor& mask, double scale) {
  const Tensor x = scores.contiguous().detach();
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  detail::with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    kernels::MaskView<T> view;
    if (mask.defined()) {
      view.data = mask.data<T>();
      view.strides = detail::broadcast_strides(mask, x.shape());
    }
    detail::kernel_for<kernels::masked_softmax<T>>(x.device(), "masked_softmax")(
        x.shape(), x.data<T>(), static_cast<T>(scale), view, y.data<T>());
  });
  return record("masked_softmax", {scores, mask}, y,
                [out = SavedOutput(y), mask, scale](const Tensor& g) -> std::vector<Tensor> {
                  const Tensor s = out.get();
                  Tensor shifted;  // y * (g - sum(g y)): the softmax's own gradient
                  if (is_grad_enabled()) {
                    shifted = s * (g - sum(g * s, {-1}, true));
                  } else {  // plain backward: one fused pass
                    const Tensor gc = g.contiguous(), sc = s.contiguous();
                    shifted = Tensor::empty(s.shape(), s.dtype(), s.device());
                    const int64_t n = s.dim() == 0 ? 1 : s.shape().back();
                    const int64_t rows = n == 0 ? 0 : s.numel() / n;
                    detail::with_floating(s, [&](auto tag) {
                      using T = decltype(tag);
                      const auto softmax_backward =
                          detail::kernel_for<kernels::softmax_backward<T>>(s.device(), "masked_softmax");
                      softmax_backward(rows, n, sc.data<T>(), gc.data<T>(), shifted.data<T>());
                    });
                  }
                  Tensor g_mask;
                  if (mask.defined() && mask.requires_grad()) g_mask = sum_to(shifted, mask.shape());
                  return {scale == 1.0 ? shifted : shifted * scale, g_mask};
                });
}

// The mask as additive in the scores' dtype, checked to broadcast to the scores.
Tensor prepared_mask(const Tensor& mask, const Shape& scores, DType dtype, bool true_attends, const char* op) {
  if (!mask.defined()) return mask;
  Tensor additive = additive_mask(mask, dtype, true_attends, op);
  // Each of the mask's axes, aligned from the right, is 1 or the scores' own size.
  const size_t rank = scores.size();
  bool fits = additive.shape().size() <= rank;
  for (size_t i = 1; fits && i <= additive.shape().size(); ++i) {
    const int64_t m = additive.shape()[additive.shape().size() - i];
    fits = m == 1 || m == scores[rank - i];
  }
  if (!fits)
    throw ShapeError(std::string(op) + ": mask of shape " + to_string(mask.shape()) +
                     " does not broadcast to the attention scores " + to_string(scores));
  return additive;
}

// The axes before the last two: a batch of matrices.
Shape batch_axes(const Tensor& t) { return Shape(t.shape().begin(), t.shape().end() - 2); }

// ---- fused attention -----------------------------------------------------------------------------------
// The last two axes of x as a BatchedMatrix over the batch axes `batch` (x's leading axes): no copy
// when they are row- or column-major with unit stride, else x is made contiguous first (into `owner`).
template <class T>
kernels::BatchedMatrix<T> batched_matrix(const Tensor& x, const Shape& batch, Tensor& owner) {
  const auto layout = [](const Tensor& t, bool& transposed, int64_t& ld) {
    const size_t n = t.shape().size();
    const int64_t rows = t.shape()[n - 2], cols = t.shape()[n - 1];
    const int64_t rs = t.strides()[n - 2], cs = t.strides()[n - 1];
    if ((cs == 1 || cols == 1) && rs >= std::max<int64_t>(cols, 1)) {
      transposed = false;
      ld = std::max<int64_t>(rs, 1);
      return true;
    }
    if ((rs == 1 || rows == 1) && cs >= std::max<int64_t>(rows, 1)) {
      transposed = true;
      ld = std::max<int64_t>(cs, 1);
      return true;
    }
    return false;
  };
  kernels::BatchedMatrix<T> m;
  owner = x.detach();
  if (!layout(owner, m.transposed, m.ld)) {
    owner = owner.contiguous();
    layout(owner, m.transposed, m.ld);
  }
  m.data = owner.data<T>();
  const int64_t count = numel(batch);
  m.offsets.resize(static_cast<size_t>(count));
  for (int64_t b = 0; b < count; ++b) {
    int64_t offset = 0, rest = b;
    for (size_t axis = batch.size(); axis-- > 0;) {
      offset += (rest % batch[axis]) * owner.strides()[axis];
      rest /= batch[axis];
    }
    m.offsets[static_cast<size_t>(b)] = offset;
  }
  return m;
}

// Per batch entry, where its [Lq, Lk] block of the (broadcast) additive mask starts.
template <class T>
kernels::BatchedMask<T> batched_mask(const Tensor& mask, const Shape& scores_shape) {
  kernels::BatchedMask<T> m;
  if (!mask.defined()) return m;
  const Shape strides = detail::broadcast_strides(mask, scores_shape);
  const size_t n = scores_shape.size();
  m.data = mask.data<T>();
  m.row_stride = strides[n - 2];
  m.col_stride = strides[n - 1];
  const Shape batch(scores_shape.begin(), scores_shape.end() - 2);
  const int64_t count = numel(batch);
  m.offsets.resize(static_cast<size_t>(count));
  for (int64_t b = 0; b < count; ++b) {
    int64_t offset = 0, rest = b;
    for (size_t axis = batch.size(); axis-- > 0;) {
      offset += (rest % batch[axis]) * strides[axis];
      rest /= batch[axis];
    }
    m.offsets[static_cast<size_t>(b)] = offset;
  }
  return m;
}

// softmax(scale q k^T + mask) (dropped out) v for q, k, v with the same batch axes and a mask that
// needs no gradient. Plain backward runs the fused kernel; under create_graph the gradient is
// written with ops (recomputing the softmax from q and k), so it differentiates again.
Tensor fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, double scale,
                       double dropout_p) {
  const size_t n = q.shape().size();
  const Shape batch = batch_axes(q);
  const kernels::AttentionShape s{numel(batch), q.shape()[n - 2], k.shape()[n - 2], q.shape()[n - 1],
                                  v.shape()[n - 1]};
  Shape scores_shape = batch, out_shape = batch;
  scores_shape.insert(scores_shape.end(), {s.lq, s.lk});
  out_shape.insert(out_shape.end(), {s.lq, s.dv});
  const Tensor keep =
      dropout_p > 0.0 ? detail::dropout_mask(scores_shape, q.dtype(), q.device(), dropout_p) : Tensor();
  Tensor qc, kc, vc;
  Tensor probs = Tensor::empty(scores_shape, q.dtype(), q.device());
  Tensor dropped = keep.defined() ? Tensor::empty(scores_shape, q.dtype(), q.device()) : Tensor();
  Tensor out = Tensor::empty(out_shape, q.dtype(), q.device());
  detail::with_floating(q, [&](auto tag) {
    using T = decltype(tag);
    detail::kernel_for<kernels::attention_forward<T>>(q.device(), "scaled_dot_product_attention")(
        s, batched_matrix<T>(q, batch, qc), batched_matrix<T>(k, batch, kc),
        batched_matrix<T>(v, batch, vc), batched_mask<T>(mask, scores_shape), static_cast<T>(scale),
        keep.defined() ? keep.data<T>() : nullptr, probs.data<T>(),
        dropped.defined() ? dropped.data<T>() : nullptr, out.data<T>());
  });
  return record("scaled_dot_product_attention", {q, k, v}, out,
                [q, k, v, qc, kc, vc, mask, keep, probs, dropped, scale, s, batch](const Tensor& g) -> std::vector<Tensor> {
    if (is_grad_enabled()) {  // create_graph: the same gradient in differentiable ops
      const Tensor p = scaled_masked_softmax(matmul(q, transpose(k, -1, -2)), mask, scale);
      const Tensor w = keep.defined() ? p * keep : p;
      Tensor g_w = matmul(g, transpose(v, -1, -2));
      if (keep.defined()) g_w = g_w * keep;
      const Tensor g_s = p * (g_w - sum(g_w * p, {-1}, true)) * scale;
      return {q.requires_grad() ? matmul(g_s, k) : Tensor(),
              k.requires_grad() ? matmul(transpose(g_s, -1, -2), q) : Tensor(),
              v.requires_grad() ? matmul(transpose(w, -1, -2), g) : Tensor()};
    }
    Tensor gq = Tensor::empty(q.shape(), q.dtype(), q.device()), gk = Tensor::empty(k.shape(), k.dtype(), k.device()),
           gv = Tensor::empty(v.shape(), v.dtype(), v.device());
    detail::with_floating(q, [&](auto tag) {
      using T = decltype(tag);
      Tensor unused, gc;
      const auto attention_backward =
          detail::kernel_for<kernels::attention_backward<T>>(q.device(), "scaled_dot_product_attention");
      attention_backward(
          s, batched_matrix<T>(qc, batch, unused), batched_matrix<T>(kc, batch, unused),
          batched_matrix<T>(vc, batch, unused), static_cast<T>(scale), probs.data<T>(),
          keep.defined() ? keep.data<T>() : nullptr,
          dropped.defined() ? dropped.data<T>() : nullptr, batched_matrix<T>(g, batch, gc),
          gq.data<T>(), gk.data<T>(), gv.data<T>());
    });
    return {gq, gk, gv};
  });
}

}  // namespace

Tensor additive_mask(const Tensor& mask, DType dtype, bool true_attends, const char* op) {
  if (is_floating(mask.dtype())) return mask.dtype() == dtype ? mask : cast(mask, dtype);
  // Boolean: 0 where attending is allowed, -inf where it is not.
  const double inf = std::numeric_limits<double>::infinity();
  if (!is_floating(dtype))
    throw DTypeError(std::string(op) + ": the attention scores must be floating, got " + to_string(dtype));
  const Tensor zero = scalar(0, DType::i64, mask.device());
  const Tensor allowed = true_attends ? ne(mask, zero) : eq(mask, zero);
  return where(allowed, zeros({}, dtype, mask.device()), full({}, -inf, dtype, mask.device()));
}

Tensor causal_mask(int64_t length, DType dtype, Device device) {
  if (length < 0) throw ShapeError("causal_mask: negative length " + std::to_string(length));
  if (!is_floating(dtype)) throw DTypeError("causal_mask: an additive mask must be floating, got " + std::string(to_string(dtype)));
  Tensor mask = Tensor::empty({length, length}, dtype);
  detail::with_floating(mask, [&](auto tag) {
    using T = decltype(tag);
    T* m = mask.data<T>();
    for (int64_t i = 0; i < length; ++i)
      for (int64_t j = 0; j < length; ++j)
        m[i * length + j] = j <= i ? T(0) : -std::numeric_limits<T>::infinity();
  });
  return mask.to(device);  // a constant, built once per call on the host
}

Tensor masked_softmax(const Tensor& scores, const Tensor& mask) {
  detail::require_floating(scores, "masked_softmax");
  detail::common_device("masked_softmax", {scores, mask});
  if (scores.dim() < 1) throw ShapeError("masked_softmax: scores need at least one axis, got a 0-d tensor");
  return scaled_masked_softmax(scores, prepared_mask(mask, scores.shape(), scores.dtype(), true, "masked_softmax"), 1.0);
}

AttentionResult scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const Tensor& mask, bool is_causal, double dropout_p,
                                             bool training, bool need_weights) {
  const char* op = "scaled_dot_product_attention";
  detail::require_floating(q, op);
  detail::common_device(op, {q, k, v, mask});
  if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.shape().back() != k.shape().back() ||
      k.shape()[k.shape().size() - 2] != v.shape()[v.shape().size() - 2])
    throw ShapeError(std::string(op) + ": query " + to_string(q.shape()) + ", key " +
                     to_string(k.shape()) + " and value " + to_string(v.shape()) +
                     " do not fit (expected [..., Lq, d], [..., Lk, d], [..., Lk, dv])");
  if (!(dropout_p >= 0.0 && dropout_p <= 1.0))
    throw Error(std::string(op) + ": dropout_p must be in [0, 1], got " + std::to_string(dropout_p));
  const int64_t d = q.shape().back();
  const int64_t lq = q.shape()[q.shape().size() - 2], lk = k.shape()[k.shape().size() - 2];
  Shape scores_shape = broadcast_shapes(batch_axes(q), batch_axes(k), op);
  scores_shape.insert(scores_shape.end(), {lq, lk});
  Tensor additive = prepared_mask(mask, scores_shape, q.dtype(), true, op);
  if (is_causal) {
    // Top-left aligned: query i sees keys 0..i, whatever lk is.
    const Tensor causal = slice(causal_mask(std::max(lq, lk), q.dtype(), q.device()), 0, 0, lq).slice(1, 0, lk);
    additive = additive.defined() ? additive + causal : causal;
  }
  const double scale = d > 0 ? 1.0 / std::sqrt(static_cast<double>(d)) : 1.0;
  const double p = training ? dropout_p : 0.0;
  // The fused path needs one (q, k, v) triple per batch entry and a mask that takes no gradient.
  const bool fusable = !need_weights && batch_axes(q) == batch_axes(k) && batch_axes(k) == batch_axes(v) &&
                       q.dtype() == k.dtype() && k.dtype() == v.dtype() && q.numel() > 0 && k.numel() > 0 &&
                       v.numel() > 0 && !(additive.defined() && additive.requires_grad());
  if (fusable) return {fused_attention(q, k, v, additive, scale, p), Tensor()};
  const Tensor scores = matmul(q, transpose(k, -1, -2));  // [..., Lq, Lk]
  Tensor weights = scaled_masked_softmax(scores, additive, scale);
  if (p > 0.0) weights = weights * detail::dropout_mask(weights.shape(), weights.dtype(), weights.device(), p);
  return {matmul(weights, v), weights};
}

}  // namespace nabla::functional
