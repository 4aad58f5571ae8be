#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <numeric>

#include "io/io_test_helpers.h"
#include "nabla/io/idx.h"
#include "nabla/tensor.h"

namespace nabla::io {
namespace {

using test_helpers::bytes_of;
using test_helpers::expect_io_error;
using test_helpers::ScratchDir;
using test_helpers::write_bytes;
using test_helpers::write_gzip;

const std::string kFashionDir = "/usr/share/datasets/fashion-mnist/";

#define SKIP_WITHOUT_FASHION_MNIST()                                                        \
  if (!std::filesystem::exists(kFashionDir + "t10k-labels-idx1-ubyte.gz")) {                \
    GTEST_SKIP() << "Fashion-MNIST not installed (Debian package dataset-fashion-mnist)";  \
  }

// ---- real data -----------------------------------------------------------------------------------

TEST(Idx, ReadsFashionMnistTestImages) {
  SKIP_WITHOUT_FASHION_MNIST();
  const IdxArray images = read_idx(kFashionDir + "t10k-images-idx3-ubyte.gz");
  EXPECT_EQ(images.shape, (Shape{10000, 28, 28}));
  EXPECT_EQ(images.type, IdxType::u8);
  ASSERT_EQ(images.bytes.size(), 7'840'000u);

  const Tensor pixels = idx_to_tensor(images, DType::f32);
  EXPECT_EQ(pixels.shape(), (Shape{10000, 28, 28}));
  EXPECT_EQ(pixels.dtype(), DType::f32);
  const float* p = pixels.data<float>();
  // Reference values computed with Python's gzip module from the same file.
  EXPECT_EQ(std::accumulate(p, p + 784, 0.0), 33456.0);
  EXPECT_EQ(std::accumulate(p, p + pixels.numel(), 0.0), 573469082.0);
  const std::vector<float> row14(p + 14 * 28, p + 15 * 28);
  const std::vector<float> expected_row14 = {0,   0,   0,   0,   0,   0,   2,   4,   1,   0,
                                             0,   0,   98,  136, 110, 109, 110, 162, 135, 144,
                                             149, 159, 167, 144, 158, 169, 119, 0};
  EXPECT_EQ(row14, expected_row14);
}

TEST(Idx, ReadsFashionMnistTestLabels) {
  SKIP_WITHOUT_FASHION_MNIST();
  const Tensor labels = idx_to_tensor(read_idx(kFashionDir + "t10k-labels-idx1-ubyte.gz"), DType::i64);
  ASSERT_EQ(labels.shape(), (Shape{10000}));
  const int64_t* l = labels.data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(l, l + 10), (std::vector<int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  EXPECT_EQ(std::vector<int64_t>(l + 9995, l + 10000), (std::vector<int64_t>{9, 1, 8, 1, 5}));
  std::vector<int> per_class(10, 0);
  for (int64_t i = 0; i < 10000; ++i) {
    ASSERT_TRUE(l[i] >= 0 && l[i] < 10) << "label " << l[i] << " at " << i;
    ++per_class[static_cast<size_t>(l[i])];
  }
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));
}

TEST(Idx, ReadsFashionMnistTrainingSet) {
  SKIP_WITHOUT_FASHION_MNIST();
  const IdxArray images = read_idx(kFashionDir + "train-images-idx3-ubyte.gz");
  EXPECT_EQ(images.shape, (Shape{60000, 28, 28}));
  const auto first = images.bytes.begin();
  EXPECT_EQ(std::accumulate(first, first + 784, 0), 76247);
  EXPECT_EQ(std::accumulate(images.bytes.end() - 784, images.bytes.end(), 0), 16684);

  const Tensor labels = idx_to_tensor(read_idx(kFashionDir + "train-labels-idx1-ubyte.gz"), DType::i64);
  ASSERT_EQ(labels.shape(), (Shape{60000}));
  const int64_t* l = labels.data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(l, l + 10), (std::vector<int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
}

// ---- element types and decoding -------------------------------------------------------------------

TEST(Idx, DecodesEveryElementTypeBigEndian) {
  struct Case {
    int type_code;
    std::string data;
    std::vector<double> values;
  };
  const std::vector<Case> cases = {
      {0x08, bytes_of({0x00, 0x7F, 0xFF}), {0, 127, 255}},
      {0x09, bytes_of({0x00, 0x7F, 0x80}), {0, 127, -128}},
      {0x0B, bytes_of({0xFF, 0xFE, 0x01, 0x2C, 0x80, 0x00}), {-2, 300, -32768}},
      {0x0C, bytes_of({0x00, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0}),
       {65536, -1, -2147483648.0}},
      {0x0D, bytes_of({0x3F, 0xC0, 0, 0, 0xC0, 0x10, 0, 0, 0x7F, 0x80, 0, 0}),
       {1.5, -2.25, std::numeric_limits<double>::infinity()}},
      {0x0E,
       bytes_of({0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18, 0xBF, 0xF0, 0, 0, 0, 0, 0, 0,
                 0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A}),
       {3.141592653589793, -1.0, 0.1}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("type code " + std::to_string(c.type_code));
    const std::string file = bytes_of({0, 0, c.type_code, 1, 0, 0, 0, 3}) + c.data;
    const IdxArray array = parse_idx(file, "case.idx");
    EXPECT_EQ(static_cast<int>(array.type), c.type_code);
    EXPECT_EQ(array.shape, (Shape{3}));

    const Tensor as_f64 = idx_to_tensor(array, DType::f64);
    EXPECT_EQ(as_f64.to_vector<double>(), c.values);
    const Tensor as_f32 = idx_to_tensor(array, DType::f32);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(as_f32.data<float>()[i], static_cast<float>(c.values[i]));
    if (c.type_code <= 0x0C) {
      const Tensor as_i64 = idx_to_tensor(array, DType::i64);
      for (size_t i = 0; i < 3; ++i) EXPECT_EQ(as_i64.data<int64_t>()[i], static_cast<int64_t>(c.values[i]));
    } else {
      EXPECT_THROW(idx_to_tensor(array, DType::i64), DTypeError);
    }
  }
}

TEST(Idx, ReadsPlainAndGzipFilesAlike) {
  ScratchDir scratch;
  const std::string file = bytes_of({0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0xFF, 0xFF});
  write_bytes(scratch.path("plain.idx"), file);
  write_gzip(scratch.path("packed.idx.gz"), file);
  const IdxArray plain = read_idx(scratch.path("plain.idx"));
  const IdxArray packed = read_idx(scratch.path("packed.idx.gz"));
  EXPECT_EQ(plain.shape, (Shape{2, 3}));
  EXPECT_EQ(plain.shape, packed.shape);
  EXPECT_EQ(plain.bytes, packed.bytes);
  EXPECT_EQ(idx_to_tensor(plain, DType::i64).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 2, 3, 4, 5, -1}));
}

TEST(Idx, AZeroDimensionGivesAnEmptyTensor) {
  const IdxArray array = parse_idx(bytes_of({0, 0, 0x08, 2, 0, 0, 0, 0, 0, 0, 0, 28}), "empty.idx");
  EXPECT_EQ(array.shape, (Shape{0, 28}));
  EXPECT_TRUE(array.bytes.empty());
  const Tensor t = idx_to_tensor(array, DType::f32);
  EXPECT_EQ(t.shape(), (Shape{0, 28}));
  EXPECT_EQ(t.numel(), 0);
}

TEST(Idx, ToTensorRejectsAnInconsistentArray) {
  IdxArray array;
  array.shape = {2, 2};
  array.type = IdxType::i16;
  array.bytes.resize(6);  // needs 8
  EXPECT_THROW(idx_to_tensor(array, DType::f32), ShapeError);
}

// ---- malformed input -------------------------------------------------------------------------------

// Each corrupt file is checked in memory (parse_idx) and on disk, plain and gzip-compressed
// (read_idx), so that the file path must appear in the message along with the specific complaint.
void expect_corrupt(const std::string& file, std::initializer_list<std::string_view> parts) {
  expect_io_error([&] { parse_idx(file, "corrupt-in-memory.idx"); }, parts);
  expect_io_error([&] { parse_idx(file, "corrupt-in-memory.idx"); }, {"corrupt-in-memory.idx"});
  ScratchDir scratch;
  for (const std::string name : {"corrupt-plain.idx", "corrupt-packed.idx.gz"}) {
    const std::string path = scratch.path(name);
    if (name.ends_with(".gz")) {
      write_gzip(path, file);
    } else {
      write_bytes(path, file);
    }
    expect_io_error([&] { read_idx(path); }, parts);
    expect_io_error([&] { read_idx(path); }, {path});
  }
}

TEST(IdxErrors, MissingFileOrDirectory) {
  ScratchDir scratch;
  expect_io_error([&] { read_idx(scratch.path("no-such-file.idx.gz")); },
                  {"no-such-file.idx.gz", "cannot open", "No such file"});
  expect_io_error([&] { read_idx(scratch.dir()); }, {scratch.dir()});
}

TEST(IdxErrors, TruncatedHeader) {
  expect_corrupt("", {"truncated at byte 0", "expected a 4-byte IDX header", "found 0 bytes"});
  expect_corrupt(bytes_of({0, 0, 8}), {"truncated at byte 3", "found 3 bytes"});
  expect_corrupt(bytes_of({0, 0, 8, 3, 0, 0, 0, 10, 0, 0}),
                 {"truncated at byte 10", "expected 3 big-endian u32 dimension sizes (12 bytes)",
                  "found 6 bytes"});
}

TEST(IdxErrors, BadMagicTypeOrDimensionCount) {
  expect_corrupt(bytes_of({0x50, 0x4B, 8, 1, 0, 0, 0, 0}), {"bad magic at byte 0", "0x50 0x4B"});
  // On disk these two bytes start a gzip stream, so only the in-memory parser sees a bad magic.
  expect_io_error([] { parse_idx(bytes_of({0x1F, 0x8B, 8, 1}), "gz.idx"); }, {"gz.idx", "0x1F 0x8B"});
  expect_corrupt(bytes_of({0, 0, 0x0A, 1, 0, 0, 0, 0}), {"unknown element type 0x0A at byte 2"});
  expect_corrupt(bytes_of({0, 0, 8, 0}), {"at byte 3", "expected 1 to 8", "found 0"});
  expect_corrupt(bytes_of({0, 0, 8, 9}), {"at byte 3", "found 9"});
  expect_corrupt(bytes_of({0, 0, 8, 255}), {"at byte 3", "found 255"});
}

TEST(IdxErrors, SizeThatOverflows) {
  expect_corrupt(bytes_of({0, 0, 0x0E, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                           0xFF, 0xFF, 0xFF}),
                 {"shape [4294967295,4294967295,4294967295]", "overflows"});
}

TEST(IdxErrors, TruncatedData) {
  // The header promises six u8 values; only four follow.
  expect_corrupt(bytes_of({0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4}),
                 {"truncated at byte 16", "expected 6 bytes of u8 data", "from byte 12",
                  "found 4 bytes"});
  // A header claiming about 2^56 bytes must fail as truncated, without trying to allocate them.
  expect_corrupt(bytes_of({0, 0, 0x0E, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 1, 2}),
                 {"truncated at byte 14", "found 2 bytes"});
}

TEST(IdxErrors, TrailingGarbage) {
  expect_corrupt(bytes_of({0, 0, 8, 1, 0, 0, 0, 2, 7, 7, 0xAB}),
                 {"unexpected data at byte 10", "expected the file to end"});
}

TEST(IdxErrors, DamagedGzipStream) {
  std::string file = bytes_of({0, 0, 8, 1, 0, 0, 0x40, 0});
  for (int i = 0; i < 0x4000; ++i) file.push_back(static_cast<char>((i * 7919) % 251));
  ScratchDir scratch;
  const std::string path = scratch.path("damaged.idx.gz");
  write_gzip(path, file);
  const std::string packed = [&] {
    std::string bytes;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    for (int c; (c = std::fgetc(f)) != EOF;) bytes.push_back(static_cast<char>(c));
    std::fclose(f);
    return bytes;
  }();
  ASSERT_GT(packed.size(), 100u);

  write_bytes(path, packed.substr(0, packed.size() / 2));  // cut short
  expect_io_error([&] { read_idx(path); }, {path});

  std::string flipped = packed;
  for (size_t i = packed.size() / 3; i < packed.size() / 3 + 8; ++i) flipped[i] = static_cast<char>(~flipped[i]);
  write_bytes(path, flipped);  // corrupt in the middle: bad deflate data or a CRC mismatch
  expect_io_error([&] { read_idx(path); }, {path});
}

}  // namespace
}  // namespace nabla::io
