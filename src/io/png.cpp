#include "nabla/io/png.h"

#include <stb_image_write.h>

#include <filesystem>
#include <limits>

#include "nabla/error.h"
#include "nabla/io/atomic_file.h"

namespace nabla::io {
namespace {

std::string describe(const Image& image) {
  return std::to_string(image.width) + "x" + std::to_string(image.height) + "x" + std::to_string(image.channels);
}

// stb_image_write hands the encoded file over in pieces; they are appended to a string.
void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
}

}  // namespace

Image::Image(int64_t width_, int64_t height_, int64_t channels_, uint8_t fill)
    : width(width_), height(height_), channels(channels_) {
  if (width < 0 || height < 0 || channels < 1 || channels > 4)
    throw ShapeError("Image: cannot make a " + describe(*this) + " image (channels must be 1 to 4)");
  pixels.assign(static_cast<size_t>(width * height * channels), fill);
}

std::string encode_png(const Image& image) {
  if (image.channels < 1 || image.channels > 4)
    throw ShapeError("encode_png: " + describe(image) + " image: channels must be 1 to 4");
  if (image.width <= 0 || image.height <= 0)
    throw ShapeError("encode_png: " + describe(image) + " image is empty");
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  if (image.width * image.channels > kMax || image.height > kMax)
    throw ShapeError("encode_png: " + describe(image) + " image is too large for PNG encoding");
  if (static_cast<int64_t>(image.pixels.size()) != image.width * image.height * image.channels)
    throw ShapeError("encode_png: " + describe(image) + " image holds " + std::to_string(image.pixels.size()) +
                     " bytes, expected " + std::to_string(image.width * image.height * image.channels));
  std::string bytes;
  const int w = static_cast<int>(image.width), h = static_cast<int>(image.height), c = static_cast<int>(image.channels);
  if (stbi_write_png_to_func(append_bytes, &bytes, w, h, c, image.pixels.data(), w * c) == 0)
    throw Error("encode_png: stb_image_write failed on a " + describe(image) + " image");
  return bytes;
}

void write_png(const std::string& path, const Image& image) {
  std::string bytes;
  try {
    bytes = encode_png(image);
  } catch (const ShapeError& e) {  // the picture is wrong, not the file; still say which file
    throw ShapeError(path + ": " + e.what());
  } catch (const Error& e) {
    throw IOError(path + ": " + e.what());
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ignored;  // a failure shows up, with the path, when the file is written
    std::filesystem::create_directories(parent, ignored);
  }
  write_file_atomic(path, bytes);
}

}  // namespace nabla::io
