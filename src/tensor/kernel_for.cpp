#include "tensor/kernel_for.h"

#include <optional>

namespace nabla::detail {

void throw_no_kernel(const char* op, Device device) {
  throw Error(std::string(op) + ": no kernel is registered for device " + device.str());
}

Device common_device(const char* op, std::initializer_list<std::reference_wrapper<const Tensor>> tensors) {
  std::optional<Device> device;
  for (const Tensor& t : tensors) {
    if (!t.defined()) continue;
    if (!device) device = t.device();
    else if (t.device() != *device)
      throw Error(std::string(op) + ": expected all tensors on one device, found " + device->str() +
                  " and " + t.device().str());
  }
  return device.value_or(kCPU);
}

}  // namespace nabla::detail
