// The attention weights of one decoded sequence as a picture (the course's figure 8-26): a grid
// with one column per input character and one row per output character, each cell as bright as
// the weight the decoder gave that input when it wrote that output (0 black, 1 white), with the
// characters as axis labels - inputs along the top, outputs down the left side.
//
//   Tensor w = model.attention_weights(source, answer);                 // [T, S]
//   io::write_png("attention.png", attention_heatmap(w, {"2","7","/",...}, {"1","9",...}));
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/io/png.h"
#include "nabla/tensor.h"

namespace nabla::models {

struct AttentionHeatmapOptions {
  int64_t cell = 16;        // pixels a side of one weight
  int64_t margin = 4;       // pixels around the picture and between labels and cells
  int64_t text_scale = 1;   // labels are drawn with stb_easy_font (12 pixels a line at scale 1)
  std::string title{};      // above the grid; none when empty
};

// Where attention_heatmap puts things: cell (row i, column j) has its top-left pixel at
// (grid_x + j * cell, grid_y + i * cell).
struct AttentionHeatmapLayout {
  int64_t rows = 0, columns = 0, cell = 0;
  int64_t grid_x = 0, grid_y = 0;
  int64_t width = 0, height = 0;
};

// weights [T, S] (values are clamped into [0, 1]); one label per column (input) and per row
// (output). Throws ShapeError naming the shapes when the labels do not match the weights, the
// weights are not 2-D and non-empty, or the cell, margin or text scale is below 1 (margin 0 is
// allowed).
AttentionHeatmapLayout attention_heatmap_layout(const Tensor& weights, const std::vector<std::string>& column_labels,
                                                const std::vector<std::string>& row_labels,
                                                const AttentionHeatmapOptions& options = {});
// The picture, gray on a white background.
io::Image attention_heatmap(const Tensor& weights, const std::vector<std::string>& column_labels,
                            const std::vector<std::string>& row_labels, const AttentionHeatmapOptions& options = {});

}  // namespace nabla::models
