// libFuzzer harness for the safetensors reader (buffer form; load_safetensors only adds read_file).
// The contract under test: any input either loads or throws IOError, nothing else escapes, and
// whatever loads survives a save/load round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "nabla/error.h"
#include "nabla/io/safetensors.h"

namespace {

bool same_tensors(const nabla::io::NamedTensors& a, const nabla::io::NamedTensors& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const nabla::Tensor& x = a[i].second;
    const nabla::Tensor& y = b[i].second;
    if (a[i].first != b[i].first || x.dtype() != y.dtype() || x.shape() != y.shape()) return false;
    if (x.nbytes() > 0 && std::memcmp(x.raw_data(), y.raw_data(), x.nbytes()) != 0) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  nabla::io::SafetensorsFile file;
  try {
    file = nabla::io::parse_safetensors(bytes, "fuzz.safetensors");
  } catch (const nabla::IOError&) {
    return 0;
  }
  const std::string rewritten = nabla::io::serialize_safetensors(file.tensors, file.metadata);
  const nabla::io::SafetensorsFile again = nabla::io::parse_safetensors(rewritten, "rewritten");
  if (!same_tensors(file.tensors, again.tensors) || file.metadata != again.metadata) std::abort();
  return 0;
}
