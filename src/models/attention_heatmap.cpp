#include "nabla/models/attention_heatmap.h"

#include <algorithm>
#include <cmath>

#include "nabla/error.h"
#include "nabla/train/image_grid.h"

namespace nabla::models {
namespace {

constexpr uint8_t kWhite = 255;

int64_t widest(const std::vector<std::string>& labels, int64_t text_scale) {
  int64_t w = 0;
  for (const std::string& l : labels) w = std::max(w, train::text_size(l, text_scale).width);
  return w;
}

}  // namespace

AttentionHeatmapLayout attention_heatmap_layout(const Tensor& weights, const std::vector<std::string>& column_labels,
                                                const std::vector<std::string>& row_labels,
                                                const AttentionHeatmapOptions& o) {
  if (weights.dim() != 2 || weights.numel() == 0)
    throw ShapeError("attention_heatmap: weights should be a non-empty [T, S] matrix, got " + to_string(weights.shape()));
  if (static_cast<int64_t>(column_labels.size()) != weights.size(1) ||
      static_cast<int64_t>(row_labels.size()) != weights.size(0))
    throw ShapeError("attention_heatmap: weights " + to_string(weights.shape()) + " need " +
                     std::to_string(weights.size(1)) + " column and " + std::to_string(weights.size(0)) +
                     " row labels, got " + std::to_string(column_labels.size()) + " and " +
                     std::to_string(row_labels.size()));
  if (o.cell < 1 || o.margin < 0 || o.text_scale < 1)
    throw ShapeError("attention_heatmap: cell " + std::to_string(o.cell) + " and text scale " +
                     std::to_string(o.text_scale) + " should be at least 1, margin " + std::to_string(o.margin) +
                     " at least 0");
  AttentionHeatmapLayout l;
  l.rows = weights.size(0);
  l.columns = weights.size(1);
  l.cell = o.cell;
  const int64_t label_height = train::text_size("0", o.text_scale).height;
  const int64_t title_height = o.title.empty() ? 0 : train::text_size(o.title, o.text_scale).height + o.margin;
  l.grid_x = o.margin + widest(row_labels, o.text_scale) + o.margin;
  l.grid_y = o.margin + title_height + label_height + o.margin;
  l.width = std::max(l.grid_x + l.columns * l.cell, o.margin + train::text_size(o.title, o.text_scale).width) + o.margin;
  l.height = l.grid_y + l.rows * l.cell + o.margin;
  return l;
}

io::Image attention_heatmap(const Tensor& weights, const std::vector<std::string>& column_labels,
                            const std::vector<std::string>& row_labels, const AttentionHeatmapOptions& o) {
  const AttentionHeatmapLayout l = attention_heatmap_layout(weights, column_labels, row_labels, o);
  io::Image image(l.width, l.height, 1, kWhite);
  const std::vector<double> w = weights.to_vector<double>();
  for (int64_t i = 0; i < l.rows; ++i)
    for (int64_t j = 0; j < l.columns; ++j) {
      const double v = w[static_cast<size_t>(i * l.columns + j)];
      const auto gray = static_cast<uint8_t>(std::lround(255 * (std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0)));
      for (int64_t y = 0; y < l.cell; ++y)
        for (int64_t x = 0; x < l.cell; ++x) image.at(l.grid_x + j * l.cell + x, l.grid_y + i * l.cell + y) = gray;
    }
  if (!o.title.empty()) train::draw_text(image, o.margin, o.margin, o.title, {}, o.text_scale);
  const int64_t label_height = train::text_size("0", o.text_scale).height;
  // Column labels centred over their column, row labels right-aligned against the grid and
  // centred on their row.
  for (int64_t j = 0; j < l.columns; ++j) {
    const train::TextSize s = train::text_size(column_labels[static_cast<size_t>(j)], o.text_scale);
    train::draw_text(image, l.grid_x + j * l.cell + (l.cell - s.width) / 2, l.grid_y - o.margin - label_height,
              column_labels[static_cast<size_t>(j)], {}, o.text_scale);
  }
  for (int64_t i = 0; i < l.rows; ++i) {
    const train::TextSize s = train::text_size(row_labels[static_cast<size_t>(i)], o.text_scale);
    train::draw_text(image, l.grid_x - o.margin - s.width, l.grid_y + i * l.cell + (l.cell - label_height) / 2,
              row_labels[static_cast<size_t>(i)], {}, o.text_scale);
  }
  return image;
}

}  // namespace nabla::models
