// When a kernel's loop is worth OpenMP threads: one number for every kernel, so that retuning it
// (for a machine whose threads start faster or slower) is one edit.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

namespace nabla::kernels {

// Below this many elements a loop runs on one thread: forking costs more than it saves.
inline constexpr int64_t kParallelThreshold = 32768;

}  // namespace nabla::kernels
