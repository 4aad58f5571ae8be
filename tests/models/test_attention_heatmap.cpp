// Attention heat maps: the picture's size from the labels and cells, cell brightness from the
// weights, labels drawn where they belong, the PNG's dimensions, errors.
#include <gtest/gtest.h>

#include <stb_image.h>

#include "nabla/error.h"
#include "nabla/nabla.h"
#include "nabla/models/attention_heatmap.h"
#include "nabla/train/image_grid.h"

namespace nabla::train {
namespace {

int64_t ink(const io::Image& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1) {
  int64_t n = 0;
  for (int64_t y = y0; y < y1; ++y)
    for (int64_t x = x0; x < x1; ++x) n += image.at(x, y) != 255;
  return n;
}

TEST(AttentionHeatmap, CellsAndLabels) {
  const Tensor w = tensor({{0.0, 1.0, 0.5}, {0.25, 0.75, 2.0}});  // 2 outputs x 3 inputs; 2 clamps to 1
  models::AttentionHeatmapOptions o;
  o.cell = 14;  // taller than a line of text (12), so labels stay beside their row
  o.margin = 3;
  const models::AttentionHeatmapLayout l = attention_heatmap_layout(w, {"a", "b", "c"}, {"X", "YY"}, o);
  const int64_t label_w = text_size("YY").width, label_h = text_size("0").height;
  EXPECT_EQ(l.grid_x, 3 + label_w + 3);
  EXPECT_EQ(l.grid_y, 3 + label_h + 3);
  EXPECT_EQ(l.width, l.grid_x + 3 * 14 + 3);
  EXPECT_EQ(l.height, l.grid_y + 2 * 14 + 3);

  const io::Image image = attention_heatmap(w, {"a", "b", "c"}, {"X", "YY"}, o);
  ASSERT_EQ(image.width, l.width);
  ASSERT_EQ(image.height, l.height);
  EXPECT_EQ(image.channels, 1);
  const uint8_t expected[2][3] = {{0, 255, 128}, {64, 191, 255}};
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j) {
      EXPECT_EQ(image.at(l.grid_x + j * 14, l.grid_y + i * 14), expected[i][j]) << i << "," << j;
      EXPECT_EQ(image.at(l.grid_x + j * 14 + 13, l.grid_y + i * 14 + 13), expected[i][j]) << i << "," << j;
    }
  // Column labels above their column, row labels left of their row, nothing in the corner.
  for (int64_t j = 0; j < 3; ++j) EXPECT_GT(ink(image, l.grid_x + j * 14, 0, l.grid_x + (j + 1) * 14, l.grid_y), 0) << j;
  for (int64_t i = 0; i < 2; ++i) EXPECT_GT(ink(image, 0, l.grid_y + i * 14, l.grid_x, l.grid_y + (i + 1) * 14), 0) << i;
  EXPECT_EQ(ink(image, 0, 0, l.grid_x, l.grid_y), 0);
}

TEST(AttentionHeatmap, PngHasThePicturesDimensions) {
  models::AttentionHeatmapOptions o;
  o.title = "attention";
  const Tensor w = full({4, 7}, 0.5);
  const io::Image image = attention_heatmap(w, std::vector<std::string>(7, "x"), std::vector<std::string>(4, "y"), o);
  const std::string png = io::encode_png(image);
  int width = 0, height = 0, channels = 0;
  ASSERT_EQ(stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), static_cast<int>(png.size()), &width,
                                  &height, &channels),
            1);
  EXPECT_EQ(width, image.width);
  EXPECT_EQ(height, image.height);
  EXPECT_EQ(channels, 1);
  EXPECT_GE(image.width, 7 * 16);
  EXPECT_GE(image.height, 4 * 16 + 2 * 12);  // the title and the column labels above the grid
}

TEST(AttentionHeatmap, MismatchedLabelsAreShapeErrors) {
  const Tensor w = zeros({2, 3});
  EXPECT_THROW(models::attention_heatmap(w, {"a", "b"}, {"X", "Y"}), ShapeError);
  EXPECT_THROW(models::attention_heatmap(w, {"a", "b", "c"}, {"X"}), ShapeError);
  EXPECT_THROW(models::attention_heatmap(zeros({3}), {"a", "b", "c"}, {}), ShapeError);
  models::AttentionHeatmapOptions o;
  o.cell = 0;
  EXPECT_THROW(attention_heatmap(w, {"a", "b", "c"}, {"X", "Y"}, o), ShapeError);
}

}  // namespace
}  // namespace nabla::train
