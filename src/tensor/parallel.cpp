#include "nabla/parallel.h"

#include <omp.h>

#include "kernels/cpu/gemm.h"
#include "nabla/error.h"

namespace nabla {

void set_num_threads(int n) {
  if (n < 1) throw Error("set_num_threads: need at least one thread, got " + std::to_string(n));
  omp_set_num_threads(n);
  kernels::set_blas_threads(n);
}

int get_num_threads() { return omp_get_max_threads(); }

}  // namespace nabla
