// Losses. cross_entropy with class indices is fused (log-softmax and NLL in one pass over the
// logits, the softmax kept for a one-loop backward); the others are short compositions of ops,
// or, for binary_cross_entropy_with_logits, an elementwise node with its derivative written out
// so that x = 0 gets sigmoid(0) - y exactly.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/cross_entropy.h"
#include "nabla/functional.h"
#include "ops/functional_detail.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

void check_reducible(const Tensor& input, const Tensor& target, const char* op) {
  detail::require_floating(input, op);
  if (input.shape() != target.shape())
    throw ShapeError(std::string(op) + ": input of shape " + to_string(input.shape()) +
                     " and target of shape " + to_string(target.shape()) + " differ");
}

// -log(sigmoid(x)) = softplus(-x) = max(-x, 0) + log1p(exp(-|x|)), never overflowing.
Tensor softplus_of_negative(const Tensor& x) { return relu(neg(x)) + log(exp(neg(abs(x))) + 1.0); }

// The class weights [classes] of a loss (undefined: every class weighs 1), checked against the
// input they weigh.
void check_class_weight(const Tensor& weight, const Tensor& input, int64_t classes, const char* op) {
  if (!weight.defined()) return;
  detail::common_device(op, {input, weight});
  if (weight.dtype() != input.dtype())
    throw DTypeError(std::string(op) + ": the class weights are " + to_string(weight.dtype()) +
                     " but the input is " + to_string(input.dtype()));
  if (weight.shape() != Shape{classes})
    throw ShapeError(std::string(op) + ": class weights of shape " + to_string(weight.shape()) +
                     " for input " + to_string(input.shape()) + " (expected [" +
                     std::to_string(classes) + "])");
}

// Class-index targets: one pass computes each row's log-sum-exp, its loss and its softmax.
Tensor cross_entropy_indices(const Tensor& logits_in, const Tensor& target_in,
                             const CrossEntropyOptions& options) {
  const bool single = logits_in.dim() == 1;
  const Tensor logits = single ? unsqueeze(logits_in, 0) : logits_in;
  const Tensor target = single ? reshape(target_in, {1}) : target_in;
  if (logits.dim() != 2 || target.dim() != 1 || target.shape()[0] != logits.shape()[0])
    throw ShapeError("cross_entropy: logits of shape " + to_string(logits_in.shape()) +
                     " and class indices of shape " + to_string(target_in.shape()) +
                     " do not fit (expected [N, C] and [N])");
  const Device device = detail::common_device("cross_entropy", {logits, target});
  const int64_t rows = logits.shape()[0], classes = logits.shape()[1];
  check_class_weight(options.weight, logits_in, classes, "cross_entropy");
  const kernels::CrossEntropyShape shape{rows, classes, options.ignore_index, options.label_smoothing};
  const Tensor x = logits.detach().contiguous();
  const Tensor labels = target.contiguous();
  // A constant, as in PyTorch (which has no derivative for the class weights).
  const Tensor class_weight = options.weight.defined() ? options.weight.detach().contiguous() : Tensor();

  Tensor probs = Tensor::empty({rows, classes}, x.dtype(), device);
  Tensor losses = Tensor::empty({rows}, x.dtype(), device);
  // The weight of each row's target class (1 without weights), 0 for an ignored row.
  Tensor row_weight = Tensor::empty({rows}, x.dtype(), device);
  kernels::CrossEntropyCount count;
  detail::with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    count = detail::kernel_for<kernels::cross_entropy_forward<T>>(device, "cross_entropy")(
        shape, x.data<T>(), labels.data<int64_t>(), detail::ptr<T>(class_weight), probs.data<T>(),
        losses.data<T>(), row_weight.data<T>());
  });
  if (count.bad_row >= 0)
    throw IndexError("cross_entropy: target " + std::to_string(count.bad_target) + " of row " +
                     std::to_string(count.bad_row) + " is out of range for " + std::to_string(classes) +
                     " classes (logits " + to_string(logits_in.shape()) + ")");
  // What each counted row's gradient is scaled by: 1, or 1 / (the total weight of the counted
  // rows' targets) for the mean, PyTorch's weighted mean (the row count without weights).
  double scale = 1.0;
  Tensor out;
  if (options.reduction == Reduction::none) {
    out = single ? reshape(losses, {}) : losses;
  } else {
    const double total = sum(losses).item();
    double value = total;
    if (options.reduction == Reduction::mean) {
      const double denominator = count.counted == 0 ? 0.0 : sum(row_weight).item();
      value = denominator == 0.0 ? std::numeric_limits<double>::quiet_NaN() : total / denominator;
      scale = denominator == 0.0 ? 0.0 : 1.0 / denominator;
    }
    out = scalar(value, x.dtype(), device);
  }
  const Reduction reduction = options.reduction;
  return record(
      "cross_entropy", {logits_in, target_in}, out,
      [logits_in, labels, probs, class_weight, shape, scale, reduction](const Tensor& g) -> std::vector<Tensor> {
        const int64_t rows = shape.rows, classes = shape.classes;
        if (!is_grad_enabled()) {
          // First order: r (a softmax - b) from the saved softmax, in one loop.
          const Tensor gc = g.detach().contiguous();
          Tensor gx = Tensor::empty(logits_in.shape(), probs.dtype(), probs.device());
          detail::with_floating(probs, [&](auto tag) {
            using T = decltype(tag);
            detail::kernel_for<kernels::cross_entropy_backward<T>>(probs.device(), "cross_entropy")(
                shape, probs.data<T>(), labels.data<int64_t>(), detail::ptr<T>(class_weight), gc.data<T>(),
                reduction == Reduction::none ? 1 : 0, scale, gx.data<T>());
          });
          return {gx, Tensor()};
        }
        // Higher order: the same formula with the softmax as an op, so it differentiates again.
        const DType dtype = probs.dtype();
        const Device device = probs.device();
        const double eps = shape.label_smoothing, share = eps / static_cast<double>(classes);
        const Tensor w = class_weight.defined() ? reshape(class_weight, {1, classes})
                                                : ones({1, classes}, dtype, device);
        const Tensor column = reshape(labels, {rows, 1});
        const Tensor is_target = cast(eq(column, arange(classes).to(device)), dtype);
        const Tensor counted =
            cast(ne(column, full({}, static_cast<double>(shape.ignore_index), DType::i64, device)), dtype);
        const Tensor target_weight = sum(is_target * w, {1}, true);
        const Tensor a = (target_weight * (1.0 - eps) + sum(w) * share) * counted;
        const Tensor b = (is_target * (1.0 - eps) + share) * w * counted;
        const Tensor logits2d = logits_in.dim() == 1 ? unsqueeze(logits_in, 0) : logits_in;
        const Tensor g_rows = reduction == Reduction::none ? reshape(g, {rows, 1}) : g;
        const Tensor gx = (softmax(logits2d, 1) * a - b) * (g_rows * scale);
        return {reshape(gx, logits_in.shape()), Tensor()};
      });
}

// Probability targets: -sum_c w_c t_c log_softmax(x)_c, composed of ops (both arguments
// differentiable); the mean is over rows, unweighted, as PyTorch's.
Tensor cross_entropy_probabilities(const Tensor& logits, const Tensor& target,
                                   const CrossEntropyOptions& options) {
  if (logits.shape() != target.shape())
    throw ShapeError("cross_entropy: probability targets of shape " + to_string(target.shape()) +
                     " must match the logits' " + to_string(logits.shape()));
  if (logits.dim() < 1 || logits.dim() > 2)
    throw ShapeError("cross_entropy: logits must be [N, C] or [C], got " + to_string(logits.shape()));
  const int64_t class_axis = logits.dim() - 1;
  check_class_weight(options.weight, logits, logits.shape().back(), "cross_entropy");
  Tensor t = target;
  if (options.label_smoothing != 0.0)
    t = t * (1.0 - options.label_smoothing) +
        options.label_smoothing / static_cast<double>(logits.shape().back());
  if (options.weight.defined()) t = t * options.weight.detach();
  return detail::reduce_loss(neg(sum(t * log_softmax(logits, class_axis), {class_axis})),
                             options.reduction);
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target, CrossEntropyOptions options) {
  detail::require_floating(logits, "cross_entropy");
  if (!(options.label_smoothing >= 0.0 && options.label_smoothing <= 1.0))
    throw Error("cross_entropy: label_smoothing must be in [0, 1], got " +
                std::to_string(options.label_smoothing));
  if (target.dtype() == DType::i64) return cross_entropy_indices(logits, target, options);
  if (target.dtype() != logits.dtype())
    throw DTypeError(std::string("cross_entropy: targets must be i64 class indices or ") +
                     to_string(logits.dtype()) + " probabilities, got " + to_string(target.dtype()));
  return cross_entropy_probabilities(logits, target, options);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction,
                int64_t ignore_index, const Tensor& weight) {
  detail::require_floating(log_probs, "nll_loss");
  detail::require_dtype(target, DType::i64, "nll_loss", "the target");
  if (log_probs.dim() != 2 || target.dim() != 1 || target.shape()[0] != log_probs.shape()[0])
    throw ShapeError("nll_loss: input of shape " + to_string(log_probs.shape()) + " and target of shape " +
                     to_string(target.shape()) + " do not fit (expected [N, C] and [N])");
  const int64_t rows = log_probs.shape()[0], classes = log_probs.shape()[1];
  check_class_weight(weight, log_probs, classes, "nll_loss");
  // Ignored rows pick class 0 and are then masked out, so gather sees only valid indices.
  std::vector<int64_t> picked = target.to_vector<int64_t>();
  std::vector<double> keep(picked.size(), 1.0);
  for (size_t i = 0; i < picked.size(); ++i) {
    if (picked[i] == ignore_index) {
      picked[i] = 0;
      keep[i] = 0.0;
    } else if (picked[i] < 0 || picked[i] >= classes) {
      throw IndexError("nll_loss: target " + std::to_string(picked[i]) + " of row " + std::to_string(i) +
                       " is out of range for " + std::to_string(classes) + " classes (input " +
                       to_string(log_probs.shape()) + ")");
    }
  }
  const Tensor index = from_vector(picked, {rows, 1}).to(log_probs.device());
  // Each row's weight: its target class's (1 without weights), 0 when ignored; a constant, as in
  // PyTorch.
  Tensor row_weight = from_vector(keep, {rows}, log_probs.dtype()).to(log_probs.device());
  if (weight.defined()) row_weight = row_weight * index_select(weight.detach(), 0, reshape(index, {rows}));
  const Tensor losses = neg(reshape(gather(log_probs, 1, index), {rows})) * row_weight;
  // PyTorch's weighted mean: divided by the total weight of the counted rows (0 / 0 = NaN when
  // every row is ignored).
  if (reduction == Reduction::mean) return sum(losses) / sum(row_weight).item();
  return detail::reduce_loss(losses, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        const Tensor& pos_weight, Reduction reduction) {
  check_reducible(logits, target, "binary_cross_entropy_with_logits");
  if (target.dtype() != logits.dtype() || (pos_weight.defined() && pos_weight.dtype() != logits.dtype()))
    throw DTypeError("binary_cross_entropy_with_logits: target and pos_weight must be " +
                     std::string(to_string(logits.dtype())));
  Tensor losses;
  {
    NoGradGuard no_grad;
    const Tensor softplus = softplus_of_negative(logits);  // -log(sigmoid(x))
    const Tensor positive_weight = pos_weight.defined() ? (pos_weight - 1.0) * target + 1.0 : Tensor();
    losses = (1.0 - target) * logits + (pos_weight.defined() ? positive_weight * softplus : softplus);
    if (losses.shape() != logits.shape())
      throw ShapeError("binary_cross_entropy_with_logits: pos_weight of shape " +
                       to_string(pos_weight.shape()) + " does not broadcast to " + to_string(logits.shape()));
  }
  losses = record("binary_cross_entropy_with_logits", {logits, target, pos_weight}, losses,
                  [x = logits, y = target, pw = pos_weight](const Tensor& g) -> std::vector<Tensor> {
                    Tensor gx, gy, gpw;
                    // With w = pos_weight: dl/dx = sigmoid(x) (w y + 1 - y) - w y,
                    // dl/dy = (w - 1) softplus(-x) - x, dl/dw = y softplus(-x).
                    if (x.requires_grad()) {
                      const Tensor s = sigmoid(x);
                      gx = g * (pw.defined() ? s * (pw * y + 1.0 - y) - pw * y : s - y);
                    }
                    if (y.requires_grad() || (pw.defined() && pw.requires_grad())) {
                      const Tensor sp = softplus_of_negative(x);
                      if (y.requires_grad()) gy = g * (pw.defined() ? (pw - 1.0) * sp - x : neg(x));
                      if (pw.defined() && pw.requires_grad()) gpw = sum_to(g * y * sp, pw.shape());
                    }
                    return {gx, gy, gpw};
                  });
  return detail::reduce_loss(losses, reduction);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_reducible(input, target, "mse_loss");
  const Tensor diff = input - target;
  return detail::reduce_loss(diff * diff, reduction);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  check_reducible(input, target, "huber_loss");
  if (!(delta > 0)) throw Error("huber_loss: delta must be positive, got " + std::to_string(delta));
  const Tensor diff = input - target;
  const Tensor size = abs(diff);
  const Tensor quadratic = diff * diff * 0.5;
  const Tensor linear_part = (size - 0.5 * delta) * delta;
  const Tensor inside = lt(size.detach(), scalar(delta, size.dtype(), size.device()));
  return detail::reduce_loss(where(inside, quadratic, linear_part), reduction);
}

}  // namespace nabla::functional
