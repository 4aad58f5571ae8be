// Host memory for tensor storage, with freed blocks kept for reuse.
//
// A training step allocates the same sizes every iteration. Handing large blocks back to the
// system (glibc unmaps blocks above its mmap threshold) means the next step page-faults on every
// page again: measured at ~15% of an MLP step. So freed blocks of 16 KiB or more are cached by
// size, up to a bound, as PyTorch's CUDA allocator does. Under AddressSanitizer nothing is cached,
// so use-after-free stays detectable.
#pragma once
#include <cstddef>

namespace nabla::detail {

// 64-byte aligned, uninitialised; size rounded up to a multiple of 64.
void* allocate_host(size_t nbytes);
void free_host(void* data, size_t nbytes);

}  // namespace nabla::detail
