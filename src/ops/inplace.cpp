// In-place writes, as torch's add_/sub_/mul_/div_ and copy_: the result is written into `self`, so
// no new buffer is allocated (normalising a whole data set, loading weights, updating values under
// no_grad). Not differentiable: while recording, a tensor that requires grad is refused; and every
// write bumps the storage's version, so a backward that saved the old values refuses to run
// instead of using the new ones (autograd.h, SavedVersion).
#include "ops/op_utils.h"

namespace nabla {
namespace {

// The checks every in-place write shares: nothing recorded would see its saved values change, and
// `other` fills self's shape exactly.
void check_writable(const Tensor& self, const Tensor& other, const char* name) {
  if (is_grad_enabled() && (self.requires_grad() || other.requires_grad()))
    throw AutogradError(std::string(name) + ": in-place write into a tensor that requires grad; "
                        "use the out-of-place op or a NoGradGuard");
  if (broadcast_shapes(self.shape(), other.shape(), name) != self.shape())
    throw ShapeError(std::string(name) + ": " + to_string(other.shape()) + " does not broadcast to " +
                     to_string(self.shape()) + ", the shape written in place");
}

const Tensor& in_place(kernels::BinaryOp op, const Tensor& self, const Tensor& other,
                       const char* name) {
  check_writable(self, other, name);
  if (!is_floating(self.dtype()) && is_floating(other.dtype()))
    throw DTypeError(std::string(name) + ": cannot write " + to_string(other.dtype()) + " results into " +
                     to_string(self.dtype()));
  detail::common_device(name, {self, other});
  const Tensor o = other.dtype() == self.dtype() ? other : cast(other.detach(), self.dtype());
  if (is_storage_only(self.dtype())) {
    // Computed as the out-of-place op does (in the compute dtype), then stored into self.
    const Tensor result = detail::binary_kernel(op, self.detach(), o, name);
    detail::kernel_for<kernels::copy>(self.device(), name)(self.dtype(), result.dtype(), self.shape(),
                                                           self.raw_data(), self.strides(),
                                                           result.raw_data(), result.strides());
  } else {
    detail::kernel_for<kernels::binary>(self.device(), name)(
        op, self.dtype(), self.shape(), self.raw_data(), self.strides(), self.raw_data(),
        self.strides(), o.raw_data(), detail::broadcast_strides(o, self.shape()));
  }
  self.storage()->bump_version();
  return self;
}

}  // namespace

const Tensor& add_(const Tensor& self, const Tensor& other) { return in_place(kernels::BinaryOp::add, self, other, "add_"); }
const Tensor& sub_(const Tensor& self, const Tensor& other) { return in_place(kernels::BinaryOp::sub, self, other, "sub_"); }
const Tensor& mul_(const Tensor& self, const Tensor& other) { return in_place(kernels::BinaryOp::mul, self, other, "mul_"); }
const Tensor& div_(const Tensor& self, const Tensor& other) { return in_place(kernels::BinaryOp::div, self, other, "div_"); }

const Tensor& copy_(const Tensor& self, const Tensor& src) {
  check_writable(self, src, "copy_");
  const Tensor from = src.detach().to(self.device());  // copy_ alone may cross devices, as in PyTorch
  detail::kernel_for<kernels::copy>(self.device(), "copy_")(
      self.dtype(), from.dtype(), self.shape(), self.raw_data(), self.strides(), from.raw_data(),
      detail::broadcast_strides(from, self.shape()));
  self.storage()->bump_version();
  return self;
}

}  // namespace nabla
