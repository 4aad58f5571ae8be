// The differentiable operations. Each one states its forward (a kernel call) and its backward
// (other ops) together in src/ops/. Binary ops broadcast with NumPy's rules; the gradient of a
// broadcast operand is summed back to its shape (sum_to).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <optional>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla {

using Axes = std::vector<int64_t>;

// ---- arithmetic ------------------------------------------------------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor pow(const Tensor& base, const Tensor& exponent);
Tensor pow(const Tensor& base, double exponent);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

// In place, into `self` (which must not require grad while recording; see src/ops/inplace.cpp).
// `other` broadcasts to self's shape. Return self.
const Tensor& add_(const Tensor& self, const Tensor& other);
const Tensor& sub_(const Tensor& self, const Tensor& other);
const Tensor& mul_(const Tensor& self, const Tensor& other);
const Tensor& div_(const Tensor& self, const Tensor& other);
// self = src elementwise, src broadcast to self's shape and converted to self's dtype
// (torch's Tensor.copy_): loading weights, initialising parameters, updating running statistics.
const Tensor& copy_(const Tensor& self, const Tensor& src);

// ---- elementwise maths -----------------------------------------------------------------------------
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor sign(const Tensor& x);  // no gradient (zero almost everywhere)
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);

// Rounding to an integral value, as torch's: no gradient (zero almost everywhere, like sign), and
// integer tensors come back unchanged.
Tensor floor(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor round(const Tensor& x);  // halves to even, as torch.round: round(2.5) = 2, round(-0.5) = -0
Tensor trunc(const Tensor& x);  // towards zero
// The remainders of a / b (broadcasting; integers stay integers, and an integer b of 0 is an error).
// fmod = a - trunc(a / b) b takes the dividend's sign (C's fmod, torch.fmod); remainder = a -
// floor(a / b) b the divisor's (Python's %, torch.remainder). Gradients as torch's: 1 for a, and
// -trunc(a / b) or -floor(a / b) for b.
Tensor fmod(const Tensor& a, const Tensor& b);
Tensor fmod(const Tensor& a, double b);
Tensor remainder(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, double b);
// Trigonometric and hyperbolic functions and their inverses (outside the domain: NaN).
Tensor tan(const Tensor& x);
Tensor asin(const Tensor& x);
Tensor acos(const Tensor& x);
Tensor atan(const Tensor& x);
// The angle in (-pi, pi] of the point (b, a), i.e. atan(a / b) in the right quadrant (torch.atan2).
Tensor atan2(const Tensor& a, const Tensor& b);
Tensor sinh(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor asinh(const Tensor& x);
Tensor acosh(const Tensor& x);
Tensor atanh(const Tensor& x);
// The inverse of erf on (-1, 1); +-inf at +-1.
Tensor erfinv(const Tensor& x);

// ---- activations -----------------------------------------------------------------------------------
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor gelu(const Tensor& x);  // exact: x * Phi(x), as PyTorch's default
Tensor softmax(const Tensor& x, int64_t axis = -1);
Tensor log_softmax(const Tensor& x, int64_t axis = -1);

// The activations of torch.nn, with its defaults and its gradients at the kinks.
// x > 0 ? x : alpha (exp(x) - 1).
Tensor elu(const Tensor& x, double alpha = 1.0);
// scale * elu(x, alpha) with the self-normalising constants scale = 1.0507..., alpha = 1.6732...
Tensor selu(const Tensor& x);
// x > 0 ? x : alpha (exp(x / alpha) - 1); alpha must not be 0.
Tensor celu(const Tensor& x, double alpha = 1.0);
// log(1 + exp(beta x)) / beta, smooth relu; x itself where beta x > threshold (as torch's).
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor softsign(const Tensor& x);  // x / (1 + |x|)
// x > 0 ? x : weight x with a learned slope: weight holds one slope, or one per channel (axis 1 of
// x [N, C, ...]).
Tensor prelu(const Tensor& x, const Tensor& weight);
// clamp(x, min_val, max_val), with no gradient at the bounds themselves (torch.nn.Hardtanh).
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
Tensor hardsigmoid(const Tensor& x);  // min(max(x + 3, 0), 6) / 6
Tensor hardswish(const Tensor& x);    // x hardsigmoid(x)
Tensor silu(const Tensor& x);         // x sigmoid(x), also called swish
Tensor mish(const Tensor& x);         // x tanh(softplus(x))

// ---- comparisons, logical ops and selection (bool results, no gradient) --------------------------------
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
// Any dtype in, non-zero (NaN too) counting as true, as torch.logical_*.
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& x);
Tensor isnan(const Tensor& x);
Tensor isinf(const Tensor& x);     // +inf or -inf
Tensor isfinite(const Tensor& x);  // neither NaN nor infinite
// Picks a where condition is non-zero (true), b elsewhere.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

// ---- reductions (axes may be negative; an empty axis list means all axes) ----------------------------
Tensor sum(const Tensor& x, const Axes& axes = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Axes& axes = {}, bool keepdim = false);
// Unbiased (correction 1) by default, as torch.var.
Tensor var(const Tensor& x, const Axes& axes = {}, bool keepdim = false, int64_t correction = 1);
Tensor logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdim = false);
// Over one axis, or over everything when axis is empty. Gradient flows to the maximal elements
// (shared equally between ties).
Tensor max(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdim = false);
Tensor min(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdim = false);
Tensor argmax(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdim = false);

// ---- linear algebra --------------------------------------------------------------------------------
// numpy.matmul: 1-D operands are promoted and the added axis removed; batch axes broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- shape --------------------------------------------------------------------------------------------
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor transpose(const Tensor& x, int64_t a, int64_t b);
Tensor permute(const Tensor& x, const Axes& axes);
Tensor squeeze(const Tensor& x, std::optional<int64_t> axis = std::nullopt);
Tensor unsqueeze(const Tensor& x, int64_t axis);
Tensor flatten(const Tensor& x, int64_t start_axis = 0, int64_t end_axis = -1);
Tensor broadcast_to(const Tensor& x, const Shape& shape);
// Sums x down to `shape` (the reverse of broadcast_to): the gradient of a broadcast.
Tensor sum_to(const Tensor& x, const Shape& shape);
Tensor concat(const std::vector<Tensor>& tensors, int64_t axis = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t axis = 0);
// Pieces of `size` along axis (the last may be shorter), as torch.split.
std::vector<Tensor> split(const Tensor& x, int64_t size, int64_t axis = 0);
// Pieces of the given sizes.
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t axis = 0);
// Pads with `value`: pads lists (before, after) pairs starting from the LAST axis, as torch.nn.functional.pad.
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value = 0);

// ---- padding by mode (torch.nn.functional.pad's modes) ----------------------------------------------
// constant: `value` (the pad above); reflect: mirrored about the edge, the edge itself not repeated
// (each pad smaller than its axis); replicate: the edge repeated; circular: wrapped around from the
// other end (each pad at most its axis). Pads are (before, after) pairs from the last axis, as above,
// for any number of trailing axes.
enum class PadMode { constant, reflect, replicate, circular };
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, PadMode mode, double value = 0);

// ---- indexing -------------------------------------------------------------------------------------------
Tensor select(const Tensor& x, int64_t axis, int64_t index);
Tensor slice(const Tensor& x, int64_t axis, std::optional<int64_t> start,
             std::optional<int64_t> stop, int64_t step = 1);
// The inverse of slice: `source` written into zeros of `shape` at slice(axis, start, stop, step).
Tensor slice_scatter(const Tensor& source, const Shape& shape, int64_t axis, int64_t start,
                     int64_t stop, int64_t step);
// Rows (along axis) picked by an i64 index tensor; the gradient scatter-adds back.
Tensor index_select(const Tensor& x, int64_t axis, const Tensor& index);
// out = base, then out[..., index[i], ...] += source[..., i, ...] along axis.
Tensor index_add(const Tensor& base, int64_t axis, const Tensor& index, const Tensor& source);
// out[i][j] = x[i][index[i][j]] for axis 1 (torch.gather).
Tensor gather(const Tensor& x, int64_t axis, const Tensor& index);
// out = base, then out[i][index[i][j]] += source[i][j] for axis 1 (torch.scatter_add).
Tensor scatter_add(const Tensor& base, int64_t axis, const Tensor& index, const Tensor& source);

// ---- tensor ops PyTorch users reach for: triangles, scans, sorting, repetition, einsum, norms ----
// The lower (tril) or upper (triu) triangle of the last two axes, zeros elsewhere: element (i, j)
// is kept where j - i <= diagonal (tril) or j - i >= diagonal (triu), as torch.tril / torch.triu.
Tensor tril(const Tensor& x, int64_t diagonal = 0);
Tensor triu(const Tensor& x, int64_t diagonal = 0);
// Running sum and running product along axis (torch.cumsum, torch.cumprod). cumprod's gradient
// is exact where x holds zeros.
Tensor cumsum(const Tensor& x, int64_t axis);
Tensor cumprod(const Tensor& x, int64_t axis);
// The product over one axis, or over all of x when axis is empty (torch.prod); the gradient is
// exact where x holds zeros. An empty axis has product 1.
Tensor prod(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdim = false);
// The p-norm over axes (all of x when empty), as torch.linalg.vector_norm: p = 1, 2, INFINITY,
// -INFINITY or any p > 0; p = 2 over a matrix's two axes is its Frobenius norm. Where the norm is
// 0 the gradient is 0, as in PyTorch.
Tensor norm(const Tensor& x, double p = 2, const Axes& axes = {}, bool keepdim = false);

// Sorted values and the positions along the axis they came from (torch.return_types.sort).
struct ValuesAndIndices {
  Tensor values, indices;  // indices are i64
};
// Sorted along axis, ascending unless descending. The sort is stable (equal values keep their
// order) and NaN sorts above every number. The values are x gathered at the indices, so their
// gradient scatters back through the indices.
ValuesAndIndices sort(const Tensor& x, int64_t axis = -1, bool descending = false);
Tensor argsort(const Tensor& x, int64_t axis = -1, bool descending = false);  // sort's indices
// The k largest (or, unless largest, smallest) values along axis, in sorted order (torch.topk).
ValuesAndIndices topk(const Tensor& x, int64_t k, int64_t axis = -1, bool largest = true);

// Class indices (i64, each in [0, num_classes)) as one-hot vectors: i64 of shape
// [..., num_classes]; num_classes -1 takes the largest index + 1 (torch.nn.functional.one_hot).
Tensor one_hot(const Tensor& indices, int64_t num_classes = -1);
// x repeated repeats[a] times along each axis; extra leading repeats add leading axes
// (torch.Tensor.repeat: [1, 2] repeated {2, 3} is [1, 2, 1, 2, 1, 2] twice).
Tensor repeat(const Tensor& x, const std::vector<int64_t>& repeats);
// As repeat, except that fewer repeats than axes repeat the trailing axes (torch.tile).
Tensor tile(const Tensor& x, const std::vector<int64_t>& repeats);
// x reversed along each of axes (torch.flip).
Tensor flip(const Tensor& x, const Axes& axes);
// x shifted cyclically by shift positions along axis: what leaves one end comes back at the
// other. Without an axis, x is rolled as if flattened and keeps its shape (torch.roll).
Tensor roll(const Tensor& x, int64_t shift, std::optional<int64_t> axis = std::nullopt);
// Several rolls at once: shifts[i] along axes[i].
Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const Axes& axes);
// Einstein summation, as torch.einsum: "ij,jk->ik" (matmul), "bij,bjk->bik", "ij->ji", "ii->"
// (trace), "ii->i" (diagonal), "i,j->ij" (outer), "ij->i" (sum), and "..." for broadcast leading
// axes ("...ij,...jk->...ik"). Without "->" the output holds the labels that occur once, in
// alphabetical order. Computed with sum, mul, permute, reshape and matmul, so it differentiates as
// they do.
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);

// ---- conversion -------------------------------------------------------------------------------------------
Tensor cast(const Tensor& x, DType dtype);
// True when both have the same shape and every pair of elements satisfies
// |a - b| <= atol + rtol * |b|, as torch.allclose.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);

}  // namespace nabla
