// Fused layer functions: linear (one GEMM, bias added in place), dropout, local response norm,
// embedding, and the parameter penalties. Backward formulas use ops, so they differentiate again.
#include <cmath>

#include "kernels/cpu/gemm.h"
#include "nabla/functional.h"
#include "nabla/random.h"
#include "ops/functional_detail.h"
#include "ops/op_utils.h"

namespace nabla {
namespace detail {

Tensor reduce_loss(const Tensor& losses, functional::Reduction reduction) {
  switch (reduction) {
    case functional::Reduction::none: return losses;
    case functional::Reduction::sum: return sum(losses);
    case functional::Reduction::mean: return mean(losses);
  }
  return losses;
}

Tensor dropout_mask(const Shape& shape, DType dtype, Device device, double p) {
  Tensor mask = Tensor::empty(shape, dtype);
  Generator& generator = default_generator();
  // Dropped when the 32-bit uniform u satisfies u < p 2^32 (every u when p = 1).
  const uint64_t threshold = static_cast<uint64_t>(std::ldexp(p, 32));
  with_floating(mask, [&](auto tag) {
    using T = decltype(tag);
    T* m = mask.data<T>();
    const T scale = static_cast<T>(p >= 1.0 ? 0.0 : 1.0 / (1.0 - p));
    const int64_t count = mask.numel();
    for (int64_t i = 0; i < count; i += 2) {
      const uint64_t bits = generator.next_u64();
      m[i] = (bits >> 32) < threshold ? T(0) : scale;
      if (i + 1 < count) m[i + 1] = (bits & 0xffffffffu) < threshold ? T(0) : scale;
    }
  });
  // Drawn on the host from the one generator, so a seed gives the same mask on every device.
  return mask.to(device);
}

}  // namespace detail

namespace functional {
namespace {

void require_same_dtype(const Tensor& a, const Tensor& b, const char* op, const char* what) {
  if (b.defined() && a.dtype() != b.dtype())
    throw DTypeError(std::string(op) + ": " + what + " is " + to_string(b.dtype()) +
                     " but the input is " + to_string(a.dtype()));
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  detail::require_floating(x, "linear");
  require_same_dtype(x, weight, "linear", "the weight");
  require_same_dtype(x, bias, "linear", "the bias");
  if (weight.dim() != 2 || x.dim() < 1 || x.shape().back() != weight.shape()[1])
    throw ShapeError("linear: input of shape " + to_string(x.shape()) +
                     " does not fit a weight of shape " + to_string(weight.shape()) +
                     " (expected [..., in] and [out, in])");
  const int64_t in = weight.shape()[1], out_features = weight.shape()[0];
  if (bias.defined() && bias.shape() != Shape{out_features})
    throw ShapeError("linear: bias of shape " + to_string(bias.shape()) + " should be [" +
                     std::to_string(out_features) + "] for a weight of shape " +
                     to_string(weight.shape()));
  const Device device = detail::common_device("linear", {x, weight, bias});
  const Tensor rows = x.contiguous();
  const int64_t n = in == 0 ? 0 : rows.numel() / in;
  Shape out_shape = x.shape();
  out_shape.back() = out_features;
  Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());

  // x W^T: a row-major [out, in] weight is its own transpose in column-major, so BLAS reads it
  // with the transpose flag; a weight that is itself a transposed view needs no flag at all.
  Tensor w = weight;
  bool trans_w = true;
  int64_t ldw = w.strides()[0];
  if (!(w.strides()[1] == 1 && ldw >= in)) {
    if (w.strides()[0] == 1 && w.strides()[1] >= out_features) {
      trans_w = false;
      ldw = w.strides()[1];
    } else {
      w = w.contiguous();
      ldw = in;
    }
  }
  if (ldw < 1) ldw = 1;
  detail::with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    T* po = static_cast<T*>(out.raw_data());
    T beta = T(0);
    if (bias.defined()) {
      // Rows start as the bias and the GEMM accumulates onto them (beta = 1): no second pass.
      const Tensor b = bias.contiguous();
      detail::kernel_for<kernels::copy>(device, "linear")(b.dtype(), b.dtype(), {n, out_features}, po,
                                                          {out_features, 1}, b.raw_data(), {0, 1});
      beta = T(1);
    }
    if (n > 0 && out_features > 0)
      detail::kernel_for<kernels::gemm<T>>(device, "linear")(
          false, trans_w, n, out_features, in, T(1), static_cast<const T*>(rows.raw_data()),
          std::max<int64_t>(in, 1), static_cast<const T*>(w.raw_data()), ldw, beta, po,
          out_features);
  });
  return record("linear", {x, weight, bias}, out,
                [x, weight, bias, in, out_features](const Tensor& g) -> std::vector<Tensor> {
                  Tensor gx, gw, gb;
                  if (x.requires_grad()) gx = matmul(g, weight);
                  const Tensor g_rows = reshape(g, {-1, out_features});
                  if (weight.requires_grad())
                    gw = matmul(transpose(g_rows, 0, 1), reshape(x, {-1, in}));
                  if (bias.defined() && bias.requires_grad()) gb = sum(g_rows, {0});
                  return {gx, gw, gb};
                });
}

namespace {

void check_probability(double p, const char* op) {
  if (!(p >= 0.0 && p <= 1.0))
    throw Error(std::string(op) + ": probability must be in [0, 1], got " + std::to_string(p));
}

}  // namespace

Tensor dropout(const Tensor& x, double p, bool training) {
  check_probability(p, "dropout");
  if (!training || p == 0.0) return x;
  detail::require_floating(x, "dropout");
  return x * detail::dropout_mask(x.shape(), x.dtype(), x.device(), p);
}

Tensor dropout2d(const Tensor& x, double p, bool training) {
  check_probability(p, "dropout2d");
  if (x.dim() != 4) throw ShapeError("dropout2d: expects [N, C, H, W], got " + to_string(x.shape()));
  if (!training || p == 0.0) return x;
  detail::require_floating(x, "dropout2d");
  // One draw per channel, broadcast over its plane.
  return x * detail::dropout_mask({x.shape()[0], x.shape()[1], 1, 1}, x.dtype(), x.device(), p);
}

Tensor local_response_norm(const Tensor& x, int64_t size, double alpha, double beta, double k) {
  detail::require_floating(x, "local_response_norm");
  if (x.dim() < 3)
    throw ShapeError("local_response_norm: expects [N, C, ...], got " + to_string(x.shape()));
  if (size < 1) throw Error("local_response_norm: size must be positive, got " + std::to_string(size));
  // The sum of squares over channels [c - size/2, c + (size-1)/2], zero beyond the edges (PyTorch
  // pads size/2 channels before and (size-1)/2 after): shifted slices of the padded squares.
  const int64_t channels = x.shape()[1];
  // pad takes (before, after) pairs from the last axis back to the channel axis.
  std::vector<int64_t> pads(static_cast<size_t>(2 * (x.dim() - 1)), 0);
  pads[pads.size() - 2] = size / 2;
  pads[pads.size() - 1] = (size - 1) / 2;
  const Tensor padded = pad(x * x, pads);
  Tensor window_sum = slice(padded, 1, 0, channels);
  for (int64_t i = 1; i < size; ++i) window_sum = window_sum + slice(padded, 1, i, i + channels);
  return x * pow(window_sum * (alpha / static_cast<double>(size)) + k, -beta);
}

Tensor embedding(const Tensor& indices, const Tensor& weight) {
  detail::require_dtype(indices, DType::i64, "embedding", "the indices");
  if (weight.dim() != 2)
    throw ShapeError("embedding: weight must be [num_embeddings, dim], got " + to_string(weight.shape()));
  Shape out_shape = indices.shape();
  out_shape.push_back(weight.shape()[1]);
  // index_select's backward is index_add into the touched rows only.
  return reshape(detail::index_select_as(weight, 0, reshape(indices, {-1}), "embedding"), out_shape);
}

Tensor l1_penalty(const std::vector<Tensor>& params) {
  Tensor total;
  for (const Tensor& p : params) total = total.defined() ? total + sum(abs(p)) : sum(abs(p));
  return total.defined() ? total : scalar(0);
}

Tensor l2_penalty(const std::vector<Tensor>& params) {
  Tensor total;
  for (const Tensor& p : params) total = total.defined() ? total + sum(p * p) : sum(p * p);
  return total.defined() ? total : scalar(0);
}

}  // namespace functional
}  // namespace nabla
