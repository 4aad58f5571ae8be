// Shapes, strides and the broadcasting rules (NumPy's) that every op shares.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace nabla {

using Shape = std::vector<int64_t>;

// The element count of a shape already known to be valid (a tensor's).
int64_t numel(const Shape& shape);
// The element count of a shape from outside: throws ShapeError naming `op` when a dimension is
// negative or the count does not fit an int64 (it would wrap around, to a tensor with no memory).
int64_t checked_numel(const Shape& shape, const char* op);
// Row-major strides, in elements.
Shape contiguous_strides(const Shape& shape);
// "[2,3,4]"
std::string to_string(const Shape& shape);
// The shape two shapes broadcast to; throws ShapeError naming `op` when they do not.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Turns a possibly negative axis into 0..ndim-1; throws IndexError naming `op` when out of range.
int normalize_axis(int64_t axis, int64_t ndim, const char* op);

}  // namespace nabla
