// Threads used by nabla's kernels and by BLAS. Both run on one OpenMP pool (OpenBLAS's OpenMP
// build), so setting the count here sets it for everything.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);

namespace nabla {

void set_num_threads(int n);
int get_num_threads();

}  // namespace nabla
