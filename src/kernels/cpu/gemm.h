// General matrix multiply, row-major: C = alpha * op(A) * op(B) + beta * C, where op(X) is X or
// its transpose. op(A) is M x K, op(B) is K x N, C is M x N; lda/ldb/ldc are row strides.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

namespace nabla::kernels {

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

// The portable kernel used when no BLAS was found at configure time (and for i64). Always
// compiled, so it is tested against BLAS.
template <class T>
void gemm_portable(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha,
                   const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

bool have_blas();

// Sets the threads BLAS uses (OpenBLAS keeps its own count beside OpenMP's); no-op without BLAS.
void set_blas_threads(int n);

}  // namespace nabla::kernels
