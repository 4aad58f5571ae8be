// f32 exp and GELU in straight-line arithmetic the compiler vectorises: libm's expf and erff are
// a call per element. With -fno-trapping-math the clamps and the sign select become blends.
// Shared by the elementwise and softmax kernels; tests/ops/test_fast_math.cpp bounds the errors.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace nabla::kernels {

// exp(x) = 2^n * e^r with n = round(x / ln 2) and |r| <= ln(2)/2, e^r by Cephes' degree-6
// polynomial; ln 2 is split in two so r is exact. Within 2 ulp of expf over the whole range.
[[gnu::always_inline]] inline float exp_f32(float x) {
  x = std::min(std::max(x, -104.0f), 88.7228394f);  // below: 0 after rounding; above: inf
  // Rounds to nearest by truncating a positive number (x >= -104 keeps it positive).
  const int32_t k = static_cast<int32_t>(x * 1.44269504088896341f + 256.5f) - 256;
  const float n = static_cast<float>(k);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^n as two factors, so both stay normal floats when n is near the ends of the range.
  const int32_t half = k / 2;
  const float lo = std::bit_cast<float>((half + 127) << 23);
  const float hi = std::bit_cast<float>((k - half + 127) << 23);
  return p * lo * hi;
}

// Phi(-|x|), the standard normal's lower tail at -|x|, as erfc(z) / 2 with z = |x| / sqrt 2 and
// erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z/2): Numerical Recipes' erfcc, whose P is a
// degree-9 Chebyshev fit with relative error below 1.2e-7 for every z >= 0. Being relative, it
// stays accurate deep in the tail, where 1 + erf(x) would cancel to nothing.
[[gnu::always_inline]] inline float normal_tail_f32(float x) {
  const float z = std::abs(x) * 0.70710678118654752f;
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  return 0.5f * t * exp_f32(p - z * z);
}

// The normal CDF Phi(x), from the tail on whichever side x lies.
[[gnu::always_inline]] inline float normal_cdf_f32(float x) {
  const float tail = normal_tail_f32(x);
  return x < 0 ? tail : 1.0f - tail;
}

// GELU(x) = x Phi(x). Against the exact value: absolute error below 2e-7 * max(1, |x|), and
// relative error below 2e-6 for |x| <= 5 (libm's 0.5 x (1 + erff(x / sqrt 2)) loses every digit
// in the far negative tail).
[[gnu::always_inline]] inline float gelu_f32(float x) { return x * normal_cdf_f32(x); }

// GELU'(x) = Phi(x) + x phi(x).
[[gnu::always_inline]] inline float gelu_derivative_f32(float x) {
  return normal_cdf_f32(x) + x * 0.39894228040143268f * exp_f32(-0.5f * x * x);
}

}  // namespace nabla::kernels
