#include "kernels/cpu/cross_entropy.h"

#include <algorithm>
#include <cmath>

namespace nabla::kernels {
namespace {

// sum_c w[c]: the smoothing term's total weight (classes when there are no weights).
template <class T>
double total_class_weight(const CrossEntropyShape& s, const T* class_weight) {
  if (class_weight == nullptr) return static_cast<double>(s.classes);
  double total = 0;
  for (int64_t c = 0; c < s.classes; ++c) total += static_cast<double>(class_weight[c]);
  return total;
}

}  // namespace

template <class T>
CrossEntropyCount cross_entropy_forward(const CrossEntropyShape& s, const T* logits,
                                        const int64_t* targets, const T* class_weight, T* probs,
                                        T* losses, T* row_weight) {
  CrossEntropyCount count;
  const int64_t classes = s.classes;
  const double eps = s.label_smoothing;
  const double smoothing_weight = eps == 0.0 ? 0.0 : total_class_weight(s, class_weight);
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
    // weighted_below_max = sum_c w[c] (m - x[i, c]), for the smoothing term.
    T total = T(0), weighted_below_max = T(0);
    for (int64_t c = 0; c < classes; ++c) {
      prob[c] = std::exp(row[c] - m);
      total += prob[c];
      weighted_below_max += class_weight == nullptr ? m - row[c] : class_weight[c] * (m - row[c]);
    }
    const T inv = T(1) / total;
    for (int64_t c = 0; c < classes; ++c) prob[c] *= inv;
    const T log_total = std::log(total);
    const T target_weight = class_weight == nullptr ? T(1) : class_weight[t];
    const T nll = target_weight * ((m - row[t]) + log_total);
    // Smoothing mixes in the uniform distribution: eps / classes * sum_c w[c] (lse - x_c).
    losses[i] = eps == 0.0 ? nll
                           : static_cast<T>((1.0 - eps) * nll +
                                            eps / static_cast<double>(classes) *
                                                (weighted_below_max + smoothing_weight * log_total));
    row_weight[i] = target_weight;
    ++count.counted;
  }
  return count;
}

template <class T>
void cross_entropy_backward(const CrossEntropyShape& s, const T* probs, const int64_t* targets,
                            const T* class_weight, const T* grad, int64_t grad_stride, double scale,
                            T* grad_logits) {
  const int64_t classes = s.classes;
  const double eps = s.label_smoothing;
  const double smoothing_share = eps / static_cast<double>(classes);
  const double smoothing_weight = smoothing_share * total_class_weight(s, class_weight);
  for (int64_t i = 0; i < s.rows; ++i) {
    T* o = grad_logits + i * classes;
    const int64_t t = targets[i];
    if (t == s.ignore_index) {
      std::fill(o, o + classes, T(0));
      continue;
    }
    const double r = scale * static_cast<double>(grad[i * grad_stride]);
    const double target_weight = class_weight == nullptr ? 1.0 : static_cast<double>(class_weight[t]);
    const T a = static_cast<T>(((1.0 - eps) * target_weight + smoothing_weight) * r);
    const T* p = probs + i * classes;
    const T off = static_cast<T>(smoothing_share * r);
    for (int64_t c = 0; c < classes; ++c)
      o[c] = p[c] * a - (class_weight == nullptr ? off : off * class_weight[c]);
    o[t] -= static_cast<T>((1.0 - eps) * target_weight * r);
  }
}

#define NABLA_INSTANTIATE(T)                                                                      \
  template CrossEntropyCount cross_entropy_forward<T>(const CrossEntropyShape&, const T*,         \
                                                      const int64_t*, const T*, T*, T*, T*);      \
  template void cross_entropy_backward<T>(const CrossEntropyShape&, const T*, const int64_t*,     \
                                          const T*, const T*, int64_t, double, T*);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
#undef NABLA_INSTANTIATE

}  // namespace nabla::kernels
