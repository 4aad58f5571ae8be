// safetensors: the tensor file format of Hugging Face, readable by PyTorch, JAX and NumPy, and the
// way weights travel between nabla and other frameworks.
//
// Layout:
//   8 bytes    N, the header length, little-endian u64
//   N bytes    a JSON object, padded with spaces to a multiple of 8:
//                {"__metadata__": {"key": "value", ...},            (optional)
//                 "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
//   the rest   the data buffer: each tensor's elements, row-major and little-endian, at
//              [begin, end) relative to the buffer start; tensors are packed with no gaps.
// nabla reads and writes the dtypes F32, F64 and I64.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::io {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct SafetensorsFile {
  NamedTensors tensors;                         // in the order of their data in the file
  std::map<std::string, std::string> metadata;  // the "__metadata__" entries, if any
};

// The bytes of a safetensors file holding `tensors` (in the given order) and `metadata`.
// Non-contiguous tensors are written contiguous. Throws Error for an undefined tensor, a duplicate
// or reserved ("__metadata__") name, or a tensor not on the CPU.
std::string serialize_safetensors(const NamedTensors& tensors,
                                  const std::map<std::string, std::string>& metadata = {});

// Parses a safetensors file held in memory; `name` appears in error messages. Every tensor is
// copied out of `bytes`, so the buffer may be freed afterwards. Throws IOError naming `name` and
// the problem for: a header length beyond the data, a header that is not a JSON object, an
// unknown or unsupported dtype, a shape entry that is not a non-negative integer, data_offsets
// that are out of range, do not match shape * itemsize, overlap or leave gaps, duplicate names,
// and a "__metadata__" that is not an object of strings.
SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& name);

// serialize_safetensors written to `path` with write_file_atomic: a crash never leaves a
// half-written file in place of the old one.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// parse_safetensors of the file at `path`; IOError messages name the path.
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace nabla::io
