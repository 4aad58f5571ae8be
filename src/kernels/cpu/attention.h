// Scaled dot-product attention for a batch of independent (query, key, value) matrices, forward
// and backward, one batch entry (one head of one sequence) at a time: its scores, softmax and
// products stay in cache, and the entries run in parallel with single-threaded GEMMs. Issuing the
// same work op by op instead costs a pass over the whole [batch, Lq, Lk] score tensor per step
// and, for the many small GEMMs of a multi-head layer, a thread hand-off per GEMM.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>
#include <vector>

namespace nabla::kernels {

// One matrix operand per batch entry: base pointer + offsets[b]; rows `ld` apart (row-major) or,
// when `transposed`, columns `ld` apart (the matrix is stored as its transpose).
template <class T>
struct BatchedMatrix {
  const T* data = nullptr;
  std::vector<int64_t> offsets;  // one per batch entry
  int64_t ld = 0;
  bool transposed = false;
};

// The additive mask of each entry: row i, column j at data + offsets[b] + i * row_stride +
// j * col_stride (strides 0 where it broadcasts). data == nullptr: no mask.
template <class T>
struct BatchedMask {
  const T* data = nullptr;
  std::vector<int64_t> offsets;
  int64_t row_stride = 0, col_stride = 0;
};

struct AttentionShape {
  int64_t batch, lq, lk, d, dv;
};

// For each entry b: P = softmax(scale * q k^T + mask) (rows with every key masked become zeros),
// W = P * keep (keep: 0 or 1 / (1 - p) per element, the dropout mask; null for no dropout), and
// out = W v. probs [batch, lq, lk] receives P, dropped [batch, lq, lk] receives W (only with keep),
// out [batch, lq, dv]; all contiguous.
template <class T>
void attention_forward(const AttentionShape& s, const BatchedMatrix<T>& q, const BatchedMatrix<T>& k,
                       const BatchedMatrix<T>& v, const BatchedMask<T>& mask, T scale, const T* keep,
                       T* probs, T* dropped, T* out);

// The gradients of sum(out * g_out) with respect to q, k and v, from the forward's P (probs), its
// dropout mask and W (keep, dropped; both null without dropout). g_out is read in place (the
// gradient of heads merged back into one axis arrives as a strided view); the gradients gq
// [batch, lq, d], gk [batch, lk, d], gv [batch, lk, dv] are written contiguous.
template <class T>
void attention_backward(const AttentionShape& s, const BatchedMatrix<T>& q, const BatchedMatrix<T>& k,
                        const BatchedMatrix<T>& v, T scale, const T* probs, const T* keep,
                        const T* dropped, const BatchedMatrix<T>& g_out, T* gq, T* gk, T* gv);

}  // namespace nabla::kernels
