#include "nabla/shape.h"

#include <string>

#include "nabla/error.h"

namespace nabla {

int64_t numel(const Shape& shape) {
  // Unsigned, so that a valid shape with a zero, whose other sizes multiply past int64 (they may:
  // it holds no elements), wraps instead of overflowing; a zero factor still gives 0.
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return static_cast<int64_t>(n);
}

int64_t checked_numel(const Shape& shape, const char* op) {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t d : shape) {
    if (d < 0)
      throw ShapeError(std::string(op) + ": negative dimension " + std::to_string(d) + " in shape " +
                       to_string(shape));
    overflow = overflow || __builtin_mul_overflow(n, d, &n);
  }
  // A zero dimension makes the count 0 however large the others are, as in PyTorch.
  for (int64_t d : shape)
    if (d == 0) return 0;
  if (overflow)
    throw ShapeError(std::string(op) + ": shape " + to_string(shape) +
                     " has more elements than an int64 can count");
  return n;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  // Unsigned, so a shape like [0, 2^32, 2^32] (no elements, but a product past int64 before the
  // zero) wraps instead of overflowing; its strides never address anything.
  uint64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = static_cast<int64_t>(s);
    s *= static_cast<uint64_t>(shape[i]);
  }
  return strides;
}

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      throw ShapeError(std::string(op) + ": shapes " + to_string(a) + " and " + to_string(b) +
                       " cannot be broadcast together (axis " + std::to_string(i) + ": " +
                       std::to_string(da) + " vs " + std::to_string(db) + ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int normalize_axis(int64_t axis, int64_t ndim, const char* op) {
  const int64_t n = ndim == 0 ? 1 : ndim;  // a 0-d tensor accepts axis 0 and -1, as PyTorch
  if (axis < -n || axis >= n)
    throw IndexError(std::string(op) + ": axis " + std::to_string(axis) +
                     " is out of range for a tensor with " + std::to_string(ndim) + " axes");
  return static_cast<int>(axis < 0 ? axis + n : axis);
}

}  // namespace nabla
