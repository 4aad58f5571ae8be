// Ops that compare positions, not values: the triangles of a matrix keep the elements whose column
// minus row passes a bound, and one-hot vectors mark where a class index equals a position. Both
// are comparisons of index ranges (arange) followed by where, so they need no kernel of their own
// and tril/triu differentiate as where does: the gradient is the same triangle of the gradient.
#include "ops/op_utils.h"

namespace nabla {
namespace {

// True where the element (i, j) of x's last two axes is kept, as bool [rows, columns]: j - i <=
// diagonal for the lower triangle, j - i >= diagonal for the upper.
Tensor triangle_mask(const Tensor& x, int64_t diagonal, bool lower, const char* name) {
  if (x.dim() < 2)
    throw ShapeError(std::string(name) + ": expects a tensor of at least 2 axes, got shape " + to_string(x.shape()));
  const int64_t rows = x.shape()[x.shape().size() - 2], columns = x.shape().back();
  const Tensor row = reshape(arange(rows).to(x.device()), {rows, 1});
  const Tensor column = reshape(arange(columns).to(x.device()), {1, columns});
  const Tensor bound = scalar(static_cast<double>(diagonal), DType::i64, x.device());
  return lower ? le(column - row, bound) : ge(column - row, bound);
}

}  // namespace

Tensor tril(const Tensor& x, int64_t diagonal) {
  return where(triangle_mask(x, diagonal, true, "tril"), x, zeros({}, x.dtype(), x.device()));
}

Tensor triu(const Tensor& x, int64_t diagonal) {
  return where(triangle_mask(x, diagonal, false, "triu"), x, zeros({}, x.dtype(), x.device()));
}

Tensor one_hot(const Tensor& indices, int64_t num_classes) {
  detail::require_dtype(indices, DType::i64, "one_hot", "the class indices");
  if (num_classes < -1)
    throw ShapeError("one_hot: num_classes must be -1 (inferred) or at least 0, got " + std::to_string(num_classes));
  if (indices.numel() == 0) {
    if (num_classes == -1)
      throw ShapeError("one_hot: cannot infer the number of classes from an empty tensor of shape " +
                       to_string(indices.shape()));
  } else {
    const int64_t smallest = min(indices).item<int64_t>(), largest = max(indices).item<int64_t>();
    if (num_classes == -1) num_classes = largest + 1;
    if (smallest < 0)
      throw IndexError("one_hot: class index " + std::to_string(smallest) + " is negative");
    if (largest >= num_classes)
      throw IndexError("one_hot: class index " + std::to_string(largest) + " is out of range for " +
                       std::to_string(num_classes) + " classes");
  }
  return cast(eq(unsqueeze(indices, -1), arange(num_classes).to(indices.device())), DType::i64);
}

}  // namespace nabla
