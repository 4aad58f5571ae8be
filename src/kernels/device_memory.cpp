#include "kernels/device_memory.h"

#include <array>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace nabla::kernels {
namespace {

struct MemoryTable {
  std::mutex registering;
  std::array<std::optional<DeviceMemory>, kDeviceKinds> rows;
};

MemoryTable& table() {
  static MemoryTable instance;
  return instance;
}

}  // namespace

void register_device_memory(Device::Kind device, const DeviceMemory& memory) {
  if (device == Device::Kind::cpu)
    throw std::invalid_argument("register_device_memory: the CPU's memory is host memory");
  if (!memory.allocate || !memory.release || !memory.copy_to_host || !memory.copy_from_host)
    throw std::invalid_argument("register_device_memory: every function must be given");
  MemoryTable& t = table();
  std::lock_guard lock(t.registering);
  t.rows[static_cast<size_t>(device)] = memory;
}

const DeviceMemory* find_device_memory(Device::Kind device) {
  const std::optional<DeviceMemory>& row = table().rows[static_cast<size_t>(device)];
  return row ? &*row : nullptr;
}

}  // namespace nabla::kernels
