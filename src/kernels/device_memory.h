// The device seam for memory: how a backend allocates, frees and fills its device's buffers.
//
// Storage (src/tensor) asks this table for every device but the CPU, whose memory is host memory
// (src/tensor/allocator.h). A backend registers its device's functions once when it starts, next
// to its kernels (src/kernels/dispatch.h); then tensors can live on that device, Tensor::to moves
// them there and back, and reading a value (item, to_vector, printing) copies it to the host first.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstddef>

#include "nabla/dtype.h"

namespace nabla::kernels {

struct DeviceMemory {
  void* (*allocate)(size_t nbytes, int index);  // throws on failure; never nullptr
  void (*release)(void* data, size_t nbytes, int index);
  // Whole-buffer copies between host memory and the device's.
  void (*copy_to_host)(void* host, const void* device_data, size_t nbytes, int index);
  void (*copy_from_host)(void* device_data, const void* host, size_t nbytes, int index);
};

// Refused (std::invalid_argument) for the CPU and for a DeviceMemory with a missing function.
void register_device_memory(Device::Kind device, const DeviceMemory& memory);
// nullptr when no backend registered one.
const DeviceMemory* find_device_memory(Device::Kind device);

}  // namespace nabla::kernels
