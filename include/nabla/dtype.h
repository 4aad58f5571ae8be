// Element types and devices. Every tensor carries both from day one, so that a CUDA backend is an
// addition rather than a rewrite.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "nabla/half_float.h"

namespace nabla {

// f32, f64 and i64 are computed in; bool (comparisons and masks), f16 and bf16 (half-size storage of
// weights and activations) are storage dtypes: an elementwise op computes them in compute_dtype()
// and stores its result back, other ops refuse them with an error that says to convert.
enum class DType : uint8_t { f32, f64, i64, boolean, f16, bf16 };

inline constexpr DType kDefaultDType = DType::f32;

constexpr size_t itemsize(DType t) {
  switch (t) {
    case DType::f64: case DType::i64: return 8;
    case DType::f32: return 4;
    case DType::f16: case DType::bf16: return 2;
    case DType::boolean: return 1;
  }
  return 0;
}
constexpr bool is_floating(DType t) { return t != DType::i64 && t != DType::boolean; }
constexpr bool is_storage_only(DType t) {
  return t == DType::boolean || t == DType::f16 || t == DType::bf16;
}
// The dtype a storage dtype computes in: i64 for bool, f32 for the 16-bit floats.
constexpr DType compute_dtype(DType t) {
  return t == DType::boolean ? DType::i64 : is_storage_only(t) ? DType::f32 : t;
}
const char* to_string(DType t);

// The dtype two operands combine to, as PyTorch: bool < i64 < the floats; between floats the wider
// wins, and f16 with bf16 (neither holds the other) meet in f32.
DType promote(DType a, DType b);

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::f32; }
template <>
constexpr DType dtype_of<double>() { return DType::f64; }
template <>
constexpr DType dtype_of<int64_t>() { return DType::i64; }
template <>
constexpr DType dtype_of<bool>() { return DType::boolean; }
template <>
constexpr DType dtype_of<Half>() { return DType::f16; }
template <>
constexpr DType dtype_of<BFloat16>() { return DType::bf16; }

// A kernel reached with a storage dtype it does not compute in: the op above it should have
// converted or refused, so this is a bug in nabla, reported rather than undefined.
[[noreturn]] void throw_not_computed_in(DType t);

// Calls f(T{}) with T the C++ type of a compute dtype `t`: the one switch from a runtime dtype to a
// template, for kernels that do arithmetic.
template <class F>
decltype(auto) dispatch(DType t, F&& f) {
  switch (t) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    case DType::i64: return f(int64_t{});
    case DType::boolean: case DType::f16: case DType::bf16: break;
  }
  throw_not_computed_in(t);
}

// dispatch over every dtype, storage ones included: for kernels that only convert or move
// elements (copy, fill, where, printing), whose element types meet through element_cast.
template <class F>
decltype(auto) dispatch_storage(DType t, F&& f) {
  switch (t) {
    case DType::boolean: return f(bool{});
    case DType::f16: return f(Half{});
    case DType::bf16: return f(BFloat16{});
    case DType::f32: case DType::f64: case DType::i64: break;
  }
  return dispatch(t, std::forward<F>(f));
}

struct Device {
  enum class Kind : uint8_t { cpu, cuda };
  Kind kind = Kind::cpu;
  int index = 0;
  bool operator==(const Device&) const = default;
  std::string str() const;
};

inline const Device kCPU{};
// How many kinds there are: the width of the per-device tables (kernels, memory).
inline constexpr size_t kDeviceKinds = static_cast<size_t>(Device::Kind::cuda) + 1;

}  // namespace nabla
