// PNG pictures from 8-bit pixels: filter grids, misclassified examples, feature maps.
//
//   io::Image image(28, 28, 1);          // gray, black
//   image.at(3, 5) = 255;                // x = 3, y = 5
//   io::write_png("runs/x/pixel.png", image);
//
// The encoder is stb_image_write (Debian's libstb-dev). The file is written with
// write_file_atomic (a temporary renamed into place), so a viewer never sees half a picture;
// missing parent directories are created, as for the SVG charts.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <string>
#include <vector>

namespace nabla::io {

// An 8-bit image: rows top to bottom, each row `width` pixels of `channels` bytes (1 gray,
// 2 gray + alpha, 3 RGB, 4 RGBA), no padding between rows.
struct Image {
  int64_t width = 0, height = 0, channels = 1;
  std::vector<uint8_t> pixels;

  Image() = default;
  // Every byte set to `fill`. Throws ShapeError for a negative size or channels outside 1..4.
  Image(int64_t width, int64_t height, int64_t channels, uint8_t fill = 0);

  uint8_t& at(int64_t x, int64_t y, int64_t channel = 0) {
    return pixels[static_cast<size_t>((y * width + x) * channels + channel)];
  }
  uint8_t at(int64_t x, int64_t y, int64_t channel = 0) const {
    return pixels[static_cast<size_t>((y * width + x) * channels + channel)];
  }
};

// The PNG file's bytes. Throws ShapeError when the pixels do not fill width x height x channels,
// the image is empty, or it is too large for the encoder (2^31 bytes a row).
std::string encode_png(const Image& image);

// Encodes and writes `image` to `path` atomically. Throws IOError naming the path.
void write_png(const std::string& path, const Image& image);

}  // namespace nabla::io
