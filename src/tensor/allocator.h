// Host memory for tensor storage, with freed blocks kept for reuse.
//
// A training step allocates the same sizes every iteration. Handing large blocks back to the
// system (glibc unmaps blocks above its mmap threshold) means the next step page-faults on every
// page again: measured at ~15% of an MLP step. So freed blocks from 16 KiB to 16 MiB are cached by
// size (512 MiB in all), as PyTorch's CUDA allocator does; bigger ones (data sets) go back at once.
// Under AddressSanitizer nothing is cached, so use-after-free stays detectable.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <cstddef>

namespace nabla::detail {

// 64-byte aligned, uninitialised; size rounded up to a multiple of 64.
void* allocate_host(size_t nbytes);
void free_host(void* data, size_t nbytes);

}  // namespace nabla::detail
