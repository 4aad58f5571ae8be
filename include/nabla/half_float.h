// The two 16-bit floating formats, as storage: IEEE binary16 ("f16", 1 sign, 5 exponent, 10
// mantissa bits) and bfloat16 ("bf16", the top half of an f32: 8 exponent, 7 mantissa bits). The
// CPU computes in f32 and rounds results back; a value is only ever converted, never operated on.
// Conversions round to nearest, ties to even, as the hardware instructions and PyTorch do.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace nabla {

namespace half_bits {

constexpr uint32_t kF32Sign = 0x8000'0000u, kF32Infinity = 0x7f80'0000u;

inline uint16_t from_float(float value) {
  uint32_t x = std::bit_cast<uint32_t>(value);
  const auto sign = static_cast<uint16_t>((x & kF32Sign) >> 16);
  x &= ~kF32Sign;
  if (x >= kF32Infinity) return sign | (x > kF32Infinity ? 0x7e00 : 0x7c00);  // NaN stays quiet NaN
  if (x >= 0x477f'f000u) return sign | 0x7c00;  // 65520 and above round past 65504, the largest
  if (x < 0x3880'0000u) {
    // Below 2^-14 the result is subnormal, in units of 2^-24: scaling by 2^24 is exact, and
    // nearbyint rounds ties to even (1024 units carry into the smallest normal, 0x0400).
    const float units = std::bit_cast<float>(x) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(units));
  }
  // Normal: drop 13 mantissa bits rounding to nearest even (add just under half a unit, plus the
  // kept last bit), then move the exponent bias from 127 to 15. A carry into the exponent is the
  // correctly rounded result.
  x += 0x0fffu + ((x >> 13) & 1u);
  return sign | static_cast<uint16_t>((x - (112u << 23)) >> 13);
}

inline float to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x03ffu;
  if (exponent == 0x1f) return std::bit_cast<float>(sign | kF32Infinity | (mantissa << 13));
  if (exponent == 0) {  // zero or subnormal: mantissa units of 2^-24, exact in f32
    const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-08f;
    return sign ? -magnitude : magnitude;
  }
  return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

inline uint16_t bfloat_from_float(float value) {
  const uint32_t x = std::bit_cast<uint32_t>(value);
  if ((x & ~kF32Sign) > kF32Infinity) return static_cast<uint16_t>((x >> 16) | 0x0040u);  // quiet NaN
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);  // nearest, ties to even
}

inline float bfloat_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

}  // namespace half_bits

struct Half {
  uint16_t bits = 0;
  Half() = default;
  explicit Half(float value) : bits(half_bits::from_float(value)) {}
  explicit operator float() const { return half_bits::to_float(bits); }
};

struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  explicit BFloat16(float value) : bits(half_bits::bfloat_from_float(value)) {}
  explicit operator float() const { return half_bits::bfloat_to_float(bits); }
};

template <class T>
inline constexpr bool is_16bit_float = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// static_cast between element types, through f32 where a 16-bit float is on either side (a 16-bit
// float converts to and from f32 only, as in PyTorch: f64 -> f16 rounds through f32).
template <class To, class From>
To element_cast(From x) {
  if constexpr (is_16bit_float<From> && is_16bit_float<To>) return To(static_cast<float>(x));
  else if constexpr (is_16bit_float<From>) return static_cast<To>(static_cast<float>(x));
  else if constexpr (is_16bit_float<To>) return To(static_cast<float>(x));
  else return static_cast<To>(x);
}

}  // namespace nabla
