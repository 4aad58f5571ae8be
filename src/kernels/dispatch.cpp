#include "kernels/dispatch.h"

#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace nabla::kernels {
namespace {

struct KernelTable {
  std::mutex registering;
  std::array<std::vector<ErasedKernel>, kDeviceKinds> columns;
};

KernelTable& table() {
  static KernelTable instance;
  return instance;
}

}  // namespace

size_t next_kernel_id() {
  static std::atomic<size_t> count{0};
  return count++;
}

void register_erased_kernel(Device::Kind device, size_t id, ErasedKernel kernel) {
  // A CPU row would never be read: CPU lookups return the CPU implementation itself.
  if (device == Device::Kind::cpu)
    throw std::invalid_argument("register_kernel: the CPU's kernels are the CPU implementations");
  KernelTable& t = table();
  std::lock_guard lock(t.registering);
  std::vector<ErasedKernel>& column = t.columns[static_cast<size_t>(device)];
  if (column.size() <= id) column.resize(id + 1, nullptr);
  column[id] = kernel;
}

ErasedKernel find_erased_kernel(Device::Kind device, size_t id) {
  const std::vector<ErasedKernel>& column = table().columns[static_cast<size_t>(device)];
  return id < column.size() ? column[id] : nullptr;
}

}  // namespace nabla::kernels
