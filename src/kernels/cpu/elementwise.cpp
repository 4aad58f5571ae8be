#include "kernels/cpu/elementwise.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/cpu/fast_math.h"
#include "kernels/cpu/strided_loop.h"

namespace nabla::kernels {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

template <class T>
[[gnu::always_inline]] inline T apply_binary(BinaryOp op, T x, T y) {
  switch (op) {
    case BinaryOp::add: return x + y;
    case BinaryOp::sub: return x - y;
    case BinaryOp::mul: return x * y;
    case BinaryOp::div:
      if constexpr (std::is_integral_v<T>) return y == 0 ? T(0) : x / y;  // ops divide ints as floats
      else return x / y;
    case BinaryOp::pow: return static_cast<T>(std::pow(x, y));
    case BinaryOp::maximum: return (x != x || x > y) ? x : y;  // NaN propagates
    case BinaryOp::minimum: return (x != x || x < y) ? x : y;
    case BinaryOp::eq: return x == y;
    case BinaryOp::ne: return x != y;
    case BinaryOp::lt: return x < y;
    case BinaryOp::le: return x <= y;
    case BinaryOp::gt: return x > y;
    case BinaryOp::ge: return x >= y;
    case BinaryOp::relu_grad: return y > T(0) ? x : T(0);
    case BinaryOp::gelu_grad:
      if constexpr (std::is_same_v<T, float>) return x * gelu_derivative_f32(y);
      else if constexpr (std::is_floating_point_v<T>)
        return x * (T(0.5) * std::erfc(-y * T(kInvSqrt2)) + y * T(kInvSqrt2Pi) * std::exp(T(-0.5) * y * y));
      else return x;  // gelu is only defined on floating tensors
  }
  return 0;
}

// The op is a template parameter so that each inner loop is a straight, vectorisable loop.
template <class T, BinaryOp Op>
void binary_typed(const std::vector<int64_t>& shape, void* out, const Strides& os, const void* a,
                  const Strides& as, const void* b, const Strides& bs) {
  StridedLoop<3> loop(shape, {static_cast<char*>(out), (char*)a, (char*)b}, {&os, &as, &bs},
                      {sizeof(T), sizeof(T), sizeof(T)});
  loop.run([](auto p, auto s, int64_t n) {
    T* o = reinterpret_cast<T*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    const T* y = reinterpret_cast<const T*>(p[2]);
    constexpr int64_t e = sizeof(T);
    if (s[0] == e && s[1] == e && s[2] == e) {
      for (int64_t i = 0; i < n; ++i) o[i] = apply_binary<T>(Op, x[i], y[i]);
    } else if (s[0] == e && s[1] == e && s[2] == 0) {
      const T yv = *y;
      for (int64_t i = 0; i < n; ++i) o[i] = apply_binary<T>(Op, x[i], yv);
    } else if (s[0] == e && s[1] == 0 && s[2] == e) {
      const T xv = *x;
      for (int64_t i = 0; i < n; ++i) o[i] = apply_binary<T>(Op, xv, y[i]);
    } else {
      const int64_t so = s[0] / e, sx = s[1] / e, sy = s[2] / e;
      for (int64_t i = 0; i < n; ++i) o[i * so] = apply_binary<T>(Op, x[i * sx], y[i * sy]);
    }
  });
}

template <class T>
void binary_dispatch(BinaryOp op, const std::vector<int64_t>& shape, void* out, const Strides& os,
                     const void* a, const Strides& as, const void* b, const Strides& bs) {
  switch (op) {
#define NABLA_CASE(name) \
  case BinaryOp::name: return binary_typed<T, BinaryOp::name>(shape, out, os, a, as, b, bs);
    NABLA_CASE(add) NABLA_CASE(sub) NABLA_CASE(mul) NABLA_CASE(div) NABLA_CASE(pow)
    NABLA_CASE(maximum) NABLA_CASE(minimum) NABLA_CASE(eq) NABLA_CASE(ne) NABLA_CASE(lt)
    NABLA_CASE(le) NABLA_CASE(gt) NABLA_CASE(ge) NABLA_CASE(relu_grad) NABLA_CASE(gelu_grad)
#undef NABLA_CASE
  }
}

template <class T>
[[gnu::always_inline]] inline T apply_unary(UnaryOp op, T x, UnaryParams p) {
  using F = std::conditional_t<std::is_integral_v<T>, double, T>;
  const F v = static_cast<F>(x);
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::exp:
      if constexpr (std::is_same_v<T, float>) return exp_f32(x);
      else return static_cast<T>(std::exp(v));
    case UnaryOp::log: return static_cast<T>(std::log(v));
    case UnaryOp::sqrt: return static_cast<T>(std::sqrt(v));
    case UnaryOp::abs: return x < 0 ? -x : x;
    case UnaryOp::sin: return static_cast<T>(std::sin(v));
    case UnaryOp::cos: return static_cast<T>(std::cos(v));
    case UnaryOp::tanh: return static_cast<T>(std::tanh(v));
    case UnaryOp::erf: return static_cast<T>(std::erf(v));
    case UnaryOp::sign: return static_cast<T>((x > 0) - (x < 0));
    case UnaryOp::sigmoid:
      // f32: exp_f32 saturates to 0 or inf, and 1 / (1 + inf) is 0, so no branch is needed.
      if constexpr (std::is_same_v<T, float>) return 1.0f / (1.0f + exp_f32(-x));
      // Otherwise split by sign so exp never overflows.
      if (v >= 0) return static_cast<T>(F(1) / (F(1) + std::exp(-v)));
      else {
        const F e = std::exp(v);
        return static_cast<T>(e / (F(1) + e));
      }
    case UnaryOp::relu: return x > 0 ? x : T(0);
    case UnaryOp::gelu:
      // x Phi(x) with Phi from erfc, which keeps its relative precision in the negative tail.
      if constexpr (std::is_same_v<T, float>) return gelu_f32(x);
      else return static_cast<T>(F(0.5) * v * std::erfc(-v * F(kInvSqrt2)));
    case UnaryOp::leaky_relu: return x > 0 ? x : static_cast<T>(v * static_cast<F>(p.a));
    case UnaryOp::clamp: {
      const F lo = static_cast<F>(p.a), hi = static_cast<F>(p.b);
      return static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
    }
    case UnaryOp::pow_scalar: {
      const F e = static_cast<F>(p.a);
      if (e == F(2)) return static_cast<T>(v * v);
      if (e == F(1)) return x;
      if (e == F(0.5)) return static_cast<T>(std::sqrt(v));
      return static_cast<T>(std::pow(v, e));
    }
    case UnaryOp::positive: return x > 0 ? T(1) : T(0);
  }
  return x;
}

template <class T, UnaryOp Op>
void unary_typed(const std::vector<int64_t>& shape, void* out, const Strides& os, const void* in,
                 const Strides& is, UnaryParams params) {
  StridedLoop<2> loop(shape, {static_cast<char*>(out), (char*)in}, {&os, &is},
                      {sizeof(T), sizeof(T)});
  loop.run([params](auto p, auto s, int64_t n) {
    T* o = reinterpret_cast<T*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    constexpr int64_t e = sizeof(T);
    if (s[0] == e && s[1] == e) {
      for (int64_t i = 0; i < n; ++i) o[i] = apply_unary<T>(Op, x[i], params);
    } else {
      const int64_t so = s[0] / e, sx = s[1] / e;
      for (int64_t i = 0; i < n; ++i) o[i * so] = apply_unary<T>(Op, x[i * sx], params);
    }
  });
}

template <class T>
void unary_dispatch(UnaryOp op, const std::vector<int64_t>& shape, void* out, const Strides& os,
                    const void* in, const Strides& is, UnaryParams params) {
  switch (op) {
#define NABLA_CASE(name) \
  case UnaryOp::name: return unary_typed<T, UnaryOp::name>(shape, out, os, in, is, params);
    NABLA_CASE(neg) NABLA_CASE(exp) NABLA_CASE(log) NABLA_CASE(sqrt) NABLA_CASE(abs)
    NABLA_CASE(sin) NABLA_CASE(cos) NABLA_CASE(tanh) NABLA_CASE(erf) NABLA_CASE(sign)
    NABLA_CASE(sigmoid) NABLA_CASE(relu) NABLA_CASE(gelu) NABLA_CASE(leaky_relu)
    NABLA_CASE(clamp) NABLA_CASE(pow_scalar) NABLA_CASE(positive)
#undef NABLA_CASE
  }
}

}  // namespace

void binary(BinaryOp op, DType dtype, const std::vector<int64_t>& shape, void* out,
            const Strides& out_strides, const void* a, const Strides& a_strides, const void* b,
            const Strides& b_strides) {
  dispatch(dtype, [&](auto t) {
    binary_dispatch<decltype(t)>(op, shape, out, out_strides, a, a_strides, b, b_strides);
  });
}

void unary(UnaryOp op, DType dtype, const std::vector<int64_t>& shape, void* out,
           const Strides& out_strides, const void* in, const Strides& in_strides,
           UnaryParams params) {
  dispatch(dtype, [&](auto t) {
    unary_dispatch<decltype(t)>(op, shape, out, out_strides, in, in_strides, params);
  });
}

void where(DType dtype, const std::vector<int64_t>& shape, void* out, const Strides& os,
           const void* condition, const Strides& cs, const void* a, const Strides& as,
           const void* b, const Strides& bs) {
  dispatch(dtype, [&](auto t) {
    using T = decltype(t);
    StridedLoop<4> loop(shape, {static_cast<char*>(out), (char*)condition, (char*)a, (char*)b},
                        {&os, &cs, &as, &bs}, {sizeof(T), sizeof(T), sizeof(T), sizeof(T)});
    loop.run([](auto p, auto s, int64_t n) {
      constexpr int64_t e = sizeof(T);
      T* o = reinterpret_cast<T*>(p[0]);
      const T* c = reinterpret_cast<const T*>(p[1]);
      const T* x = reinterpret_cast<const T*>(p[2]);
      const T* y = reinterpret_cast<const T*>(p[3]);
      const int64_t so = s[0] / e, sc = s[1] / e, sx = s[2] / e, sy = s[3] / e;
      for (int64_t i = 0; i < n; ++i) o[i * so] = c[i * sc] != T(0) ? x[i * sx] : y[i * sy];
    });
  });
}

void copy(DType out_dtype, DType in_dtype, const std::vector<int64_t>& shape, void* out,
          const Strides& out_strides, const void* in, const Strides& in_strides) {
  dispatch(out_dtype, [&](auto to) {
    dispatch(in_dtype, [&](auto from) {
      using To = decltype(to);
      using From = decltype(from);
      StridedLoop<2> loop(shape, {static_cast<char*>(out), (char*)in}, {&out_strides, &in_strides},
                          {sizeof(To), sizeof(From)});
      loop.run([](auto p, auto s, int64_t n) {
        To* o = reinterpret_cast<To*>(p[0]);
        const From* x = reinterpret_cast<const From*>(p[1]);
        if (s[0] == int64_t(sizeof(To)) && s[1] == int64_t(sizeof(From))) {
          for (int64_t i = 0; i < n; ++i) o[i] = static_cast<To>(x[i]);
        } else {
          const int64_t so = s[0] / int64_t(sizeof(To)), sx = s[1] / int64_t(sizeof(From));
          for (int64_t i = 0; i < n; ++i) o[i * so] = static_cast<To>(x[i * sx]);
        }
      });
    });
  });
}

void fill(DType dtype, const std::vector<int64_t>& shape, void* out, const Strides& out_strides,
          double value) {
  dispatch(dtype, [&](auto t) {
    using T = decltype(t);
    const T v = static_cast<T>(value);
    StridedLoop<1> loop(shape, {static_cast<char*>(out)}, {&out_strides}, {sizeof(T)});
    loop.run([v](auto p, auto s, int64_t n) {
      T* o = reinterpret_cast<T*>(p[0]);
      const int64_t so = s[0] / int64_t(sizeof(T));
      for (int64_t i = 0; i < n; ++i) o[i * so] = v;
    });
  });
}

}  // namespace nabla::kernels
