// PNG writing: what stb_image reads back is exactly what was written, gray and RGB; the file is
// replaced atomically; bad images and bad paths give errors that say which.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <filesystem>

#include "io/io_test_helpers.h"
#include "nabla/io/atomic_file.h"
#include "nabla/io/png.h"

namespace nabla::io {
namespace {

using test_helpers::expect_io_error;
using test_helpers::ScratchDir;

// A picture where every byte differs from its neighbours, so a swapped row, channel or stride shows.
Image pattern(int64_t width, int64_t height, int64_t channels) {
  Image image(width, height, channels);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>((i * 37 + i / 7) % 256);
  return image;
}

// Decodes with stb_image, keeping the file's own channel count.
Image decode(const std::string& bytes) {
  int width = 0, height = 0, channels = 0;
  stbi_uc* data = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()),
                                        &width, &height, &channels, 0);
  if (data == nullptr) throw std::runtime_error(std::string("stb_image: ") + stbi_failure_reason());
  Image image(width, height, channels);
  std::copy(data, data + image.pixels.size(), image.pixels.begin());
  stbi_image_free(data);
  return image;
}

void expect_same(const Image& a, const Image& b) {
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.channels, b.channels);
  EXPECT_TRUE(a.pixels == b.pixels) << "pixels differ";
}

TEST(Png, GrayRoundTripIsExact) {
  ScratchDir scratch;
  const Image image = pattern(13, 7, 1);  // odd sizes: no row padding may creep in
  write_png(scratch.path("gray.png"), image);
  const std::string bytes = read_file(scratch.path("gray.png"));
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  expect_same(decode(bytes), image);
}

TEST(Png, RgbRoundTripIsExact) {
  ScratchDir scratch;
  const Image image = pattern(5, 11, 3);
  write_png(scratch.path("rgb.png"), image);
  expect_same(decode(read_file(scratch.path("rgb.png"))), image);
  expect_same(decode(encode_png(image)), image);
}

TEST(Png, PixelAccessIsRowMajorWithInterleavedChannels) {
  Image image(4, 3, 3);
  image.at(2, 1, 0) = 200;  // x = 2, y = 1, red
  image.at(3, 2, 2) = 100;  // the last pixel's blue
  EXPECT_EQ(image.pixels[(1 * 4 + 2) * 3 + 0], 200);
  EXPECT_EQ(image.pixels.back(), 100);
  const Image back = decode(encode_png(image));
  EXPECT_EQ(back.at(2, 1, 0), 200);
  EXPECT_EQ(back.at(3, 2, 2), 100);
}

TEST(Png, ReplacesAnExistingFileAndCreatesParentDirectories) {
  ScratchDir scratch;
  const std::string path = scratch.path("deep/er/picture.png");
  write_png(path, pattern(3, 3, 1));
  write_png(path, pattern(4, 2, 3));
  expect_same(decode(read_file(path)), pattern(4, 2, 3));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(scratch.path("deep/er"))) names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"picture.png"});  // no temporary left behind
}

TEST(Png, UnwritablePathIsAnIOErrorNamingIt) {
  ScratchDir scratch;
  const std::string file = scratch.path("plain_file");
  write_file_atomic(file, "not a directory");
  const std::string path = file + "/picture.png";
  expect_io_error([&] { write_png(path, pattern(2, 2, 1)); }, {path});
}

TEST(Png, MalformedImagesAreShapeErrors) {
  EXPECT_THROW(Image(2, 2, 5), ShapeError);
  EXPECT_THROW(Image(-1, 2, 1), ShapeError);
  EXPECT_THROW(encode_png(Image(0, 3, 1)), ShapeError);
  Image short_of_pixels(3, 3, 1);
  short_of_pixels.pixels.pop_back();
  try {
    encode_png(short_of_pixels);
    ADD_FAILURE() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("3x3x1"), std::string::npos) << e.what();
  }
  ScratchDir scratch;
  const std::string path = scratch.path("empty.png");
  try {
    write_png(path, Image(0, 0, 1));
    ADD_FAILURE() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace nabla::io
