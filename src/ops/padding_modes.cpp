// Padding by reflection, replication and wrapping (torch.nn.functional.pad's modes). Each padded
// axis becomes an index_select of the positions the mode reads: for an axis of 4 padded by 2 on
// each side, reflect reads 2 1 [0 1 2 3] 2 1, replicate 0 0 [0 1 2 3] 3 3, circular 2 3 [0 1 2 3]
// 0 1. index_select's gradient adds back into the positions read (an edge read twice gets both),
// and differentiates again, so no kernel of its own is needed.
#include <algorithm>
#include <string>

#include "ops/op_utils.h"

namespace nabla {
namespace {

const char* mode_name(PadMode mode) {
  switch (mode) {
    case PadMode::constant: return "constant";
    case PadMode::reflect: return "reflect";
    case PadMode::replicate: return "replicate";
    case PadMode::circular: return "circular";
  }
  return "?";
}

// The input position that output position i (counted from -before) reads along an axis of `size`.
int64_t source_position(int64_t i, int64_t size, PadMode mode) {
  switch (mode) {
    case PadMode::reflect: return i < 0 ? -i : (i >= size ? 2 * (size - 1) - i : i);
    case PadMode::replicate: return std::clamp<int64_t>(i, 0, size - 1);
    case PadMode::circular: return ((i % size) + size) % size;
    case PadMode::constant: break;
  }
  return i;
}

}  // namespace

Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, PadMode mode, double value) {
  if (mode == PadMode::constant) return pad(x, pads, value);
  const std::string op = std::string("pad (") + mode_name(mode) + ")";
  if (pads.size() % 2 != 0 || static_cast<int64_t>(pads.size() / 2) > x.dim())
    throw ShapeError(op + ": " + std::to_string(pads.size()) + " pad values for a tensor of shape " +
                     to_string(x.shape()) + "; give (before, after) pairs for up to " +
                     std::to_string(x.dim()) + " axes, last axis first");
  Tensor out = x;
  for (size_t p = 0; p < pads.size() / 2; ++p) {
    const int64_t axis = x.dim() - 1 - static_cast<int64_t>(p);
    const int64_t before = pads[2 * p], after = pads[2 * p + 1];
    const int64_t size = x.shape()[static_cast<size_t>(axis)];
    // reflect needs a position beyond the edge to mirror; circular may wrap around once.
    const int64_t limit = mode == PadMode::reflect ? size - 1 : (mode == PadMode::circular ? size : -1);
    if (before < 0 || after < 0 || size == 0 || (limit >= 0 && std::max(before, after) > limit))
      throw ShapeError(op + ": pads (" + std::to_string(before) + ", " + std::to_string(after) +
                       ") do not fit axis " + std::to_string(axis) + " of shape " + to_string(x.shape()) +
                       (limit >= 0 ? " (each must be non-negative and at most " + std::to_string(limit) + ")"
                                   : " (they must be non-negative, the axis not empty)"));
    if (before == 0 && after == 0) continue;
    std::vector<int64_t> positions;
    for (int64_t i = -before; i < size + after; ++i) positions.push_back(source_position(i, size, mode));
    out = index_select(out, axis, from_vector(positions).to(x.device()));
  }
  return out;
}

}  // namespace nabla
