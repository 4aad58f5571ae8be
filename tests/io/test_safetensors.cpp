#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "io/io_test_helpers.h"
#include "nabla/io/atomic_file.h"
#include "nabla/io/safetensors.h"
#include "nabla/tensor.h"

namespace nabla::io {
namespace {

using test_helpers::expect_io_error;
using test_helpers::ScratchDir;

const std::string kTorchFixture = std::string(NABLA_TEST_DATA_DIR) + "/io/torch_tensors.safetensors";

// The tensors tests/io/make_safetensors_fixture.py writes with PyTorch.
NamedTensors fixture_tensors() {
  return {
      {"weight", from_vector(std::vector<float>{1.5f, -2.25f, 3.0f, 0.1f, 1e30f, -7.0f}, {2, 3})},
      {"bias", from_vector(std::vector<double>{0.1, -1e-300, 3.141592653589793, std::ldexp(1.0, 60)},
                           {4}, DType::f64)},
      {"index", from_vector(std::vector<int64_t>{-1, int64_t{1} << 40, int64_t{1} << 62,
                                                 std::numeric_limits<int64_t>::min()},
                            {2, 2})},
  };
}
const std::map<std::string, std::string> kFixtureMetadata = {{"format", "pt"}, {"written_by", "torch"}};

// Same names, order, dtypes, shapes and bit-identical values.
void expect_same_tensors(const NamedTensors& got, const NamedTensors& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("tensor " + want[i].first);
    EXPECT_EQ(got[i].first, want[i].first);
    const Tensor& a = got[i].second;
    const Tensor b = want[i].second.contiguous();
    ASSERT_EQ(a.dtype(), b.dtype());
    ASSERT_EQ(a.shape(), b.shape());
    EXPECT_TRUE(a.is_contiguous());
    if (a.nbytes() > 0) {
      EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()), 0);
    }
  }
}

// A file from a header written by hand and a data buffer.
std::string file_with_header(const std::string& header, const std::string& data = "") {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xFF));
  return bytes + header + data;
}

// ---- round trips ---------------------------------------------------------------------------------

TEST(Safetensors, RoundTripsAllDTypesWithMetadata) {
  ScratchDir scratch;
  const std::string path = scratch.path("model.safetensors");
  const NamedTensors tensors = fixture_tensors();
  save_safetensors(path, tensors, {{"epoch", "3"}, {"note", "héllo, \"quoted\""}});
  const SafetensorsFile loaded = load_safetensors(path);
  expect_same_tensors(loaded.tensors, tensors);
  EXPECT_EQ(loaded.metadata, (std::map<std::string, std::string>{{"epoch", "3"}, {"note", "héllo, \"quoted\""}}));
}

TEST(Safetensors, RoundTripsScalarsEmptyTensorsAndNoTensors) {
  const NamedTensors tensors = {
      {"layers.0.weight", from_vector(std::vector<double>{2.5}, {}, DType::f64).reshape({})},
      {"empty", zeros({0, 3})},
      {"step", from_vector(std::vector<int64_t>{7}, {1})},
  };
  const SafetensorsFile loaded = parse_safetensors(serialize_safetensors(tensors), "mem");
  expect_same_tensors(loaded.tensors, tensors);
  EXPECT_EQ(loaded.tensors[0].second.dim(), 0);
  EXPECT_EQ(loaded.tensors[0].second.item(), 2.5);
  EXPECT_TRUE(loaded.metadata.empty());

  const SafetensorsFile none = parse_safetensors(serialize_safetensors({}), "mem");
  EXPECT_TRUE(none.tensors.empty());
}

TEST(Safetensors, AnEmptyTensorMayShareItsOffsetWithTheNextOne) {
  // "z" sorts after "a" by name but its (empty) data comes first: [0,0] then [0,8].
  const NamedTensors tensors = {{"z", zeros({0})}, {"a", ones({2})}};
  expect_same_tensors(parse_safetensors(serialize_safetensors(tensors), "mem").tensors, tensors);
}

TEST(Safetensors, WritesNonContiguousTensorsContiguously) {
  const Tensor matrix = arange(0, 12, 1, DType::f32).reshape({3, 4});
  const Tensor transposed = matrix.transpose(0, 1);            // [4,3], strides [1,4]
  const Tensor strided = matrix.slice(1, 0, 4, 2);             // [3,2], every other column
  ASSERT_FALSE(transposed.is_contiguous());
  ASSERT_FALSE(strided.is_contiguous());
  const SafetensorsFile loaded =
      parse_safetensors(serialize_safetensors({{"t", transposed}, {"s", strided}}), "mem");
  ASSERT_EQ(loaded.tensors.size(), 2u);
  EXPECT_EQ(loaded.tensors[0].second.shape(), (Shape{4, 3}));
  EXPECT_EQ(loaded.tensors[0].second.to_vector<float>(),
            (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  EXPECT_EQ(loaded.tensors[1].second.shape(), (Shape{3, 2}));
  EXPECT_EQ(loaded.tensors[1].second.to_vector<float>(), (std::vector<float>{0, 2, 4, 6, 8, 10}));
}

TEST(Safetensors, HeaderIsPaddedToEightBytes) {
  for (const std::string name : {"a", "ab", "abc", "abcdefgh", "layers.10.attention.weight"}) {
    const std::string bytes = serialize_safetensors({{name, ones({3})}});
    uint64_t header_length = 0;
    std::memcpy(&header_length, bytes.data(), 8);
    EXPECT_EQ(header_length % 8, 0u) << name;
    EXPECT_EQ(bytes.size(), 8 + header_length + 12) << name;
  }
}

// ---- PyTorch interoperability ----------------------------------------------------------------------

TEST(Safetensors, LoadsTheFileWrittenByPyTorch) {
  const SafetensorsFile loaded = load_safetensors(kTorchFixture);
  expect_same_tensors(loaded.tensors, fixture_tensors());
  EXPECT_EQ(loaded.metadata, kFixtureMetadata);
  EXPECT_EQ(loaded.tensors[0].second.to_vector<float>(),
            (std::vector<float>{1.5f, -2.25f, 3.0f, 0.1f, 1e30f, -7.0f}));
  EXPECT_EQ(loaded.tensors[2].second.to_vector<int64_t>()[3], std::numeric_limits<int64_t>::min());
}

TEST(Safetensors, WritesTheSameBytesAsThePythonWriter) {
  // Both writers emit compact JSON in insertion order with __metadata__ first, so equal inputs
  // give byte-identical files.
  EXPECT_EQ(serialize_safetensors(fixture_tensors(), kFixtureMetadata), read_file(kTorchFixture));
}

TEST(Safetensors, WritesFileForPythonCheck) {
  // Checked by hand with: /usr/bin/python3 tests/io/make_safetensors_fixture.py check <this path>
  const std::string path = ::testing::TempDir() + "nabla_io_written.safetensors";
  save_safetensors(path, fixture_tensors(), kFixtureMetadata);
  expect_same_tensors(load_safetensors(path).tensors, fixture_tensors());
}

// ---- save errors ---------------------------------------------------------------------------------

TEST(SafetensorsErrors, SaveRejectsBadNamesAndTensors) {
  ScratchDir scratch;
  const std::string path = scratch.path("out.safetensors");
  expect_io_error([&] { save_safetensors(path, {{"w", ones({2})}, {"w", ones({2})}}); },
                  {path, "duplicate tensor name 'w'"});
  expect_io_error([&] { save_safetensors(path, {{"__metadata__", ones({2})}}); }, {path, "reserved"});
  expect_io_error([&] { save_safetensors(path, {{"w", Tensor()}}); }, {path, "'w' is undefined"});
  expect_io_error([&] { save_safetensors(path, {{std::string("bad\xFF"), ones({1})}}); }, {path, "UTF-8"});
  const std::string missing_dir = scratch.path("missing/out.safetensors");
  expect_io_error([&] { save_safetensors(missing_dir, {{"w", ones({2})}}); }, {missing_dir});
}

// ---- load errors ---------------------------------------------------------------------------------

// Checks the buffer in memory and, written to a file, through load_safetensors, whose message must
// name the path.
void expect_corrupt(const std::string& bytes, std::initializer_list<std::string_view> parts) {
  expect_io_error([&] { parse_safetensors(bytes, "corrupt-in-memory.safetensors"); }, parts);
  expect_io_error([&] { parse_safetensors(bytes, "corrupt-in-memory.safetensors"); },
                  {"corrupt-in-memory.safetensors"});
  ScratchDir scratch;
  const std::string path = scratch.path("corrupt.safetensors");
  test_helpers::write_bytes(path, bytes);
  expect_io_error([&] { load_safetensors(path); }, {path});
}

std::string tensor_json(const std::string& name, const std::string& dtype, const std::string& shape,
                        const std::string& offsets) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
         ",\"data_offsets\":" + offsets + "}";
}

TEST(SafetensorsErrors, MissingFile) {
  ScratchDir scratch;
  expect_io_error([&] { load_safetensors(scratch.path("nope.safetensors")); },
                  {"nope.safetensors", "No such file"});
}

TEST(SafetensorsErrors, TruncatedOrOversizedHeader) {
  expect_corrupt("", {"truncated at byte 0", "8-byte little-endian header length"});
  expect_corrupt(std::string("\x10\0\0", 3), {"truncated at byte 3"});
  std::string claims_more = file_with_header("{}");
  claims_more[0] = 100;
  expect_corrupt(claims_more, {"header length 100", "larger than the 2 bytes"});
  std::string huge = file_with_header("{}");
  for (int i = 0; i < 8; ++i) huge[i] = '\xFF';
  expect_corrupt(huge, {"header length 18446744073709551615"});
}

TEST(SafetensorsErrors, AnotherKindOfFileIsNamedAsSuch) {
  // A PNG's first 8 bytes would make a header length of 724 quadrillion bytes.
  expect_corrupt(std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16), {"not a safetensors file (a PNG image)"});
  expect_corrupt(std::string("PK\x03\x04\x14\0\0\0\x08\0", 10), {"not a safetensors file (a ZIP archive"});
  expect_corrupt("just some text, not a model", {"not a safetensors file:", "begins its JSON header with '{'"});
}

TEST(SafetensorsErrors, HeaderIsNotAJsonObject) {
  expect_corrupt(file_with_header("{\"a\":"), {"not valid JSON"});
  expect_corrupt(file_with_header("{} x"), {"not valid JSON"});
  expect_corrupt(file_with_header("[1,2]"), {"not a safetensors file", "begins its JSON header with '{'"});
  expect_corrupt(file_with_header("{\"w\": 3}"), {"tensor 'w'", "expected an object"});
}

TEST(SafetensorsErrors, BadDTypes) {
  expect_corrupt(file_with_header("{" + tensor_json("w", "Q32", "[1]", "[0,4]") + "}", "abcd"),
                 {"tensor 'w'", "unknown dtype 'Q32'"});
  expect_corrupt(file_with_header("{" + tensor_json("w", "U16", "[2]", "[0,4]") + "}", "abcd"),
                 {"tensor 'w'", "unsupported dtype 'U16'"});
  expect_corrupt(file_with_header("{" + tensor_json("m", "BOOL", "[2]", "[0,2]") + "}", std::string("\x01\x02", 2)),
                 {"tensor 'm' (BOOL): element 1 is byte 2, not 0 or 1"});
  expect_corrupt(file_with_header("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", "abcd"),
                 {"dtype is not a string"});
  expect_corrupt(file_with_header("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "abcd"),
                 {"tensor 'w'", "missing \"dtype\""});
}

TEST(SafetensorsErrors, BadShapes) {
  const std::string data(8, 'x');
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[-2]", "[0,8]") + "}", data),
                 {"tensor 'w'", "shape entry 0 is negative"});
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[2.0]", "[0,8]") + "}", data),
                 {"shape entry 0 is not a non-negative integer"});
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[1,\"2\"]", "[0,8]") + "}", data),
                 {"shape entry 1 is not a non-negative integer"});
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "2", "[0,8]") + "}", data),
                 {"shape is not an array"});
  expect_corrupt(file_with_header("{" + tensor_json("w", "F64", "[4294967296,4294967296]", "[0,8]") + "}", data),
                 {"overflows"});
}

TEST(SafetensorsErrors, BadDataOffsets) {
  const std::string data(16, 'x');
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[3]", "[0,8]") + "}", data),
                 {"tensor 'w'", "data_offsets [0, 8] span 8 bytes", "needs 12"});
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[2]", "[8,0]") + "}", data),
                 {"end before they begin"});
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[2]", "[0,8,16]") + "}", data),
                 {"data_offsets must be [begin, end]"});
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[2]", "[0,-8]") + "}", data),
                 {"data_offsets end is negative"});
  // Past the end of the buffer: a truncated file.
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[6]", "[0,24]") + "}", data),
                 {"run past the end of the 16-byte data buffer"});
  // Overlap, gap, a gap at the start and bytes no tensor accounts for.
  expect_corrupt(file_with_header("{" + tensor_json("a", "F32", "[2]", "[0,8]") + "," +
                                  tensor_json("b", "F32", "[2]", "[4,12]") + "}", data),
                 {"tensor 'b'", "overlap"});
  expect_corrupt(file_with_header("{" + tensor_json("a", "F32", "[2]", "[0,8]") + "," +
                                  tensor_json("b", "F32", "[1]", "[12,16]") + "}", data),
                 {"tensor 'b'", "leave a gap", "expected it to begin at 8"});
  expect_corrupt(file_with_header("{" + tensor_json("a", "F32", "[2]", "[8,16]") + "}", data),
                 {"tensor 'a'", "leave a gap", "begin at 0"});
  expect_corrupt(file_with_header("{" + tensor_json("a", "F32", "[2]", "[0,8]") + "}", data),
                 {"holds 16 bytes but the tensors account for 8"});
}

TEST(SafetensorsErrors, DuplicateNames) {
  const std::string data(8, 'x');
  expect_corrupt(file_with_header("{" + tensor_json("w", "F32", "[1]", "[0,4]") + "," +
                                  tensor_json("w", "F32", "[1]", "[4,8]") + "}", data),
                 {"'w' twice"});
  expect_corrupt(file_with_header("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[2],"
                                  "\"data_offsets\":[0,8]}}", data),
                 {"'dtype' twice"});
}

TEST(SafetensorsErrors, BadMetadata) {
  expect_corrupt(file_with_header("{\"__metadata__\":[1]}"), {"\"__metadata__\" must be an object"});
  expect_corrupt(file_with_header("{\"__metadata__\":{\"epoch\":3}}"), {"entry 'epoch' is not a string"});
}

TEST(SafetensorsErrors, TruncatedRealFile) {
  const std::string good = read_file(kTorchFixture);
  for (const size_t cut : {size_t{4}, size_t{40}, good.size() - 8, good.size() - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    expect_corrupt(good.substr(0, cut), {});
  }
  expect_corrupt(good + "extra", {"holds 93 bytes but the tensors account for 88"});
}

}  // namespace
}  // namespace nabla::io
