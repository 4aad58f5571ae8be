#include "kernels/cpu/gemm.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/cpu/parallel_threshold.h"

#ifdef NABLA_HAVE_BLAS
#include <cblas.h>
#endif

namespace nabla::kernels {

bool have_blas() {
#ifdef NABLA_HAVE_BLAS
  return true;
#else
  return false;
#endif
}

void set_blas_threads([[maybe_unused]] int n) {
#ifdef NABLA_HAVE_BLAS
  openblas_set_num_threads(n);
#endif
}

template <class T>
void gemm_portable(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha,
                   const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  // Scale C by beta first (beta == 0 overwrites, so NaNs in C do not leak through).
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    if (beta == T(0)) std::fill(row, row + n, T(0));
    else if (beta != T(1)) for (int64_t j = 0; j < n; ++j) row[j] *= beta;
  }
  if (m == 0 || n == 0 || k == 0) return;
  // Copy B into row-major K x N so the inner loop runs along contiguous rows of B and C; A is read
  // element by element, in blocks of K that stay in cache.
  std::vector<T> packed_b;
  const T* bb = b;
  int64_t ldbb = ldb;
  if (trans_b) {
    packed_b.resize(static_cast<size_t>(k * n));
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) packed_b[p * n + j] = b[j * ldb + p];
    bb = packed_b.data();
    ldbb = n;
  }
  constexpr int64_t kBlockK = 256, kBlockN = 512;
#pragma omp parallel for schedule(static) if (m * n * k >= 8 * kParallelThreshold)
  for (int64_t i = 0; i < m; ++i) {
    T* crow = c + i * ldc;
    for (int64_t p0 = 0; p0 < k; p0 += kBlockK) {
      const int64_t p1 = std::min(k, p0 + kBlockK);
      for (int64_t j0 = 0; j0 < n; j0 += kBlockN) {
        const int64_t j1 = std::min(n, j0 + kBlockN);
        for (int64_t p = p0; p < p1; ++p) {
          const T av = alpha * (trans_a ? a[p * lda + i] : a[i * lda + p]);
          const T* brow = bb + p * ldbb;
          for (int64_t j = j0; j < j1; ++j) crow[j] += av * brow[j];
        }
      }
    }
  }
}

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
#ifdef NABLA_HAVE_BLAS
  // An empty product (k = 0) is C = beta C; BLAS would refuse its leading dimensions (lda >= k)
  // and return with C untouched, so the portable path, which scales C and stops, does it.
  if (m == 0 || n == 0 || k == 0) {
    gemm_portable(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const auto ta = trans_a ? CblasTrans : CblasNoTrans;
  const auto tb = trans_b ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  } else if constexpr (std::is_same_v<T, double>) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#endif
  gemm_portable(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#define NABLA_INSTANTIATE(T)                                                                   \
  template void gemm<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t, const T*, \
                        int64_t, T, T*, int64_t);                                              \
  template void gemm_portable<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t,  \
                                 const T*, int64_t, T, T*, int64_t);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
NABLA_INSTANTIATE(int64_t)
#undef NABLA_INSTANTIATE

}  // namespace nabla::kernels
