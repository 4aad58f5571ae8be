#include "kernels/cpu/sort.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {

namespace {

// NaN above every number (a NaN is never less than anything, so it is ordered by hand).
template <class T>
bool less_with_nan_last(T a, T b) {
  if (b != b) return a == a;
  return a < b;
}

}  // namespace

void sort_indices(DType dtype, int64_t outer, int64_t n, int64_t inner, int64_t k, bool descending,
                  const void* in, int64_t* indices) {
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in);
#pragma omp parallel for if (outer * n * inner >= kParallelThreshold && outer * inner > 1)
    for (int64_t line = 0; line < outer * inner; ++line) {
      const int64_t o = line / inner, r = line % inner;
      std::vector<T> values(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = x[(o * n + i) * inner + r];
      // Ties are broken by position, which makes the order total: a partial sort by it gives the
      // first k of the stable full sort. (`descending` by value: clang 14 cannot capture a
      // parameter by reference inside an OpenMP region.)
      auto before = [&values, descending = descending](int64_t a, int64_t b) {
        const T va = values[static_cast<size_t>(a)], vb = values[static_cast<size_t>(b)];
        if (descending ? less_with_nan_last(vb, va) : less_with_nan_last(va, vb)) return true;
        if (descending ? less_with_nan_last(va, vb) : less_with_nan_last(vb, va)) return false;
        return a < b;
      };
      std::vector<int64_t> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), int64_t{0});
      std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
      for (int64_t j = 0; j < k; ++j) indices[(o * k + j) * inner + r] = order[static_cast<size_t>(j)];
    }
  });
}

}  // namespace nabla::kernels
