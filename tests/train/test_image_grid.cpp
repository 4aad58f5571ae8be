// Image grids: the picture's size for K tiles, where each tile lands, per-tile and shared
// normalisation of known values, colour tiles, captions drawn under their tile, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nabla/error.h"
#include "nabla/nabla.h"
#include "nabla/train/image_grid.h"

namespace nabla::train {
namespace {

// Counts the pixels in [x0, x1) x [y0, y1) that differ from `background` in any channel.
int64_t ink_in(const io::Image& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, uint8_t background = 255) {
  int64_t n = 0;
  for (int64_t y = y0; y < y1; ++y)
    for (int64_t x = x0; x < x1; ++x)
      for (int64_t c = 0; c < image.channels; ++c)
        if (image.at(x, y, c) != background) {
          ++n;
          break;
        }
  return n;
}

TEST(ImageGrid, SizeAndPlacementOfTiles) {
  // 5 tiles of 4 x 6 at scale 2: 3 columns (ceil sqrt 5), 2 rows, 12 x 8 pixels a tile.
  ImageGridOptions o;
  o.scale = 2;
  o.spacing = 3;
  const Tensor tiles = arange(0, 5 * 4 * 6).reshape({5, 4, 6});
  const ImageGridLayout l = image_grid_layout(tiles, o);
  EXPECT_EQ(l.columns, 3);
  EXPECT_EQ(l.rows, 2);
  EXPECT_EQ(l.tile_width, 12);
  EXPECT_EQ(l.tile_height, 8);
  EXPECT_EQ(l.width, 3 * 12 + 4 * 3);
  EXPECT_EQ(l.height, 2 * 8 + 3 * 3);
  EXPECT_EQ(l.tile_x(4), 3 + 15);  // second column, second row
  EXPECT_EQ(l.tile_y(4), 3 + 11);

  const io::Image image = make_image_grid(tiles, o);
  EXPECT_EQ(image.width, l.width);
  EXPECT_EQ(image.height, l.height);
  EXPECT_EQ(image.channels, 1);
  // Each tile is a ramp: its first value (top-left 2 x 2 block) black, its last white.
  for (int64_t i = 0; i < 5; ++i) {
    const int64_t x = l.tile_x(i), y = l.tile_y(i);
    EXPECT_EQ(image.at(x, y), 0) << i;
    EXPECT_EQ(image.at(x + 1, y + 1), 0) << i;
    EXPECT_EQ(image.at(x + 11, y + 7), 255) << i;
    EXPECT_EQ(image.at(x + 2, y), std::lround(255.0 / 23)) << i;  // the second value of 0..23
    EXPECT_EQ(image.at(x - 1, y), 255) << i;  // spacing keeps the background
  }
  // The sixth cell is empty: background only.
  EXPECT_EQ(ink_in(image, l.tile_x(5), l.tile_y(5), l.tile_x(5) + 12, l.tile_y(5) + 8), 0);
  // Fixed columns.
  o.columns = 5;
  EXPECT_EQ(image_grid_layout(tiles, o).rows, 1);
  o.columns = 9;  // more columns than tiles: as many as there are tiles
  EXPECT_EQ(image_grid_layout(tiles, o).width, 5 * 12 + 6 * 3);
}

TEST(ImageGrid, PerTileAndSharedNormalisation) {
  // Tile 0 holds 0..3, tile 1 the same doubled plus an offset: on their own both span 0..255.
  const Tensor tiles = tensor({0, 1, 2, 3, 10, 12, 14, 16}).reshape({2, 2, 2});
  ImageGridOptions o;
  o.spacing = 0;
  io::Image image = make_image_grid(tiles, o);
  ASSERT_EQ(image.width, 4);
  const std::vector<uint8_t> per_tile_row0{0, 85, 0, 85}, per_tile_row1{170, 255, 170, 255};
  EXPECT_EQ(std::vector<uint8_t>(image.pixels.begin(), image.pixels.begin() + 4), per_tile_row0);
  EXPECT_EQ(std::vector<uint8_t>(image.pixels.begin() + 4, image.pixels.end()), per_tile_row1);

  o.normalization = TileScale::shared;  // one scale from 0 to 16
  image = make_image_grid(tiles, o);
  const std::vector<uint8_t> shared{0, 16, 159, 191, 32, 48, 223, 255};
  EXPECT_EQ(image.pixels, shared);
}

TEST(ImageGrid, ConstantTilesAndNonFiniteValuesAreBlack) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor tiles = tensor({5, 5, 5, 5, 0, nan, 1, 2}).reshape({2, 2, 2});
  ImageGridOptions o;
  o.spacing = 0;
  const io::Image image = make_image_grid(tiles, o);
  // Tile 0 (constant) is black; tile 1 spans 0..2 with the NaN left out, and drawn black.
  const std::vector<uint8_t> got{image.at(0, 0), image.at(1, 0), image.at(0, 1), image.at(1, 1),
                                 image.at(2, 0), image.at(3, 0), image.at(2, 1), image.at(3, 1)};
  EXPECT_EQ(got, (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 128, 255}));
}

TEST(ImageGrid, ColourTilesKeepTheirChannels) {
  // One 1 x 2 tile: a red pixel and a blue one (channels normalised together).
  const Tensor tiles = tensor({1, 0, 0, 0, 0, 1}).reshape({1, 3, 1, 2});
  ImageGridOptions o;
  o.spacing = 1;
  const io::Image image = make_image_grid(tiles, o);
  ASSERT_EQ(image.channels, 3);
  EXPECT_EQ(image.at(1, 1, 0), 255);
  EXPECT_EQ(image.at(1, 1, 1), 0);
  EXPECT_EQ(image.at(1, 1, 2), 0);
  EXPECT_EQ(image.at(2, 1, 0), 0);
  EXPECT_EQ(image.at(2, 1, 2), 255);
}

TEST(ImageGrid, CaptionsAppearUnderTheirTileInTheirColours) {
  const Tensor tiles = zeros({2, 8, 8});
  ImageGridOptions o;
  o.scale = 2;
  o.captions = {"true: 1\npred: 7", "true: 4\npred: 9"};
  const Rgb red{200, 0, 0};
  o.caption_line_colors = {Rgb{}, red};
  const ImageGridLayout l = image_grid_layout(tiles, o);
  const TextSize text = text_size(o.captions[0]);
  EXPECT_EQ(text.height, 24);  // two lines of 12
  EXPECT_GT(text.width, 16);   // wider than the 16-pixel tile: the cell widens to the caption
  EXPECT_EQ(l.cell_width, text.width);
  EXPECT_EQ(l.caption_height, 2 + 24);
  EXPECT_EQ(l.height, 2 + (16 + 26) + 2);

  const io::Image image = make_image_grid(tiles, o);
  ASSERT_EQ(image.channels, 3);  // coloured captions make the picture RGB
  for (int64_t i = 0; i < 2; ++i) {
    const int64_t x = l.caption_x(i, text.width), y = l.caption_y(i);
    EXPECT_GT(ink_in(image, x, y, x + text.width, y + 12), 20) << "first line of caption " << i;
    // The second line is in red, and has some.
    int64_t red_pixels = 0;
    for (int64_t py = y + 12; py < y + 24; ++py)
      for (int64_t px = x; px < x + text.width; ++px)
        red_pixels += image.at(px, py, 0) == 200 && image.at(px, py, 1) == 0;
    EXPECT_GT(red_pixels, 20) << "second line of caption " << i;
  }
  // The tiles themselves are constant (black) and nothing is drawn between the cells.
  EXPECT_EQ(ink_in(image, l.tile_x(0), l.tile_y(0), l.tile_x(0) + 16, l.tile_y(0) + 16, 0), 0);
  const int64_t gap_x = l.spacing + l.cell_width;
  EXPECT_EQ(ink_in(image, gap_x, 0, gap_x + l.spacing, image.height), 0);
}

TEST(ImageGrid, TitleWidensTheImageAndSitsAboveTheTiles) {
  ImageGridOptions o;
  o.title = "first-layer filters, 6 of them";
  const Tensor tiles = zeros({1, 3, 3});
  const ImageGridLayout l = image_grid_layout(tiles, o);
  EXPECT_EQ(l.title_height, 2 + 12);
  EXPECT_EQ(l.width, text_size(o.title).width + 4);
  const io::Image image = make_image_grid(tiles, o);
  EXPECT_GT(ink_in(image, 0, 0, image.width, l.title_height), 30);
  EXPECT_EQ(l.tile_y(0), l.title_height + 2);
}

TEST(ImageGrid, TextSizeAndUnprintableBytes) {
  EXPECT_EQ(text_size("").width, 0);
  EXPECT_EQ(text_size("ab\nabcd").width, text_size("abcd").width);
  EXPECT_EQ(text_size("abcd", 3).width, 3 * text_size("abcd").width);
  EXPECT_EQ(text_size("caf\xc3\xa9").width, text_size("caf??").width);  // non-ASCII bytes show as '?'
  io::Image image(40, 14, 1, 255);
  draw_text(image, -3, -2, "clip\xff", Rgb{}, 1);  // partly outside: clipped, not a crash
  EXPECT_GT(ink_in(image, 0, 0, 40, 14), 0);
}

TEST(ImageGrid, BadInputsAreShapeErrors) {
  EXPECT_THROW(make_image_grid(zeros({4, 4})), ShapeError);
  EXPECT_THROW(make_image_grid(zeros({2, 2, 4, 4})), ShapeError);  // 2 channels: neither gray nor RGB
  EXPECT_THROW(make_image_grid(zeros({0, 4, 4})), ShapeError);
  ImageGridOptions o;
  o.captions = {"only one"};
  EXPECT_THROW(make_image_grid(zeros({2, 4, 4}), o), ShapeError);
  o.captions.clear();
  o.scale = 0;
  EXPECT_THROW(make_image_grid(zeros({2, 4, 4}), o), ShapeError);
}

}  // namespace
}  // namespace nabla::train
