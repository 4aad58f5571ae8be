#include "kernels/cpu/scan.h"

#include <type_traits>
#include <vector>

#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {

void cumulative(ScanOp op, DType dtype, int64_t outer, int64_t n, int64_t inner, const void* in,
                void* out) {
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    using Acc = std::conditional_t<std::is_integral_v<T>, int64_t, double>;
    const T* x = static_cast<const T*>(in);
    T* y = static_cast<T*>(out);
    const bool is_sum = op == ScanOp::sum;
    // Each block scans its n rows of `inner` running totals in order; blocks are independent.
#pragma omp parallel for if (outer * n * inner >= kParallelThreshold && outer > 1)
    for (int64_t o = 0; o < outer; ++o) {
      std::vector<Acc> running(static_cast<size_t>(inner), is_sum ? Acc(0) : Acc(1));
      for (int64_t i = 0; i < n; ++i) {
        const T* row = x + (o * n + i) * inner;
        T* result = y + (o * n + i) * inner;
        for (int64_t r = 0; r < inner; ++r) {
          Acc& acc = running[static_cast<size_t>(r)];
          acc = is_sum ? acc + static_cast<Acc>(row[r]) : acc * static_cast<Acc>(row[r]);
          result[r] = static_cast<T>(acc);
        }
      }
    }
  });
}

}  // namespace nabla::kernels
