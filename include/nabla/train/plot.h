// Line charts as SVG, with no dependency: learning curves a browser (or any SVG viewer) shows.
//
//   LinePlot plot("Loss");
//   plot.set_x_label("epoch").set_y_label("cross-entropy");
//   plot.add_series("train", epochs, train_loss).add_series("validation", epochs, val_loss);
//   plot.save("runs/mnist/loss.svg");
//
//   write_learning_curves("runs/mnist/curves.svg", history);  // loss and accuracy side by side
//
// Axis ticks are "nice numbers" (Heckbert, Graphics Gems, 1990): steps of 1, 2 or 5 times a power
// of ten, so the labels read 0, 0.2, 0.4 rather than 0, 0.173, 0.346. A non-finite y (NaN, inf)
// breaks a line instead of wrecking the scale, which is how an epoch without validation shows.
// Files are written with nabla::io::write_file_atomic (a temporary file renamed into place), so a
// viewer never sees half a chart; missing parent directories are created.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace nabla::train {

struct PlotSeries {
  std::string name{};
  std::vector<double> x{}, y{};
  std::string color{};  // any SVG colour; empty takes the next one of a colour-blind-safe palette
  bool dashed = false;
};

// Tick positions covering [low, high]: the axis runs from `low` to `high` (both ticks), `step`
// apart.
struct AxisTicks {
  double low = 0, high = 1, step = 1;
  std::vector<double> values;
};
// Heckbert's nice number near `x`: 1, 2, 5 or 10 times a power of ten; rounded to the nearest
// when `round`, otherwise the smallest nice number >= x.
double nice_number(double x, bool round);
// About `target_count` nice ticks that enclose [low, high]. low == high is widened around it.
AxisTicks nice_ticks(double low, double high, int target_count = 5);
// Ticks for a logarithmic axis over positive [low, high]: powers of ten, plus 2x and 5x when the
// range spans few decades.
AxisTicks log_ticks(double low, double high);
// A tick label with as many decimals as the step needs: step 0.25 -> "0.75", step 10 -> "30".
std::string format_tick(double value, double step);
// Text with &, <, >, " and ' replaced by their XML entities.
std::string xml_escape(const std::string& text);

class LinePlot {
 public:
  explicit LinePlot(std::string title = "") : title_(std::move(title)) {}

  LinePlot& set_title(std::string title);
  LinePlot& set_x_label(std::string label);
  LinePlot& set_y_label(std::string label);
  // A logarithmic y axis; values <= 0 cannot be drawn on it and break the line like NaN does.
  LinePlot& set_log_y(bool log_y = true);
  // x and y must have the same length (ShapeError otherwise).
  LinePlot& add_series(std::string name, std::vector<double> x, std::vector<double> y,
                       std::string color = "", bool dashed = false);
  // y against 1, 2, 3, ...
  LinePlot& add_series(std::string name, std::vector<double> y);

  const std::vector<PlotSeries>& series() const { return series_; }
  bool has_data() const;  // whether any series has a drawable point

  // A complete SVG document.
  std::string to_svg(double width = 640, double height = 420) const;
  // The chart's elements, drawn inside the rectangle at (left, top), to be placed in a larger
  // document (as write_learning_curves does with two panels).
  std::string svg_fragment(double left, double top, double width, double height) const;
  void save(const std::filesystem::path& path, double width = 640, double height = 420) const;

 private:
  std::string title_, x_label_, y_label_;
  bool log_y_ = false;
  std::vector<PlotSeries> series_;
};

// Per-epoch values for learning curves. A vector left empty is not drawn; NaN marks an epoch
// without that value (e.g. validation run every other epoch).
struct LearningHistory {
  std::vector<double> epochs;
  std::vector<double> train_loss, validation_loss;
  std::vector<double> train_accuracy, validation_accuracy;

  // Appends one epoch; pass NaN (or leave the default) for what this epoch did not measure.
  void add_epoch(double epoch, double train_loss, double validation_loss = kMissing,
                 double train_accuracy = kMissing, double validation_accuracy = kMissing);
  static constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
};

// The history in a CsvLogger file: columns `epoch`, `train_loss`, `val_loss` (or
// `validation_loss`), `train_accuracy` (or `train_acc`), `val_accuracy` (or `val_acc`,
// `validation_accuracy`). Absent columns stay empty; empty cells become NaN.
LearningHistory read_learning_history(const std::filesystem::path& csv_path);

struct LearningCurveOptions {
  std::string title{};         // above both panels; none when empty
  bool log_loss = false;       // logarithmic loss axis, for losses that fall by decades
  double panel_width = 560, panel_height = 400;
};

// Two panels side by side: loss (train and validation) and accuracy (train and validation). The
// accuracy panel is left out when the history has no accuracy. Throws ShapeError when a recorded
// series is not as long as `epochs`, IOError when the file cannot be written.
void write_learning_curves(const std::filesystem::path& path, const LearningHistory& history,
                           const LearningCurveOptions& options = {});

}  // namespace nabla::train
