// Factory functions: constants, ranges, literals and random tensors.
#include <cmath>
#include <cstring>

#include "kernels/cpu/elementwise.h"
#include "nabla/random.h"
#include "nabla/tensor.h"
#include "tensor/creation.h"
#include "tensor/kernel_for.h"

namespace nabla {

namespace {
Tensor filled(const Shape& shape, double value, DType dtype, Device device, const char* op) {
  Tensor t = detail::empty_for(shape, dtype, device, op);
  detail::kernel_for<kernels::fill>(device, op)(dtype, shape, t.raw_data(), t.strides(), value);
  return t;
}
}  // namespace

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  return filled(shape, value, dtype, device, "full");
}
Tensor zeros(const Shape& shape, DType dtype, Device device) {
  if (device != kCPU) return filled(shape, 0, dtype, device, "zeros");
  Tensor t = detail::empty_for(shape, dtype, device, "zeros");
  std::memset(t.raw_data(), 0, t.nbytes());  // all-zero bytes are 0 in every dtype
  return t;
}
Tensor ones(const Shape& shape, DType dtype, Device device) { return filled(shape, 1, dtype, device, "ones"); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype(), t.device()); }
Tensor scalar(double value, DType dtype, Device device) { return filled({}, value, dtype, device, "scalar"); }

namespace {
// Fills a fresh contiguous tensor from f(i) for each flat index i; `op` names the caller in errors.
template <class F>
Tensor generate(const char* op, const Shape& shape, DType dtype, F f) {
  Tensor t = detail::empty_for(shape, dtype, kCPU, op);
  dispatch_storage(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(t.raw_data());
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = element_cast<T>(f(i));
  });
  return t;
}
}  // namespace

Tensor arange(double start, double stop, double step, DType dtype) {
  if (step == 0) throw Error("arange: step must not be zero");
  const double count = std::ceil((stop - start) / step);
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  return generate("arange", {n}, dtype, [&](int64_t i) { return start + static_cast<double>(i) * step; });
}

Tensor arange(int64_t n, DType dtype) { return arange(0.0, static_cast<double>(n), 1.0, dtype); }

Tensor linspace(double start, double stop, int64_t steps, DType dtype) {
  if (steps < 1) throw ShapeError("linspace: steps must be at least 1, got " + std::to_string(steps));
  const double step = steps == 1 ? 0 : (stop - start) / static_cast<double>(steps - 1);
  return generate("linspace", {steps}, dtype, [&](int64_t i) {
    return i == steps - 1 ? stop : start + static_cast<double>(i) * step;
  });
}

Tensor eye(int64_t n, DType dtype) {
  if (n < 0) throw ShapeError("eye: the size must be non-negative, got " + std::to_string(n));
  return generate("eye", {n, n}, dtype, [n](int64_t i) { return i / n == i % n ? 1.0 : 0.0; });
}

namespace {
Shape resolve_literal_shape(const Shape& shape, size_t count, const char* op) {
  Shape s = shape.empty() ? Shape{static_cast<int64_t>(count)} : shape;
  if (numel(s) != static_cast<int64_t>(count))
    throw ShapeError(std::string(op) + ": " + std::to_string(count) +
                     " values do not fill shape " + to_string(s));
  return s;
}
}  // namespace

Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype) {
  const Shape s = resolve_literal_shape(shape, values.size(), "from_vector");
  return generate("from_vector", s, dtype, [&](int64_t i) { return values[static_cast<size_t>(i)]; });
}

Tensor from_vector(const std::vector<float>& values, const Shape& shape) {
  const Shape s = resolve_literal_shape(shape, values.size(), "from_vector");
  return generate("from_vector", s, DType::f32, [&](int64_t i) { return values[static_cast<size_t>(i)]; });
}

Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape) {
  const Shape s = resolve_literal_shape(shape, values.size(), "from_vector");
  return generate("from_vector", s, DType::i64, [&](int64_t i) { return values[static_cast<size_t>(i)]; });
}

Tensor tensor(std::initializer_list<double> values, DType dtype) {
  return from_vector(std::vector<double>(values), {}, dtype);
}

Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, DType dtype) {
  std::vector<double> flat;
  const size_t width = rows.size() ? rows.begin()->size() : 0;
  for (const auto& row : rows) {
    if (row.size() != width)
      throw ShapeError("tensor: rows of different lengths (" + std::to_string(width) + " and " +
                       std::to_string(row.size()) + ")");
    flat.insert(flat.end(), row.begin(), row.end());
  }
  return from_vector(flat, {static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)}, dtype);
}

namespace {
Tensor drawn_uniform(const char* op, const Shape& shape, double low, double high, DType dtype) {
  Generator& g = default_generator();
  return generate(op, shape, dtype, [&](int64_t) { return low + (high - low) * g.uniform(); });
}
Tensor drawn_normal(const char* op, const Shape& shape, double mean, double stddev, DType dtype) {
  Generator& g = default_generator();
  return generate(op, shape, dtype, [&](int64_t) { return mean + stddev * g.normal(); });
}
}  // namespace

Tensor randn(const Shape& shape, DType dtype) { return drawn_normal("randn", shape, 0, 1, dtype); }
Tensor rand(const Shape& shape, DType dtype) { return drawn_uniform("rand", shape, 0, 1, dtype); }
Tensor uniform(const Shape& shape, double low, double high, DType dtype) {
  return drawn_uniform("uniform", shape, low, high, dtype);
}
Tensor normal(const Shape& shape, double mean, double stddev, DType dtype) {
  return drawn_normal("normal", shape, mean, stddev, dtype);
}

Tensor randint(int64_t low, int64_t high, const Shape& shape) {
  if (high <= low)
    throw Error("randint: empty range [" + std::to_string(low) + ", " + std::to_string(high) + ")");
  Generator& g = default_generator();
  const auto span = static_cast<uint64_t>(high - low);
  return generate("randint", shape, DType::i64,
                  [&](int64_t) { return static_cast<double>(low + static_cast<int64_t>(g.below(span))); });
}

Tensor randperm(int64_t n) {
  Tensor t = arange(n);
  int64_t* p = t.data<int64_t>();
  Generator& g = default_generator();
  for (int64_t i = n - 1; i > 0; --i)  // Fisher-Yates
    std::swap(p[i], p[static_cast<int64_t>(g.below(static_cast<uint64_t>(i + 1)))]);
  return t;
}

}  // namespace nabla
