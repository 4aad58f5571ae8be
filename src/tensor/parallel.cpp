#include "nabla/parallel.h"

#include <omp.h>

#include "nabla/error.h"

#ifdef NABLA_HAVE_BLAS
extern "C" void openblas_set_num_threads(int);
#endif

namespace nabla {

void set_num_threads(int n) {
  if (n < 1) throw Error("set_num_threads: need at least one thread, got " + std::to_string(n));
  omp_set_num_threads(n);
#ifdef NABLA_HAVE_BLAS
  openblas_set_num_threads(n);
#endif
}

int get_num_threads() { return omp_get_max_threads(); }

}  // namespace nabla
