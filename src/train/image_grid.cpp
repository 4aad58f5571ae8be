#include "nabla/train/image_grid.h"

#include <stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nabla/error.h"

namespace nabla::train {
namespace {

constexpr int64_t kLineHeight = 12;   // stb_easy_font advances 12 font pixels a line
constexpr int64_t kCaptionGap = 2;    // pixels between a tile and its caption

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// stb_easy_font indexes a table by (byte - 32); anything outside printable ASCII would read past
// it, so it becomes '?'.
std::string printable(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (c != '\n' && (c < 32 || c > 126)) c = '?';
  return out;
}

int64_t line_count(const std::string& text) {
  if (text.empty()) return 0;
  return 1 + static_cast<int64_t>(std::count(text.begin(), text.end(), '\n'));
}

int64_t channels_of(const Tensor& tiles) { return tiles.dim() == 4 ? 3 : 1; }

}  // namespace

// ---- text -----------------------------------------------------------------------------------------

TextSize text_size(const std::string& text, int64_t text_scale) {
  if (text.empty()) return {};
  std::string copy = printable(text);  // stb_easy_font takes char*
  return {stb_easy_font_width(copy.data()) * text_scale, line_count(text) * kLineHeight * text_scale};
}

void draw_text(io::Image& image, int64_t x, int64_t y, const std::string& text, Rgb color, int64_t text_scale) {
  if (text.empty()) return;
  std::string copy = printable(text);
  // About 270 bytes of vertices a character, by stb_easy_font's own estimate; 64 bytes a quad.
  std::vector<float> vertices(copy.size() * 400 / sizeof(float) + 64);
  const int buffer_bytes = static_cast<int>(vertices.size() * sizeof(float));
  const int quads = stb_easy_font_print(0, 0, copy.data(), nullptr, vertices.data(), buffer_bytes);
  // Each quad is an axis-aligned rectangle of whole font pixels: 4 vertices of 16 bytes (x, y, z,
  // colour); the first and third are opposite corners.
  const uint8_t rgb[3] = {color.r, color.g, color.b};
  const uint8_t gray = static_cast<uint8_t>(std::lround(0.299 * color.r + 0.587 * color.g + 0.114 * color.b));
  for (int q = 0; q < quads; ++q) {
    const float* v = vertices.data() + q * 16;
    const int64_t x0 = x + static_cast<int64_t>(std::floor(v[0])) * text_scale;
    const int64_t y0 = y + static_cast<int64_t>(std::floor(v[1])) * text_scale;
    const int64_t x1 = x + static_cast<int64_t>(std::ceil(v[8])) * text_scale;
    const int64_t y1 = y + static_cast<int64_t>(std::ceil(v[9])) * text_scale;
    for (int64_t py = std::max<int64_t>(y0, 0); py < std::min(y1, image.height); ++py)
      for (int64_t px = std::max<int64_t>(x0, 0); px < std::min(x1, image.width); ++px) {
        if (image.channels >= 3)
          for (int c = 0; c < 3; ++c) image.at(px, py, c) = rgb[c];
        else
          image.at(px, py) = gray;
      }
  }
}

// ---- layout ---------------------------------------------------------------------------------------

int64_t ImageGridLayout::tile_x(int64_t i) const {
  return spacing + (i % columns) * (cell_width + spacing) + (cell_width - tile_width) / 2;
}
int64_t ImageGridLayout::tile_y(int64_t i) const {
  return title_height + spacing + (i / columns) * (cell_height + spacing);
}
int64_t ImageGridLayout::caption_x(int64_t i, int64_t caption_width) const {
  return spacing + (i % columns) * (cell_width + spacing) + (cell_width - caption_width) / 2;
}
int64_t ImageGridLayout::caption_y(int64_t i) const { return tile_y(i) + tile_height + kCaptionGap; }

ImageGridLayout image_grid_layout(const Tensor& tiles, const ImageGridOptions& o) {
  const bool gray = tiles.dim() == 3, colour = tiles.dim() == 4 && tiles.size(1) == 3;
  if (!gray && !colour)
    throw ShapeError("image grid: tiles must be [K, H, W] or [K, 3, H, W], got " + shape_str(tiles.shape()));
  const int64_t count = tiles.size(0);
  if (count == 0 || tiles.size(-1) == 0 || tiles.size(-2) == 0)
    throw ShapeError("image grid: no pixels to draw in tiles " + shape_str(tiles.shape()));
  if (o.scale < 1 || o.text_scale < 1 || o.columns < 0 || o.spacing < 0)
    throw ShapeError("image grid: scale and text_scale must be >= 1, columns and spacing >= 0 (got scale " +
                     std::to_string(o.scale) + ", text_scale " + std::to_string(o.text_scale) + ", columns " +
                     std::to_string(o.columns) + ", spacing " + std::to_string(o.spacing) + ")");
  if (!o.captions.empty() && static_cast<int64_t>(o.captions.size()) != count)
    throw ShapeError("image grid: " + std::to_string(o.captions.size()) + " captions for " + std::to_string(count) +
                     " tiles");
  ImageGridLayout l;
  l.count = count;
  l.columns = o.columns > 0 ? std::min(o.columns, count)
                            : static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(count)) - 1e-9));
  l.rows = (count + l.columns - 1) / l.columns;
  l.tile_width = tiles.size(-1) * o.scale;
  l.tile_height = tiles.size(-2) * o.scale;
  int64_t caption_lines = 0, caption_width = 0;
  for (const std::string& caption : o.captions) {
    caption_lines = std::max(caption_lines, line_count(caption));
    caption_width = std::max(caption_width, text_size(caption, o.text_scale).width);
  }
  l.caption_height = caption_lines > 0 ? kCaptionGap + caption_lines * kLineHeight * o.text_scale : 0;
  l.cell_width = std::max(l.tile_width, caption_width);
  l.cell_height = l.tile_height + l.caption_height;
  l.spacing = o.spacing;
  const TextSize title = text_size(o.title, o.text_scale);
  l.title_height = o.title.empty() ? 0 : o.spacing + title.height;
  l.width = std::max(l.columns * (l.cell_width + l.spacing) + l.spacing, title.width + 2 * l.spacing);
  l.height = l.title_height + l.rows * (l.cell_height + l.spacing) + l.spacing;
  return l;
}

// ---- drawing --------------------------------------------------------------------------------------

io::Image make_image_grid(const Tensor& tiles, const ImageGridOptions& o) {
  const ImageGridLayout layout = image_grid_layout(tiles, o);
  const int64_t channels = channels_of(tiles);
  const int64_t h = tiles.size(-2), w = tiles.size(-1), tile_values = channels * h * w;
  const std::vector<double> values = tiles.to_vector<double>();

  // Each tile's range, or the shared one.
  auto range_of = [&](int64_t begin, int64_t end) {
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (int64_t j = begin; j < end; ++j)
      if (std::isfinite(values[j])) {
        low = std::min(low, values[j]);
        high = std::max(high, values[j]);
      }
    return std::pair{low, high};
  };
  const auto shared = range_of(0, layout.count * tile_values);

  const bool rgb_out = channels == 3 || !o.caption_line_colors.empty();
  io::Image image(layout.width, layout.height, rgb_out ? 3 : 1, o.background);
  for (int64_t i = 0; i < layout.count; ++i) {
    const int64_t base = i * tile_values;
    const auto [low, high] = o.normalization == TileScale::shared ? shared : range_of(base, base + tile_values);
    const double span = high - low;
    // An init-capture: clang before 16 cannot capture a structured binding by name.
    auto to_byte = [low = low, span](double v) -> uint8_t {
      if (!std::isfinite(v) || !(span > 0)) return 0;
      return static_cast<uint8_t>(std::lround(std::clamp((v - low) / span, 0.0, 1.0) * 255));
    };
    const int64_t x0 = layout.tile_x(i), y0 = layout.tile_y(i);
    for (int64_t y = 0; y < layout.tile_height; ++y)
      for (int64_t x = 0; x < layout.tile_width; ++x) {
        const int64_t pixel = (y / o.scale) * w + x / o.scale;
        for (int64_t c = 0; c < image.channels; ++c)
          image.at(x0 + x, y0 + y, c) = to_byte(values[base + (channels == 3 ? c * h * w : 0) + pixel]);
      }
  }

  for (int64_t i = 0; i < static_cast<int64_t>(o.captions.size()); ++i) {
    const std::string& caption = o.captions[i];
    const int64_t block_width = text_size(caption, o.text_scale).width;
    const int64_t x = layout.caption_x(i, block_width);
    int64_t y = layout.caption_y(i);
    size_t start = 0;
    for (size_t line = 0; start <= caption.size(); ++line) {
      const size_t end = std::min(caption.find('\n', start), caption.size());
      const Rgb color = o.caption_line_colors.empty()
                            ? Rgb{}
                            : o.caption_line_colors[std::min(line, o.caption_line_colors.size() - 1)];
      draw_text(image, x, y, caption.substr(start, end - start), color, o.text_scale);
      y += kLineHeight * o.text_scale;
      start = end + 1;
    }
  }
  if (!o.title.empty()) draw_text(image, o.spacing, o.spacing, o.title, Rgb{}, o.text_scale);
  return image;
}

}  // namespace nabla::train
