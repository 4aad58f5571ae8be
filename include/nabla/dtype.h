// Element types and devices. Every tensor carries both from day one, so that a CUDA backend is an
// addition rather than a rewrite.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstddef>
#include <cstdint>
#include <string>

namespace nabla {

enum class DType : uint8_t { f32, f64, i64 };

inline constexpr DType kDefaultDType = DType::f32;

constexpr size_t itemsize(DType t) { return t == DType::f32 ? 4 : 8; }
constexpr bool is_floating(DType t) { return t != DType::i64; }
const char* to_string(DType t);

// The dtype two operands are computed in: the wider float wins, and any float wins over i64.
DType promote(DType a, DType b);

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::f32; }
template <>
constexpr DType dtype_of<double>() { return DType::f64; }
template <>
constexpr DType dtype_of<int64_t>() { return DType::i64; }

// Calls f(T{}) with T the C++ type of `t`: the one switch from a runtime dtype to a template.
template <class F>
decltype(auto) dispatch(DType t, F&& f) {
  switch (t) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    case DType::i64: return f(int64_t{});
  }
  __builtin_unreachable();
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
