// Size arithmetic for shapes read from untrusted files.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace nabla::io::detail {

// The byte size of a row-major array of `extents` with `itemsize`-byte elements, or nullopt when
// it cannot be represented. Zero extents are skipped in the overflow check, not just multiplied
// through: an empty [0, 2^40, 2^40] tensor still has strides of 2^80 elements, which would overflow
// the int64 strides every Tensor carries.
inline std::optional<uint64_t> checked_byte_size(const std::vector<uint64_t>& extents,
                                                 uint64_t itemsize) {
  constexpr auto kLimit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t nonzero_product = itemsize;
  bool any_zero = false;
  for (const uint64_t extent : extents) {
    if (extent == 0) {
      any_zero = true;
      continue;
    }
    if (__builtin_mul_overflow(nonzero_product, extent, &nonzero_product) ||
        nonzero_product > kLimit) {
      return std::nullopt;
    }
  }
  return any_zero ? 0 : nonzero_product;
}

}  // namespace nabla::io::detail
