#include "kernels/cpu/unpool.h"

#include <algorithm>

namespace nabla::kernels {

template <class T>
UnpoolCheck max_unpool2d_forward(int64_t planes, int64_t in_plane, int64_t out_plane, const T* x,
                                 const int64_t* indices, T* y) {
  UnpoolCheck check;
  std::fill(y, y + planes * out_plane, T(0));
  for (int64_t p = 0; p < planes; ++p) {
    T* out = y + p * out_plane;
    for (int64_t k = p * in_plane; k < (p + 1) * in_plane; ++k) {
      const int64_t at = indices[k];
      if (at < 0 || at >= out_plane) {
        check.bad_position = k;
        check.bad_index = at;
        return check;
      }
      out[at] = x[k];
    }
  }
  return check;
}

#define NABLA_INSTANTIATE(T)                                                                    \
  template UnpoolCheck max_unpool2d_forward<T>(int64_t, int64_t, int64_t, const T*, const int64_t*, \
                                               T*);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
#undef NABLA_INSTANTIATE

}  // namespace nabla::kernels
