// libFuzzer harness for read_idx on files: the input becomes an in-memory file that zlib opens by
// path, so damaged gzip streams and plain files both go through the real file-reading code.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "nabla/error.h"
#include "nabla/io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = memfd_create("fuzz_idx_gzip", 0);
  if (fd < 0) std::abort();
  for (size_t written = 0; written < size;) {
    const ssize_t n = write(fd, data + written, size - written);
    if (n <= 0) std::abort();
    written += static_cast<size_t>(n);
  }
  try {
    const nabla::io::IdxArray array = nabla::io::read_idx("/proc/self/fd/" + std::to_string(fd));
    if (static_cast<uint64_t>(array.numel()) * nabla::io::idx_itemsize(array.type) !=
        array.bytes.size()) {
      std::abort();
    }
  } catch (const nabla::IOError&) {
  }
  close(fd);
  return 0;
}
