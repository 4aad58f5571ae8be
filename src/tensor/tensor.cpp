// The Tensor handle: metadata, element access, autograd fields and the method forms of ops.
#include "nabla/tensor.h"

#include <limits>


#include "kernels/cpu/elementwise.h"
#include "kernels/device_memory.h"
#include "tensor/allocator.h"
#include "tensor/creation.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "tensor/kernel_for.h"

namespace nabla {

// ---- storage ------------------------------------------------------------------------------------

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  if (device.kind == Device::Kind::cpu) {
    data_ = detail::allocate_host(nbytes);
    return;
  }
  const kernels::DeviceMemory* memory = kernels::find_device_memory(device.kind);
  if (!memory) throw Error("Storage: device " + device.str() + " is not available in this build");
  data_ = memory->allocate(nbytes, device.index);
}

Storage::~Storage() {
  if (device_.kind == Device::Kind::cpu) detail::free_host(data_, nbytes_);
  else kernels::find_device_memory(device_.kind)->release(data_, nbytes_, device_.index);
}

// ---- construction ---------------------------------------------------------------------------------

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  return detail::empty_for(shape, dtype, device, "empty");
}

namespace detail {
Tensor empty_for(const Shape& shape, DType dtype, Device device, const char* op) {
  const int64_t count = checked_numel(shape, op);
  // Byte counts stay below 2^63, so that pointer differences within the buffer are defined.
  if (count > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(itemsize(dtype)))
    throw ShapeError(std::string(op) + ": shape " + to_string(shape) + " of " + to_string(dtype) +
                     " needs more bytes than an int64 can count");
  const size_t nbytes = static_cast<size_t>(count) * itemsize(dtype);
  auto impl = std::make_shared<TensorImpl>();
  try {
    impl->storage = std::make_shared<Storage>(nbytes, device);
  } catch (const std::bad_alloc&) {
    throw Error(std::string(op) + ": cannot allocate " + std::to_string(nbytes) + " bytes for a " +
                to_string(dtype) + " tensor of shape " + to_string(shape) + " on " + device.str());
  }
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}
}  // namespace detail

Tensor Tensor::make_view(std::shared_ptr<Storage> storage, Shape shape, Shape strides,
                         int64_t offset, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::move(storage);
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

// ---- metadata --------------------------------------------------------------------------------------

namespace {
const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  if (!impl) throw Error("Tensor: use of an undefined tensor");
  return *impl;
}
}  // namespace

const Shape& Tensor::shape() const { return checked(impl_).shape; }
const Shape& Tensor::strides() const { return checked(impl_).strides; }
int64_t Tensor::offset() const { return checked(impl_).offset; }
DType Tensor::dtype() const { return checked(impl_).dtype; }
Device Tensor::device() const { return checked(impl_).storage->device(); }
const std::shared_ptr<Storage>& Tensor::storage() const { return checked(impl_).storage; }
int64_t Tensor::numel() const { return nabla::numel(shape()); }

int64_t Tensor::size(int64_t axis) const {
  return shape()[normalize_axis(axis, dim(), "size")];
}

bool Tensor::is_contiguous() const {
  const TensorImpl& t = checked(impl_);
  int64_t expected = 1;
  for (size_t i = t.shape.size(); i-- > 0;) {
    if (t.shape[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

// ---- element access --------------------------------------------------------------------------------

void* Tensor::raw_data() const {
  const TensorImpl& t = checked(impl_);
  return static_cast<char*>(t.storage->data()) + t.offset * static_cast<int64_t>(itemsize(t.dtype));
}

template <class T>
T* Tensor::data() const {
  if (dtype() != dtype_of<T>())
    throw DTypeError(std::string("data: tensor holds ") + to_string(dtype()) + ", asked for " +
                     to_string(dtype_of<T>()));
  return static_cast<T*>(raw_data());
}

template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;
template int64_t* Tensor::data<int64_t>() const;
template bool* Tensor::data<bool>() const;
template Half* Tensor::data<Half>() const;
template BFloat16* Tensor::data<BFloat16>() const;

double Tensor::item() const {
  if (numel() != 1)
    throw ShapeError("item: a tensor of shape " + to_string(shape()) +
                     " has " + std::to_string(numel()) + " elements, not one");
  if (device() != kCPU) return detach().to(kCPU).item();
  return dispatch_storage(dtype(), [&](auto t) {
    return element_cast<double>(*static_cast<const decltype(t)*>(raw_data()));
  });
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  Tensor c = cast(detach().to(kCPU), dtype_of<T>()).contiguous();
  const T* p = c.data<T>();
  return std::vector<T>(p, p + c.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

// ---- conversion ---------------------------------------------------------------------------------------

Tensor Tensor::to(DType t) const { return cast(*this, t); }

namespace {
// Copies contiguous `src` into contiguous `dst` of the same size, across devices.
void copy_across(const Tensor& src, const Tensor& dst) {
  const size_t nbytes = src.nbytes();
  const Device from = src.device(), to = dst.device();
  if (from == kCPU) {
    kernels::find_device_memory(to.kind)->copy_from_host(dst.raw_data(), src.raw_data(), nbytes, to.index);
  } else if (to == kCPU) {
    kernels::find_device_memory(from.kind)->copy_to_host(dst.raw_data(), src.raw_data(), nbytes, from.index);
  } else {  // between two devices, through the host
    const Tensor host = Tensor::empty(src.shape(), src.dtype());
    copy_across(src, host);
    copy_across(host, dst);
  }
}
}  // namespace

Tensor Tensor::to(Device target) const {
  if (device() == target) return *this;
  const Tensor src = contiguous();
  Tensor out = Tensor::empty(shape(), dtype(), target);
  copy_across(src, out);
  return record("to_device", {*this}, out, [from = device()](const Tensor& g) -> std::vector<Tensor> {
    return {g.to(from)};
  });
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return clone();
}

Tensor Tensor::clone() const {
  Tensor out = Tensor::empty(shape(), dtype(), device());
  detail::kernel_for<kernels::copy>(device(), "clone")(dtype(), dtype(), shape(), out.raw_data(),
                                                       out.strides(), raw_data(), strides());
  return record("clone", {*this}, out, [](const Tensor& g) -> std::vector<Tensor> { return {g}; });
}

Tensor Tensor::detach() const {
  return make_view(storage(), shape(), strides(), offset(), dtype());
}

// ---- autograd --------------------------------------------------------------------------------------------

bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }

Tensor& Tensor::requires_grad_(bool on) {
  if (on && !is_floating(dtype()))
    throw DTypeError(std::string("requires_grad_: only floating tensors can require grad, got ") +
                     to_string(dtype()));
  if (!on && impl_->grad_fn)
    throw AutogradError("requires_grad_(false): the tensor was made by " + impl_->grad_fn->name() +
                        " and is part of a graph; use detach() instead");
  impl_->requires_grad = on;
  return *this;
}

bool Tensor::is_leaf() const { return checked(impl_).grad_fn == nullptr; }

Tensor Tensor::grad() const {
  const TensorImpl& t = checked(impl_);
  return t.grad ? Tensor(t.grad) : Tensor();
}

void Tensor::set_grad(const Tensor& g) const {
  if (g.defined() && g.shape() != shape())
    throw ShapeError("set_grad: gradient of shape " + to_string(g.shape()) +
                     " for a tensor of shape " + to_string(shape()));
  impl_->grad = g.impl_ptr();
}

void Tensor::zero_grad() const { checked(impl_); impl_->grad.reset(); }

const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  GradOptions options;
  options.retain_graph = retain_graph;
  options.create_graph = create_graph;
  nabla::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{},
                  options);
}

const std::string& Tensor::name() const { return checked(impl_).name; }

Tensor& Tensor::set_name(std::string name) {
  checked(impl_);
  impl_->name = std::move(name);
  return *this;
}

// ---- method forms of ops ---------------------------------------------------------------------------------

Tensor Tensor::reshape(const Shape& s) const { return nabla::reshape(*this, s); }
Tensor Tensor::flatten(int64_t start, int64_t end) const { return nabla::flatten(*this, start, end); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return nabla::transpose(*this, a, b); }
Tensor Tensor::permute(const std::vector<int64_t>& axes) const { return nabla::permute(*this, axes); }
Tensor Tensor::squeeze(std::optional<int64_t> axis) const { return nabla::squeeze(*this, axis); }
Tensor Tensor::unsqueeze(int64_t axis) const { return nabla::unsqueeze(*this, axis); }
Tensor Tensor::expand(const Shape& s) const { return nabla::broadcast_to(*this, s); }
Tensor Tensor::select(int64_t axis, int64_t i) const { return nabla::select(*this, axis, i); }
Tensor Tensor::slice(int64_t axis, std::optional<int64_t> start, std::optional<int64_t> stop,
                     int64_t step) const {
  return nabla::slice(*this, axis, start, stop, step);
}
Tensor Tensor::sum() const { return nabla::sum(*this); }
Tensor Tensor::sum(const std::vector<int64_t>& axes, bool keepdim) const {
  return nabla::sum(*this, axes, keepdim);
}
Tensor Tensor::mean() const { return nabla::mean(*this); }
Tensor Tensor::mean(const std::vector<int64_t>& axes, bool keepdim) const {
  return nabla::mean(*this, axes, keepdim);
}
Tensor Tensor::matmul(const Tensor& other) const { return nabla::matmul(*this, other); }
Tensor Tensor::pow(double e) const { return nabla::pow(*this, e); }
Tensor Tensor::exp() const { return nabla::exp(*this); }
Tensor Tensor::log() const { return nabla::log(*this); }

Tensor Tensor::T() const {
  std::vector<int64_t> axes(static_cast<size_t>(dim()));
  for (int64_t i = 0; i < dim(); ++i) axes[static_cast<size_t>(i)] = dim() - 1 - i;
  return nabla::permute(*this, axes);
}

Tensor Tensor::view(const Shape& s) const {
  if (!is_contiguous())
    throw ShapeError("view: a non-contiguous tensor of shape " + to_string(shape()) +
                     " cannot be viewed as " + to_string(s) + "; use reshape()");
  return nabla::reshape(*this, s);
}

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  Tensor out = *this;
  int64_t axis = 0;
  for (const TensorIndex& ix : indices) {
    if (axis >= out.dim())
      throw IndexError("index: too many indices (" + std::to_string(indices.size()) +
                       ") for a tensor of shape " + to_string(shape()));
    if (ix.is_slice) {
      out = nabla::slice(out, axis, ix.slice.start, ix.slice.stop, ix.slice.step);
      ++axis;
    } else {
      out = nabla::select(out, axis, ix.index);  // drops the axis
    }
  }
  return out;
}

}  // namespace nabla
