// The device seam on the core side (tensors and ops): an op reaches its kernel through the device
// of its inputs, never by calling a CPU kernel by name (DESIGN.md, "The device seam"). On the CPU
// this is the kernel itself at no cost; on another device it is whatever that device's backend
// registered in src/kernels/dispatch.h, or an error naming the op and the device.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <functional>
#include <initializer_list>
#include <string>

#include "kernels/dispatch.h"
#include "nabla/error.h"
#include "nabla/tensor.h"

namespace nabla::detail {

[[noreturn]] void throw_no_kernel(const char* op, Device device);

// The kernel for `op` on `device`, e.g. kernel_for<kernels::gemm<T>>(a.device(), "matmul")(...).
template <auto CpuKernel>
decltype(CpuKernel) kernel_for(Device device, const char* op) {
  const auto kernel = kernels::find_kernel<CpuKernel>(device);
  if (!kernel) throw_no_kernel(op, device);
  return kernel;
}

// The device every defined tensor of an op's call is on, or an error naming the op and two of the
// devices: an op never moves data between devices by itself (Tensor::to does, when asked).
Device common_device(const char* op, std::initializer_list<std::reference_wrapper<const Tensor>> tensors);

}  // namespace nabla::detail
