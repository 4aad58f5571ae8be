// Tensor: a cheap handle to shared storage plus a view of it (shape, strides, offset), a dtype and
// a device. Copying a Tensor copies the handle, not the data: `Tensor b = a;` aliases a, exactly as
// assignment does in Python. Views (reshape of contiguous data, transpose, slicing, expand) share
// storage; `clone()` copies.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/dtype.h"
#include "nabla/error.h"
#include "nabla/shape.h"

namespace nabla {

class Node;

// A flat, 64-byte aligned, uninitialised buffer (zeros() fills it; Tensor::empty does not).
class Storage {
 public:
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  // How many times the data was modified in place (PyTorch's version counter). Shared by every
  // view of the storage; autograd compares it with the version a backward saved (autograd.h).
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  uint64_t version_ = 0;
};

// Returns the freed blocks that storage keeps for reuse to the system (see src/tensor/allocator.h).
void empty_cache();

struct TensorImpl;

namespace detail {
// While record() stores a backward function, the Tensors copied into it are the ones it will
// read, so each copy is noted here (the log is this thread's, null outside record()).
struct CaptureLog;
extern __thread CaptureLog* t_capture_log;
void note_capture(CaptureLog& log, const TensorImpl* impl);
}  // namespace detail

// One entry of Tensor::index: an integer picks one position (and drops the axis), a Slice keeps a
// range with a step, as Python's x[1, 2:8:2].
struct Slice {
  Slice(std::optional<int64_t> start_ = std::nullopt, std::optional<int64_t> stop_ = std::nullopt,
        int64_t step_ = 1)
      : start(start_), stop(stop_), step(step_) {}
  std::optional<int64_t> start, stop;
  int64_t step;
};
struct TensorIndex {
  TensorIndex(int64_t i) : is_slice(false), index(i) {}  // NOLINT: implicit like Python's x[3]
  TensorIndex(int i) : is_slice(false), index(i) {}      // NOLINT
  TensorIndex(Slice s) : is_slice(true), slice(s) {}     // NOLINT
  bool is_slice;
  int64_t index = 0;
  Slice slice;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  Tensor(const Tensor& other) : impl_(other.impl_) { noted(); }
  Tensor(Tensor&& other) noexcept : impl_(std::move(other.impl_)) { noted(); }
  Tensor& operator=(const Tensor&) = default;
  Tensor& operator=(Tensor&&) = default;
  ~Tensor() = default;

  // ---- construction ------------------------------------------------------------------------
  // A tensor from nested values is built with from_vector / tensor() below; these are the raw forms.
  // Uninitialised memory: for outputs that are written in full.
  static Tensor empty(const Shape& shape, DType dtype = kDefaultDType, Device device = kCPU);
  // A view over existing storage.
  static Tensor make_view(std::shared_ptr<Storage> storage, Shape shape, Shape strides,
                          int64_t offset, DType dtype);

  // ---- metadata ----------------------------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  const Shape& strides() const;
  int64_t offset() const;
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t size(int64_t axis) const;
  int64_t numel() const;
  DType dtype() const;
  Device device() const;
  bool is_contiguous() const;
  size_t nbytes() const { return static_cast<size_t>(numel()) * itemsize(dtype()); }
  const std::shared_ptr<Storage>& storage() const;
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  // ---- element access ----------------------------------------------------------------------
  // Pointer to the first element of the view (storage + offset); throws DTypeError on a mismatch.
  // Like every Tensor handle operation, constness is the handle's, not the data's.
  template <class T>
  T* data() const;
  // Untyped pointer to the first element of the view.
  void* raw_data() const;
  // The single value of a one-element tensor, as double.
  double item() const;
  template <class T>
  T item() const {
    return static_cast<T>(item());
  }
  // All elements in row-major order, converted to T.
  template <class T>
  std::vector<T> to_vector() const;

  // ---- conversion and copies ---------------------------------------------------------------
  Tensor to(DType dtype) const;       // differentiable for float -> float
  // A copy on `device` (itself when already there); differentiable: the gradient moves back.
  Tensor to(Device device) const;
  Tensor contiguous() const;          // itself when already contiguous
  Tensor clone() const;               // always copies; differentiable
  Tensor detach() const;              // shares storage, cut from the graph
  std::string str() const;            // printed like NumPy/PyTorch, abbreviated when large

  // ---- autograd ----------------------------------------------------------------------------
  bool requires_grad() const;
  Tensor& requires_grad_(bool on = true);
  bool is_leaf() const;
  // The accumulated gradient of a leaf after backward(); undefined before.
  Tensor grad() const;
  void set_grad(const Tensor& g) const;
  void zero_grad() const;  // drops the gradient, as DeZero's cleargrad and PyTorch's set_to_none
  const std::shared_ptr<Node>& grad_fn() const;
  // Reverse-mode differentiation from this tensor. A scalar needs no `gradient`.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false,
                bool create_graph = false) const;
  // A label shown in graph pictures.
  const std::string& name() const;
  Tensor& set_name(std::string name);

  // ---- views and shape (all differentiable) ------------------------------------------------
  Tensor reshape(const Shape& shape) const;  // -1 infers one axis; copies only when it must
  Tensor view(const Shape& shape) const;     // like reshape, but throws rather than copy
  Tensor flatten(int64_t start_axis = 0, int64_t end_axis = -1) const;
  Tensor transpose(int64_t a, int64_t b) const;
  Tensor permute(const std::vector<int64_t>& axes) const;
  Tensor T() const;  // reverses all axes (a matrix transpose for 2-D)
  Tensor squeeze(std::optional<int64_t> axis = std::nullopt) const;
  Tensor unsqueeze(int64_t axis) const;
  Tensor expand(const Shape& shape) const;  // broadcast_to
  Tensor select(int64_t axis, int64_t index) const;
  Tensor slice(int64_t axis, std::optional<int64_t> start, std::optional<int64_t> stop,
               int64_t step = 1) const;
  Tensor operator[](int64_t i) const { return select(0, i); }
  Tensor index(std::initializer_list<TensorIndex> indices) const;

  // ---- common reductions and maths as methods (see ops.h for the full set) -------------------
  Tensor sum() const;
  Tensor sum(const std::vector<int64_t>& axes, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int64_t>& axes, bool keepdim = false) const;
  Tensor matmul(const Tensor& other) const;
  Tensor pow(double exponent) const;
  Tensor exp() const;
  Tensor log() const;

 private:
  void noted() const {
    if (detail::t_capture_log && impl_) detail::note_capture(*detail::t_capture_log, impl_.get());
  }
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// Everything a Tensor handle points to. Autograd fields live here so that all handles to one
// tensor agree on its gradient.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;  // in elements
  int64_t offset = 0;
  DType dtype = kDefaultDType;

  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;  // the function that made this tensor; null for leaves
  std::string name;
};

// ---- creation --------------------------------------------------------------------------------
// Constants are made on any device; the rest on the CPU, from where Tensor::to moves them.
Tensor zeros(const Shape& shape, DType dtype = kDefaultDType, Device device = kCPU);
Tensor ones(const Shape& shape, DType dtype = kDefaultDType, Device device = kCPU);
Tensor full(const Shape& shape, double value, DType dtype = kDefaultDType, Device device = kCPU);
// Same shape, dtype and device as t.
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor scalar(double value, DType dtype = kDefaultDType, Device device = kCPU);  // a 0-d tensor
Tensor arange(double start, double stop, double step = 1, DType dtype = kDefaultDType);
Tensor arange(int64_t n, DType dtype = DType::i64);
Tensor linspace(double start, double stop, int64_t steps, DType dtype = kDefaultDType);
Tensor eye(int64_t n, DType dtype = kDefaultDType);
// Values in row-major order; the shape defaults to 1-D.
Tensor from_vector(const std::vector<double>& values, const Shape& shape = {},
                   DType dtype = kDefaultDType);
Tensor from_vector(const std::vector<float>& values, const Shape& shape = {});
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape = {});
// Nested literals, as torch.tensor: tensor({1, 2, 3}), tensor({{1, 2}, {3, 4}}).
Tensor tensor(std::initializer_list<double> values, DType dtype = kDefaultDType);
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows,
              DType dtype = kDefaultDType);
// Random tensors from the process-wide generator (see random.h).
Tensor randn(const Shape& shape, DType dtype = kDefaultDType);
Tensor rand(const Shape& shape, DType dtype = kDefaultDType);  // uniform in [0, 1)
Tensor uniform(const Shape& shape, double low, double high, DType dtype = kDefaultDType);
Tensor normal(const Shape& shape, double mean, double stddev, DType dtype = kDefaultDType);
Tensor randint(int64_t low, int64_t high, const Shape& shape);  // i64 in [low, high)
Tensor randperm(int64_t n);                                     // i64

// ---- printing options ----------------------------------------------------------------------
struct PrintOptions {
  int precision = 4;
  int64_t threshold = 1000;  // above this many elements, print only the edges
  int64_t edgeitems = 3;
};
void set_print_options(const PrintOptions& options);

}  // namespace nabla
