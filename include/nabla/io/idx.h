// IDX files: the format of MNIST, Fashion-MNIST, KMNIST and EMNIST.
//
// Layout (all multi-byte numbers big-endian):
//   bytes 0-1   zero
//   byte  2     element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
//   byte  3     number of dimensions, 1..8 here
//   then        one u32 per dimension
//   then        the elements in row-major order, nothing after them
// The files are usually distributed gzip-compressed; read_idx reads both forms.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/dtype.h"
#include "nabla/shape.h"
#include "nabla/tensor.h"

namespace nabla::io {

enum class IdxType : uint8_t {
  u8 = 0x08,
  i8 = 0x09,
  i16 = 0x0B,
  i32 = 0x0C,
  f32 = 0x0D,
  f64 = 0x0E,
};

// Bytes per element of an IDX type.
size_t idx_itemsize(IdxType type);
// "u8", "i16", ...
const char* to_string(IdxType type);

// An IDX file as stored: its shape, element type and the raw big-endian element bytes.
struct IdxArray {
  Shape shape;
  IdxType type = IdxType::u8;
  std::vector<uint8_t> bytes;  // numel * idx_itemsize(type) bytes, big-endian as in the file

  int64_t numel() const { return nabla::numel(shape); }
};

// The limit on dimensions: the format allows 255, no real data set uses more than 4, and a small
// limit turns a corrupt count byte into a clear error rather than a giant header.
inline constexpr int kMaxIdxDims = 8;

// Parses an IDX file held in memory (not compressed). `name` appears in error messages.
// Throws IOError naming `name`, the byte offset and what was expected for: a bad magic, an unknown
// type code, 0 or more than kMaxIdxDims dimensions, a shape whose size overflows, truncated data or
// bytes after the data.
IdxArray parse_idx(std::string_view bytes, const std::string& name);

// Reads an IDX file, gzip-compressed or plain (zlib tells them apart). Same errors as parse_idx,
// with offsets counted in the uncompressed stream, plus missing files and corrupt gzip streams.
IdxArray read_idx(const std::string& path);

// The array as a tensor of `dtype`, decoding the big-endian elements. Integer IDX data converts to
// any dtype; floating IDX data converts to f32 or f64 only (throws DTypeError for i64, because a
// float-to-integer conversion would have to invent a rounding rule and NaN has no integer value).
Tensor idx_to_tensor(const IdxArray& array, DType dtype);

}  // namespace nabla::io
