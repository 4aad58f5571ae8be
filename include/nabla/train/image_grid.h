// Tensors as a grid of pictures: first-layer filters, misclassified examples with their labels,
// the feature maps of one layer.
//
//   ImageGridOptions grid;
//   grid.scale = 4;                                      // each value becomes 4x4 pixels
//   grid.captions = {"true: Shirt\npred: Coat", ...};    // one per tile, under it
//   io::write_png("wrong.png", make_image_grid(images, grid));   // images [K, 28, 28]
//
// Tiles are [K, H, W] (gray) or [K, 3, H, W] (colour). Each tile is min-max normalised to 0..255
// on its own (filters and feature maps differ in scale, and each is read for its pattern), or all
// with one shared scale when their magnitudes should be compared. Captions are drawn with
// stb_easy_font, a tiny vector font made of axis-aligned rectangles, so no font file is needed;
// its glyphs are 12 pixels a line at text_scale 1 and cover printable ASCII (other bytes show as
// '?').
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/io/png.h"
#include "nabla/tensor.h"

namespace nabla::train {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

enum class TileScale {
  per_tile,  // each tile's own minimum is black and its maximum white
  shared,    // the minimum and maximum over all tiles
};

struct ImageGridOptions {
  int64_t columns = 0;   // 0: ceil(sqrt(K)), about square
  int64_t scale = 1;     // each tile value becomes scale x scale pixels
  int64_t spacing = 2;   // pixels between tiles and around the grid
  TileScale normalization = TileScale::per_tile;
  uint8_t background = 255;
  // None, or one per tile, drawn under it; '\n' starts a new line.
  std::vector<std::string> captions{};
  // The colour of line i of every caption (the last one repeats for further lines). Empty: black.
  // Colours make the picture RGB.
  std::vector<Rgb> caption_line_colors{};
  int64_t text_scale = 1;  // each font pixel becomes text_scale x text_scale pixels
  std::string title{};     // above the grid, left-aligned, black; none when empty
};

// Where make_image_grid puts things. A cell is a tile with its caption block below it; the cell is
// as wide as the wider of the two, and both are centred in it.
struct ImageGridLayout {
  int64_t count = 0, columns = 0, rows = 0;
  int64_t tile_width = 0, tile_height = 0;        // after scaling
  int64_t caption_height = 0;                     // 0 without captions
  int64_t cell_width = 0, cell_height = 0;        // cell_height = tile_height + caption_height
  int64_t title_height = 0;                       // 0 without a title
  int64_t spacing = 0;
  int64_t width = 0, height = 0;                  // of the whole picture

  // The top-left pixel of tile i, and of its caption block.
  int64_t tile_x(int64_t i) const;
  int64_t tile_y(int64_t i) const;
  int64_t caption_x(int64_t i, int64_t caption_width) const;
  int64_t caption_y(int64_t i) const;
};

// The layout for `tiles` ([K, H, W] or [K, 3, H, W]). Throws ShapeError for other shapes, no
// tiles, captions that do not match K, or a scale, text scale or column count below 1 (0 columns
// means automatic).
ImageGridLayout image_grid_layout(const Tensor& tiles, const ImageGridOptions& options = {});

// The grid as an image: gray for [K, H, W] tiles without caption colours, RGB otherwise. Values
// that are not finite are drawn black and take no part in the normalisation; a tile whose values
// are all equal is drawn black (a ReLU map that never fires shows as dark, not as noise).
io::Image make_image_grid(const Tensor& tiles, const ImageGridOptions& options = {});

// Text drawn with stb_easy_font: its size in pixels, and drawn with its top-left corner at
// (x, y). Lines are separated by '\n'; what falls outside the image is clipped.
struct TextSize {
  int64_t width = 0, height = 0;
};
TextSize text_size(const std::string& text, int64_t text_scale = 1);
void draw_text(io::Image& image, int64_t x, int64_t y, const std::string& text, Rgb color = {},
               int64_t text_scale = 1);

}  // namespace nabla::train
