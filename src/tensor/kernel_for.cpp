#include "tensor/kernel_for.h"

namespace nabla::detail {

void throw_no_kernel(const char* op, Device device) {
  throw Error(std::string(op) + ": no kernel is registered for device " + device.str());
}

}  // namespace nabla::detail
