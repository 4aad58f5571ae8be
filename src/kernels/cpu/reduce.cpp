#include "kernels/cpu/reduce.h"

#include <omp.h>

#include <type_traits>
#include <vector>

#include "kernels/cpu/strided_loop.h"

namespace nabla::kernels {

namespace {

// One long contiguous row summed by all threads; the partial sums are added in thread order, so
// the result is the same on every run with the same thread count.
template <class Acc, class T>
Acc parallel_row_sum(const T* x, int64_t n) {
  std::vector<Acc> partial(static_cast<size_t>(omp_get_max_threads()), Acc(0));
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t begin = n * t / threads, end = n * (t + 1) / threads;
    Acc acc = 0;
#pragma omp simd reduction(+ : acc)
    for (int64_t i = begin; i < end; ++i) acc += x[i];
    partial[static_cast<size_t>(t)] = acc;
  }
  Acc total = 0;
  for (Acc p : partial) total += p;
  return total;
}

}  // namespace

void sum(DType dtype, const std::vector<int64_t>& shape, const void* in,
         const std::vector<int64_t>& in_strides, void* out,
         const std::vector<int64_t>& out_strides) {
  dispatch(dtype, [&](auto t) {
    using T = decltype(t);
    // Rows that reduce to one value accumulate in double (floats) to keep long sums accurate.
    using Acc = std::conditional_t<std::is_integral_v<T>, int64_t, double>;
    StridedLoop<2> loop(shape, {static_cast<char*>(out), (char*)in}, {&out_strides, &in_strides},
                        {sizeof(T), sizeof(T)});
    auto body = [](auto p, auto s, int64_t n) {
      constexpr int64_t e = sizeof(T);
      T* o = reinterpret_cast<T*>(p[0]);
      const T* x = reinterpret_cast<const T*>(p[1]);
      if (s[0] == 0) {
        Acc acc = 0;
        if (s[1] == e && n >= kParallelThreshold && omp_get_max_threads() > 1 && !omp_in_parallel()) {
          acc = parallel_row_sum<Acc>(x, n);
        } else if (s[1] == e) {
#pragma omp simd reduction(+ : acc)
          for (int64_t i = 0; i < n; ++i) acc += x[i];
        } else {
          const int64_t sx = s[1] / e;
          for (int64_t i = 0; i < n; ++i) acc += x[i * sx];
        }
        *o += static_cast<T>(acc);
      } else if (s[0] == e && s[1] == e) {
        for (int64_t i = 0; i < n; ++i) o[i] += x[i];
      } else {
        const int64_t so = s[0] / e, sx = s[1] / e;
        for (int64_t i = 0; i < n; ++i) o[i * so] += x[i * sx];
      }
    };
    // Two rows may add into the same output; split the rows over threads only when they cannot.
    loop.run(body, /*allow_parallel=*/loop.rows_distinct_for(0));
  });
}

void reduce_rows(ArgReduce op, DType dtype, int64_t rows, int64_t n, const void* in, void* values,
                 int64_t* indices) {
  dispatch(dtype, [&](auto t) {
    using T = decltype(t);
    const T* x = static_cast<const T*>(in);
    T* v = static_cast<T*>(values);
    const bool is_max = op == ArgReduce::max;
#pragma omp parallel for if (rows * n >= kParallelThreshold && rows > 1)
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = x + r * n;
      T best = row[0];
      int64_t at = 0;
      for (int64_t i = 1; i < n && best == best; ++i) {
        const T c = row[i];
        if (c != c || (is_max ? c > best : c < best)) {
          best = c;
          at = i;
        }
      }
      if (v) v[r] = best;
      if (indices) indices[r] = at;
    }
  });
}

}  // namespace nabla::kernels
