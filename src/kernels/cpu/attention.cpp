#include "kernels/cpu/attention.h"

#include <omp.h>

#include "kernels/cpu/attention_softmax.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {
namespace {

// One entry's matrix as GEMM wants it: op(X) when as_is, op(X^T) otherwise.
template <class T>
struct Operand {
  const T* p;
  int64_t ld;
  bool trans;
};

template <class T>
Operand<T> plain(const BatchedMatrix<T>& x, int64_t b) {
  return {x.data + x.offsets[static_cast<size_t>(b)], x.ld, x.transposed};
}

template <class T>
Operand<T> transposed(const BatchedMatrix<T>& x, int64_t b) {
  return {x.data + x.offsets[static_cast<size_t>(b)], x.ld, !x.transposed};
}

// C (m x n, row-major, ldc = n) = op(A) op(B).
template <class T>
void product(int64_t m, int64_t n, int64_t k, Operand<T> a, Operand<T> b, T* c) {
  gemm<T>(a.trans, b.trans, m, n, k, T(1), a.p, a.ld, b.p, b.ld, T(0), c, n);
}

// Entries in parallel (each with single-threaded GEMMs: OpenBLAS runs serially inside an OpenMP
// region) when there are enough of them to share; otherwise one at a time with threaded GEMMs.
bool in_parallel(const AttentionShape& s) {
  return s.batch >= omp_get_max_threads() && s.batch * s.lq * s.lk >= kParallelThreshold;
}

}  // namespace

template <class T>
void attention_forward(const AttentionShape& s, const BatchedMatrix<T>& q, const BatchedMatrix<T>& k,
                       const BatchedMatrix<T>& v, const BatchedMask<T>& mask, T scale, const T* keep,
                       T* probs, T* dropped, T* out) {
  const int64_t scores = s.lq * s.lk;
#pragma omp parallel for schedule(static) if (in_parallel(s))
  for (int64_t b = 0; b < s.batch; ++b) {
    T* p = probs + b * scores;
    product(s.lq, s.lk, s.d, plain(q, b), transposed(k, b), p);  // q k^T
    for (int64_t i = 0; i < s.lq; ++i) {
      const T* m = mask.data ? mask.data + mask.offsets[static_cast<size_t>(b)] + i * mask.row_stride : nullptr;
      softmax_row(p + i * s.lk, scale, m, mask.col_stride, p + i * s.lk, s.lk);
    }
    const T* w = p;
    if (keep) {
      T* d = dropped + b * scores;
      const T* kb = keep + b * scores;
      for (int64_t j = 0; j < scores; ++j) d[j] = p[j] * kb[j];
      w = d;
    }
    product(s.lq, s.dv, s.lk, Operand<T>{w, s.lk, false}, plain(v, b), out + b * s.lq * s.dv);  // W v
  }
}

template <class T>
void attention_backward(const AttentionShape& s, const BatchedMatrix<T>& q, const BatchedMatrix<T>& k,
                        const BatchedMatrix<T>& v, T scale, const T* probs, const T* keep,
                        const T* dropped, const BatchedMatrix<T>& g_out, T* gq, T* gk, T* gv) {
  const int64_t scores = s.lq * s.lk;
#pragma omp parallel if (in_parallel(s))
  {
    std::vector<T> g_scores(static_cast<size_t>(scores));  // this thread's dL/dW, then dL/dS
    T* gs = g_scores.data();
#pragma omp for schedule(static)
    for (int64_t b = 0; b < s.batch; ++b) {
      const T* p = probs + b * scores;
      const T* w = keep ? dropped + b * scores : p;
      product(s.lq, s.lk, s.dv, plain(g_out, b), transposed(v, b), gs);                        // g v^T
      product(s.lk, s.dv, s.lq, Operand<T>{w, s.lk, true}, plain(g_out, b), gv + b * s.lk * s.dv);  // W^T g
      if (keep) {
        const T* kb = keep + b * scores;
        for (int64_t j = 0; j < scores; ++j) gs[j] *= kb[j];
      }
      for (int64_t i = 0; i < s.lq; ++i) softmax_backward_row(p + i * s.lk, gs + i * s.lk, scale, gs + i * s.lk, s.lk);
      product(s.lq, s.d, s.lk, Operand<T>{gs, s.lk, false}, plain(k, b), gq + b * s.lq * s.d);  // gS k
      product(s.lk, s.d, s.lq, Operand<T>{gs, s.lk, true}, plain(q, b), gk + b * s.lk * s.d);   // gS^T q
    }
  }
}

#define NABLA_ATTENTION(T)                                                                              \
  template void attention_forward<T>(const AttentionShape&, const BatchedMatrix<T>&,                    \
                                     const BatchedMatrix<T>&, const BatchedMatrix<T>&,                  \
                                     const BatchedMask<T>&, T, const T*, T*, T*, T*);                   \
  template void attention_backward<T>(const AttentionShape&, const BatchedMatrix<T>&,                   \
                                      const BatchedMatrix<T>&, const BatchedMatrix<T>&, T, const T*,    \
                                      const T*, const T*, const BatchedMatrix<T>&, T*, T*, T*);
NABLA_ATTENTION(float)
NABLA_ATTENTION(double)
#undef NABLA_ATTENTION

}  // namespace nabla::kernels
