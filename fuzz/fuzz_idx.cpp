// libFuzzer harness for the IDX parser (in-memory form, the same code read_idx runs on files).
// The contract under test: any input either parses into a consistent array or throws IOError;
// nothing else escapes, and no byte outside the input is read (AddressSanitizer checks that).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nabla/error.h"
#include "nabla/io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  nabla::io::IdxArray array;
  try {
    array = nabla::io::parse_idx(bytes, "fuzz.idx");
  } catch (const nabla::IOError&) {
    return 0;
  }
  // A successful parse must describe exactly the bytes it returned.
  if (static_cast<uint64_t>(array.numel()) * nabla::io::idx_itemsize(array.type) != array.bytes.size()) {
    std::abort();
  }
  const bool floating = array.type == nabla::io::IdxType::f32 || array.type == nabla::io::IdxType::f64;
  const nabla::Tensor as_f64 = nabla::io::idx_to_tensor(array, nabla::DType::f64);
  if (as_f64.numel() != array.numel()) std::abort();
  if (!floating) nabla::io::idx_to_tensor(array, nabla::DType::i64);
  return 0;
}
