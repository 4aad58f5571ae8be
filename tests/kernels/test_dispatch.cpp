// The device seam: a CPU lookup is the CPU kernel itself; another device gets what its backend
// registered, and an op on a device without the kernel fails with the op and the device named.
#include <gtest/gtest.h>

#include <stdexcept>

#include "kernels/cpu/elementwise.h"
#include "kernels/dispatch.h"
#include "nabla/error.h"
#include "tensor/kernel_for.h"

namespace nabla {
namespace {

int fills_seen = 0;

void counting_fill(DType, const std::vector<int64_t>&, void*, const kernels::Strides&, double) {
  ++fills_seen;
}

TEST(KernelDispatch, TheCpuKernelIsTheCpuImplementation) {
  EXPECT_EQ(kernels::find_kernel<kernels::binary>(kCPU), &kernels::binary);
  EXPECT_EQ(detail::kernel_for<kernels::unary>(kCPU, "exp"), &kernels::unary);
}

TEST(KernelDispatch, AnotherDeviceFindsOnlyWhatItRegistered) {
  const Device cuda{Device::Kind::cuda, 0};
  EXPECT_EQ(kernels::find_kernel<kernels::where>(cuda), nullptr);
  try {
    detail::kernel_for<kernels::where>(cuda, "where");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "where: no kernel is registered for device " + cuda.str());
  }

  kernels::register_kernel<kernels::fill>(Device::Kind::cuda, &counting_fill);
  const auto fill = detail::kernel_for<kernels::fill>(cuda, "full");
  fill(DType::f32, {}, nullptr, {}, 0.0);
  EXPECT_EQ(fills_seen, 1);
  // The CPU still runs its own kernel, and cannot be given another.
  EXPECT_EQ(detail::kernel_for<kernels::fill>(kCPU, "full"), &kernels::fill);
  EXPECT_THROW(kernels::register_kernel<kernels::fill>(Device::Kind::cpu, &counting_fill),
               std::invalid_argument);
}

}  // namespace
}  // namespace nabla
