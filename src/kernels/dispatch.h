// The device seam on the kernels' side: a table of kernels per device, indexed by kernel id.
//
// A kernel is named by its CPU implementation (kernels::gemm<float>, kernels::binary, ...), whose
// signature every device's version of it shares. The CPU column of the table is those functions
// themselves, so a lookup on the CPU costs one comparison and the call is direct; any other device
// fills its column with register_kernel when its backend starts, before the first op runs. Ops
// look kernels up through detail::kernel_for (src/tensor/kernel_for.h), which names the op in the error
// when a device lacks a kernel, so adding a backend touches no op.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstddef>

#include "nabla/dtype.h"

namespace nabla::kernels {

// Any kernel's address with its signature erased, as the table stores it.
using ErasedKernel = void (*)();

// The next free row of the table.
size_t next_kernel_id();

// CpuKernel's row, taken the first time the kernel is named (a function-local static, so a backend
// that registers during static initialisation still gets the row every later lookup uses).
template <auto CpuKernel>
size_t kernel_id() {
  static const size_t id = next_kernel_id();
  return id;
}

void register_erased_kernel(Device::Kind device, size_t id, ErasedKernel kernel);
// nullptr when the device has no kernel in that row.
ErasedKernel find_erased_kernel(Device::Kind device, size_t id);

// Registers `kernel` as `device`'s version of CpuKernel. Refused (std::invalid_argument) for the
// CPU, whose kernels are the CpuKernels themselves.
template <auto CpuKernel>
void register_kernel(Device::Kind device, decltype(CpuKernel) kernel) {
  register_erased_kernel(device, kernel_id<CpuKernel>(), reinterpret_cast<ErasedKernel>(kernel));
}

// `device`'s version of CpuKernel, or nullptr when none is registered.
template <auto CpuKernel>
decltype(CpuKernel) find_kernel(Device device) {
  if (device.kind == Device::Kind::cpu) return CpuKernel;
  return reinterpret_cast<decltype(CpuKernel)>(
      find_erased_kernel(device.kind, kernel_id<CpuKernel>()));
}

}  // namespace nabla::kernels
