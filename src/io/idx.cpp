#include "nabla/io/idx.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "checked_size.h"
#include "nabla/error.h"

namespace nabla::io {

size_t idx_itemsize(IdxType type) {
  switch (type) {
    case IdxType::u8:
    case IdxType::i8: return 1;
    case IdxType::i16: return 2;
    case IdxType::i32:
    case IdxType::f32: return 4;
    case IdxType::f64: return 8;
  }
  throw Error("idx_itemsize: invalid IdxType " + std::to_string(static_cast<int>(type)));
}

const char* to_string(IdxType type) {
  switch (type) {
    case IdxType::u8: return "u8";
    case IdxType::i8: return "i8";
    case IdxType::i16: return "i16";
    case IdxType::i32: return "i32";
    case IdxType::f32: return "f32";
    case IdxType::f64: return "f64";
  }
  return "invalid";
}

namespace {

bool is_known_type_code(uint8_t code) {
  switch (code) {
    case 0x08:
    case 0x09:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x0E: return true;
    default: return false;
  }
}

std::string hex_byte(uint8_t b) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", b);
  return text;
}

std::string plural_bytes(size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// Where the parser gets its bytes: one parser serves files (through zlib) and memory buffers (for
// tests and the fuzzers), so both are checked by the same code.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `dest`; fewer only at the end of the data.
  virtual size_t read(uint8_t* dest, size_t n) = 0;
  // A description of what follows the end of the expected data, or "" when nothing does.
  virtual std::string describe_trailing_bytes() = 0;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  size_t read(uint8_t* dest, size_t n) override {
    const size_t count = std::min(n, bytes_.size() - position_);
    if (count > 0) std::memcpy(dest, bytes_.data() + position_, count);
    position_ += count;
    return count;
  }
  std::string describe_trailing_bytes() override {
    const size_t left = bytes_.size() - position_;
    return left == 0 ? "" : plural_bytes(left);
  }

 private:
  std::string_view bytes_;
  size_t position_ = 0;
};

// gzread also passes plain (uncompressed) files through unchanged, so one source reads both.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(const std::string& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      const int error_number = errno;
      throw IOError(path + ": cannot open for reading: " +
                    (error_number != 0 ? std::strerror(error_number) : "out of memory in zlib"));
    }
    gzbuffer(file_, 1 << 17);  // the default 8 KiB makes large data sets needlessly slow
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;
  ~GzipSource() override { gzclose(file_); }

  size_t read(uint8_t* dest, size_t n) override {
    size_t total = 0;
    while (total < n) {
      // gzread takes an unsigned length and returns an int: ask for at most 1 GiB at a time.
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - total, size_t{1} << 30));
      errno = 0;
      const int got = gzread(file_, dest + total, chunk);
      if (got < 0) throw_zlib_error(offset_ + total);
      total += static_cast<size_t>(got);
      if (static_cast<unsigned>(got) < chunk) {
        // A short read is either the clean end of the data or a damaged stream (a gzip file cut
        // short reports Z_BUF_ERROR only here, alongside the bytes it could still decode).
        int error_code = Z_OK;
        gzerror(file_, &error_code);
        if (error_code != Z_OK && error_code != Z_STREAM_END) throw_zlib_error(offset_ + total);
        break;
      }
    }
    offset_ += total;
    return total;
  }

  std::string describe_trailing_bytes() override {
    uint8_t probe = 0;
    return read(&probe, 1) == 0 ? "" : "at least 1 byte";
  }

 private:
  [[noreturn]] void throw_zlib_error(size_t offset) {
    int error_code = Z_OK;
    const char* message = gzerror(file_, &error_code);
    std::string reason = error_code == Z_ERRNO ? std::strerror(errno) : message;
    // zlib prefixes its messages with the path, which ours already starts with.
    if (reason.starts_with(path_ + ": ")) reason.erase(0, path_.size() + 2);
    throw IOError(path_ + ": cannot read (corrupt or cut-short gzip stream?) at uncompressed byte " +
                  std::to_string(offset) + ": " + reason);
  }

  std::string path_;
  gzFile file_ = nullptr;
  size_t offset_ = 0;
};

IdxArray parse_idx_from(ByteSource& source, const std::string& name) {
  uint8_t header[4];
  const size_t header_read = source.read(header, sizeof header);
  if (header_read < sizeof header) {
    throw IOError(name + ": truncated at byte " + std::to_string(header_read) +
                  ": expected a 4-byte IDX header (00 00 type ndim), found " +
                  plural_bytes(header_read));
  }
  if (header[0] != 0 || header[1] != 0) {
    throw IOError(name + ": bad magic at byte 0: expected 0x00 0x00, found " + hex_byte(header[0]) +
                  " " + hex_byte(header[1]) + " (not an IDX file)");
  }
  if (!is_known_type_code(header[2])) {
    throw IOError(name + ": unknown element type " + hex_byte(header[2]) +
                  " at byte 2: expected 0x08 (u8), 0x09 (i8), 0x0B (i16), 0x0C (i32), 0x0D (f32) "
                  "or 0x0E (f64)");
  }
  const int ndim = header[3];
  if (ndim < 1 || ndim > kMaxIdxDims) {
    throw IOError(name + ": bad dimension count at byte 3: expected 1 to " +
                  std::to_string(kMaxIdxDims) + ", found " + std::to_string(ndim));
  }

  IdxArray array;
  array.type = static_cast<IdxType>(header[2]);
  uint8_t dims[4 * kMaxIdxDims];
  const size_t dims_bytes = 4 * static_cast<size_t>(ndim);
  const size_t dims_read = source.read(dims, dims_bytes);
  if (dims_read < dims_bytes) {
    throw IOError(name + ": truncated at byte " + std::to_string(sizeof header + dims_read) +
                  ": expected " + std::to_string(ndim) + " big-endian u32 dimension sizes (" +
                  plural_bytes(dims_bytes) + ") from byte 4, found " + plural_bytes(dims_read));
  }
  array.shape.resize(static_cast<size_t>(ndim));
  for (int d = 0; d < ndim; ++d) {
    const uint8_t* p = dims + 4 * d;
    array.shape[static_cast<size_t>(d)] =
        (int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | int64_t{p[3]};
  }

  // Four u32 dimensions can multiply to 2^128: the size must be computed with overflow checks
  // before anything is allocated or indexed with it.
  std::vector<uint64_t> extents(array.shape.begin(), array.shape.end());
  const auto expected_bytes = detail::checked_byte_size(extents, idx_itemsize(array.type));
  if (!expected_bytes) {
    throw IOError(name + ": shape " + nabla::to_string(array.shape) + " of " +
                  to_string(array.type) + " at byte 4 is too large: its size overflows 64 bits");
  }

  // Read in chunks that double in size rather than allocating the declared size up front: a corrupt
  // header claiming terabytes then fails with "truncated" after allocating about twice the bytes
  // that are really there, instead of exhausting memory.
  const size_t data_start = sizeof header + dims_bytes;
  const size_t total = static_cast<size_t>(*expected_bytes);
  constexpr size_t kFirstChunk = size_t{64} << 10;
  constexpr size_t kLargestChunk = size_t{64} << 20;
  size_t filled = 0;
  while (filled < total) {
    const size_t want = std::min(total - filled, std::clamp(filled, kFirstChunk, kLargestChunk));
    array.bytes.resize(filled + want);
    const size_t got = source.read(array.bytes.data() + filled, want);
    filled += got;
    if (got < want) {
      throw IOError(name + ": truncated at byte " + std::to_string(data_start + filled) +
                    ": expected " + plural_bytes(total) + " of " + to_string(array.type) +
                    " data for shape " + nabla::to_string(array.shape) + " from byte " +
                    std::to_string(data_start) + ", found " + plural_bytes(filled));
    }
  }

  const std::string trailing = source.describe_trailing_bytes();
  if (!trailing.empty()) {
    throw IOError(name + ": unexpected data at byte " + std::to_string(data_start + total) +
                  ": expected the file to end after " + plural_bytes(total) + " of " +
                  to_string(array.type) + " data for shape " + nabla::to_string(array.shape) +
                  ", found " + trailing + " more");
  }
  return array;
}

// One big-endian element of type Element, wherever it sits in memory (no alignment needed).
template <class Element>
Element load_big_endian(const uint8_t* p) {
  using Bits = std::conditional_t<
      sizeof(Element) == 1, uint8_t,
      std::conditional_t<sizeof(Element) == 2, uint16_t,
                         std::conditional_t<sizeof(Element) == 4, uint32_t, uint64_t>>>;
  Bits bits = 0;
  for (size_t i = 0; i < sizeof(Element); ++i) bits = static_cast<Bits>((bits << 8) | p[i]);
  return std::bit_cast<Element>(bits);
}

template <class Element, class Out>
void decode_into(const IdxArray& array, Out* out) {
  const uint8_t* p = array.bytes.data();
  const size_t count = array.bytes.size() / sizeof(Element);
  for (size_t i = 0; i < count; ++i) {
    out[i] = static_cast<Out>(load_big_endian<Element>(p + i * sizeof(Element)));
  }
}

}  // namespace

IdxArray parse_idx(std::string_view bytes, const std::string& name) {
  MemorySource source(bytes);
  return parse_idx_from(source, name);
}

IdxArray read_idx(const std::string& path) {
  GzipSource source(path);
  return parse_idx_from(source, path);
}

Tensor idx_to_tensor(const IdxArray& array, DType dtype) {
  if (!is_known_type_code(static_cast<uint8_t>(array.type))) {
    throw DTypeError("idx_to_tensor: invalid IDX type " + hex_byte(static_cast<uint8_t>(array.type)));
  }
  uint64_t expected_bytes = idx_itemsize(array.type);
  bool bad_shape = false;
  for (const int64_t extent : array.shape) {
    bad_shape = bad_shape || extent < 0 ||
                __builtin_mul_overflow(expected_bytes, static_cast<uint64_t>(extent), &expected_bytes);
  }
  if (bad_shape || expected_bytes != array.bytes.size()) {
    throw ShapeError("idx_to_tensor: shape " + nabla::to_string(array.shape) + " of " +
                     to_string(array.type) + " does not match the " +
                     plural_bytes(array.bytes.size()) + " the array holds");
  }
  const bool floating_source = array.type == IdxType::f32 || array.type == IdxType::f64;
  if (floating_source && !is_floating(dtype)) {
    throw DTypeError(std::string("idx_to_tensor: cannot convert ") + to_string(array.type) +
                     " IDX data to " + nabla::to_string(dtype) + "; choose f32 or f64");
  }

  Tensor result = Tensor::empty(array.shape, dtype);
  if (array.bytes.empty()) return result;
  dispatch(dtype, [&](auto zero) {
    using Out = decltype(zero);
    Out* out = result.data<Out>();
    switch (array.type) {
      case IdxType::u8: decode_into<uint8_t>(array, out); break;
      case IdxType::i8: decode_into<int8_t>(array, out); break;
      case IdxType::i16: decode_into<int16_t>(array, out); break;
      case IdxType::i32: decode_into<int32_t>(array, out); break;
      case IdxType::f32: decode_into<float>(array, out); break;
      case IdxType::f64: decode_into<double>(array, out); break;
    }
  });
  return result;
}

}  // namespace nabla::io
