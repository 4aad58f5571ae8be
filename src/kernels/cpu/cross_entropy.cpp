#include "kernels/cpu/cross_entropy.h"

#include <algorithm>
#include <cmath>

namespace nabla::kernels {

template <class T>
CrossEntropyCount cross_entropy_forward(const CrossEntropyShape& s, const T* logits,
                                        const int64_t* targets, T* probs, T* losses, T* row_weight) {
  CrossEntropyCount count;
  const int64_t classes = s.classes;
  for (int64_t i = 0; i < s.rows; ++i) {
    const T* row = logits + i * classes;
    T* prob = probs + i * classes;
    const int64_t t = targets[i];
    row_weight[i] = T(0);
    if (t == s.ignore_index) {
      losses[i] = T(0);
      // The backward multiplies this row by a zero weight: it must hold numbers, not whatever a
      // recycled block held (NaN * 0 is NaN).
      std::fill(prob, prob + classes, T(0));
      continue;
    }
    if (t < 0 || t >= classes) {
      count.bad_row = i;
      count.bad_target = t;
      return count;
    }
    // Everything is measured from the row's maximum m, so that f32 keeps its digits on large
    // logits: lse - x_c = (m - x_c) + log(sum_c exp(x_c - m)), both terms small.
    T m = row[0];
    for (int64_t c = 1; c < classes; ++c) m = row[c] > m ? row[c] : m;
    T total = T(0), below_max = T(0);  // sum of exp(x_c - m), sum of (m - x_c)
    for (int64_t c = 0; c < classes; ++c) {
      prob[c] = std::exp(row[c] - m);
      total += prob[c];
      below_max += m - row[c];
    }
    const T inv = T(1) / total;
    for (int64_t c = 0; c < classes; ++c) prob[c] *= inv;
    const T log_total = std::log(total);
    const T nll = (m - row[t]) + log_total;
    // Smoothing mixes in the uniform distribution: eps * mean_c(lse - x_c).
    const double eps = s.label_smoothing;
    losses[i] = eps == 0.0 ? nll
                           : static_cast<T>((1.0 - eps) * nll +
                                            eps * (below_max / static_cast<T>(classes) + log_total));
    row_weight[i] = T(1);
    ++count.counted;
  }
  return count;
}

template <class T>
void cross_entropy_backward(const CrossEntropyShape& s, const T* probs, const int64_t* targets,
                            const T* row_weight, const T* grad, int64_t grad_stride, double scale,
                            T* grad_logits) {
  const int64_t classes = s.classes;
  const double off_target = s.label_smoothing / static_cast<double>(classes);
  const double on_target = 1.0 - s.label_smoothing + off_target;
  for (int64_t i = 0; i < s.rows; ++i) {
    const double r = static_cast<double>(row_weight[i]) * scale * static_cast<double>(grad[i * grad_stride]);
    const T rt = static_cast<T>(r), off = static_cast<T>(off_target * r);
    const T* p = probs + i * classes;
    T* o = grad_logits + i * classes;
    for (int64_t c = 0; c < classes; ++c) o[c] = p[c] * rt - off;
    if (r != 0.0) o[targets[i]] -= static_cast<T>((on_target - off_target) * r);
  }
}

#define NABLA_INSTANTIATE(T)                                                                      \
  template CrossEntropyCount cross_entropy_forward<T>(const CrossEntropyShape&, const T*,         \
                                                      const int64_t*, T*, T*, T*);                \
  template void cross_entropy_backward<T>(const CrossEntropyShape&, const T*, const int64_t*,     \
                                          const T*, const T*, int64_t, double, T*);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
#undef NABLA_INSTANTIATE

}  // namespace nabla::kernels
