#include "nabla/train/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "nabla/error.h"
#include "nabla/io/atomic_file.h"
#include "nabla/train/csv_logger.h"

namespace nabla::train {
namespace {

// Tableau's ten colours (matplotlib's default cycle): distinct, and readable by most people with
// a colour-vision deficiency.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr const char* kFont = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"";

// Coordinates with two decimals: sub-pixel precision without kilobytes of digits.
std::string num(double value) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

std::string text_element(double x, double y, const std::string& text, const std::string& attrs) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + kFont + " " + attrs + ">" +
         xml_escape(text) + "</text>\n";
}

// A rough text width for layout (SVG cannot measure text without a renderer): average glyph
// width of a sans-serif font is about 0.6 em.
double text_width(const std::string& text, double font_size) {
  return 0.6 * font_size * static_cast<double>(text.size());
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  bool empty() const { return !(low <= high); }
  void include(double v) {
    low = std::min(low, v);
    high = std::max(high, v);
  }
};

}  // namespace

double nice_number(double x, bool round) {
  if (!(x > 0) || !std::isfinite(x)) return 1;
  const double exponent = std::floor(std::log10(x));
  const double power = std::pow(10.0, exponent);
  const double fraction = x / power;  // in [1, 10)
  double nice;
  if (round) {
    nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  } else {
    nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  }
  return nice * power;
}

AxisTicks nice_ticks(double low, double high, int target_count) {
  if (!std::isfinite(low) || !std::isfinite(high)) low = 0, high = 1;
  if (low > high) std::swap(low, high);
  if (low == high) {  // one value: widen around it so that it sits mid-axis
    const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  target_count = std::max(target_count, 2);
  const double range = nice_number(high - low, false);
  AxisTicks ticks;
  ticks.step = nice_number(range / (target_count - 1), true);
  ticks.low = std::floor(low / ticks.step) * ticks.step;
  ticks.high = std::ceil(high / ticks.step) * ticks.step;
  // Half a step of slack keeps floating-point error from dropping the last tick.
  for (double v = ticks.low; v <= ticks.high + ticks.step * 0.5; v += ticks.step) {
    // Snap values like 0.30000000000000004 and -0 to what they stand for.
    double snapped = std::round(v / ticks.step) * ticks.step;
    if (std::abs(snapped) < ticks.step * 1e-9) snapped = 0;
    ticks.values.push_back(snapped);
  }
  return ticks;
}

AxisTicks log_ticks(double low, double high) {
  if (!(low > 0) || !(high > 0) || !std::isfinite(low) || !std::isfinite(high)) low = 1, high = 10;
  if (low > high) std::swap(low, high);
  int first = static_cast<int>(std::floor(std::log10(low) + 1e-9));
  int last = static_cast<int>(std::ceil(std::log10(high) - 1e-9));
  if (last <= first) last = first + 1;
  AxisTicks ticks;
  ticks.low = std::pow(10.0, first);
  ticks.high = std::pow(10.0, last);
  ticks.step = 10;  // a factor, not a difference
  const bool few_decades = last - first <= 2;
  for (int e = first; e <= last; ++e) {
    const double decade = std::pow(10.0, e);
    ticks.values.push_back(decade);
    if (few_decades && e < last) {
      ticks.values.push_back(2 * decade);
      ticks.values.push_back(5 * decade);
    }
  }
  return ticks;
}

std::string format_tick(double value, double step) {
  char buffer[48];
  const double magnitude = std::max(std::abs(value), std::abs(step));
  if (magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-4)) {
    std::snprintf(buffer, sizeof buffer, "%g", value);
  } else {
    // As many decimals as the step has: 0.2 -> 1, 0.25 -> 2, 10 -> 0.
    int decimals = 0;
    while (decimals < 10) {
      const double scaled = step * std::pow(10.0, decimals);
      if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) break;
      ++decimals;
    }
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  }
  std::string text = buffer;
  // A value that rounds to zero prints as "0.0", never "-0.0".
  if (text.front() == '-' && std::strtod(text.c_str(), nullptr) == 0) text.erase(0, 1);
  return text;
}

std::string xml_escape(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&apos;"; break;
      default:
        // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          escaped += ' ';
        } else {
          escaped += c;
        }
    }
  }
  return escaped;
}

// ---- LinePlot --------------------------------------------------------------------------------

LinePlot& LinePlot::set_title(std::string title) {
  title_ = std::move(title);
  return *this;
}
LinePlot& LinePlot::set_x_label(std::string label) {
  x_label_ = std::move(label);
  return *this;
}
LinePlot& LinePlot::set_y_label(std::string label) {
  y_label_ = std::move(label);
  return *this;
}
LinePlot& LinePlot::set_log_y(bool log_y) {
  log_y_ = log_y;
  return *this;
}

LinePlot& LinePlot::add_series(std::string name, std::vector<double> x, std::vector<double> y,
                               std::string color, bool dashed) {
  if (x.size() != y.size()) {
    throw ShapeError("LinePlot::add_series: series '" + name + "' has " +
                     std::to_string(x.size()) + " x values and " + std::to_string(y.size()) +
                     " y values");
  }
  if (color.empty()) color = kPalette[series_.size() % std::size(kPalette)];
  series_.push_back({std::move(name), std::move(x), std::move(y), std::move(color), dashed});
  return *this;
}

LinePlot& LinePlot::add_series(std::string name, std::vector<double> y) {
  std::vector<double> x(y.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i + 1);
  return add_series(std::move(name), std::move(x), std::move(y));
}

bool LinePlot::has_data() const {
  for (const auto& s : series_) {
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]) && (!log_y_ || s.y[i] > 0)) return true;
    }
  }
  return false;
}

std::string LinePlot::svg_fragment(double left, double top, double width, double height) const {
  auto drawable = [&](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && (!log_y_ || y > 0);
  };
  Range x_range, y_range;
  for (const auto& s : series_) {
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!drawable(s.x[i], s.y[i])) continue;
      x_range.include(s.x[i]);
      y_range.include(s.y[i]);
    }
  }
  if (x_range.empty()) x_range = {0, 1};
  if (y_range.empty()) y_range = log_y_ ? Range{1, 10} : Range{0, 1};
  const AxisTicks x_ticks = nice_ticks(x_range.low, x_range.high, 6);
  const AxisTicks y_ticks =
      log_y_ ? log_ticks(y_range.low, y_range.high) : nice_ticks(y_range.low, y_range.high, 6);

  // Room for the title above, tick labels and the axis label below and to the left.
  const double margin_top = title_.empty() ? 14 : 36;
  const double margin_bottom = x_label_.empty() ? 30 : 48;
  double widest_y_label = 0;
  for (double v : y_ticks.values) {
    widest_y_label = std::max(widest_y_label, text_width(format_tick(v, log_y_ ? v : y_ticks.step), 11));
  }
  const double margin_left = widest_y_label + (y_label_.empty() ? 16 : 34);
  const double margin_right = 16;
  const double plot_left = left + margin_left, plot_top = top + margin_top;
  const double plot_width = std::max(width - margin_left - margin_right, 10.0);
  const double plot_height = std::max(height - margin_top - margin_bottom, 10.0);

  auto to_px = [&](double x) {
    return plot_left + (x - x_ticks.low) / (x_ticks.high - x_ticks.low) * plot_width;
  };
  auto to_py = [&](double y) {
    const double t = log_y_ ? (std::log10(y) - std::log10(y_ticks.low)) /
                                  (std::log10(y_ticks.high) - std::log10(y_ticks.low))
                            : (y - y_ticks.low) / (y_ticks.high - y_ticks.low);
    return plot_top + plot_height - t * plot_height;
  };

  std::string svg = "<g class=\"line-plot\">\n";
  // Grid and tick labels first, so the data is drawn over them.
  for (double v : x_ticks.values) {
    const double px = to_px(v);
    svg += "<line x1=\"" + num(px) + "\" y1=\"" + num(plot_top) + "\" x2=\"" + num(px) +
           "\" y2=\"" + num(plot_top + plot_height) + "\" stroke=\"#e6e6e6\" stroke-width=\"1\"/>\n";
    svg += text_element(px, plot_top + plot_height + 16, format_tick(v, x_ticks.step),
                        "font-size=\"11\" fill=\"#333\" text-anchor=\"middle\"");
  }
  for (double v : y_ticks.values) {
    const double py = to_py(v);
    svg += "<line x1=\"" + num(plot_left) + "\" y1=\"" + num(py) + "\" x2=\"" +
           num(plot_left + plot_width) + "\" y2=\"" + num(py) +
           "\" stroke=\"#e6e6e6\" stroke-width=\"1\"/>\n";
    svg += text_element(plot_left - 6, py + 4, format_tick(v, log_y_ ? v : y_ticks.step),
                        "font-size=\"11\" fill=\"#333\" text-anchor=\"end\"");
  }
  svg += "<rect x=\"" + num(plot_left) + "\" y=\"" + num(plot_top) + "\" width=\"" +
         num(plot_width) + "\" height=\"" + num(plot_height) +
         "\" fill=\"none\" stroke=\"#999\" stroke-width=\"1\"/>\n";

  if (!title_.empty()) {
    svg += text_element(plot_left + plot_width / 2, top + 22, title_,
                        "font-size=\"15\" font-weight=\"bold\" fill=\"#222\" text-anchor=\"middle\"");
  }
  if (!x_label_.empty()) {
    svg += text_element(plot_left + plot_width / 2, plot_top + plot_height + 38, x_label_,
                        "font-size=\"12\" fill=\"#222\" text-anchor=\"middle\"");
  }
  if (!y_label_.empty()) {
    const double lx = left + 14, ly = plot_top + plot_height / 2;
    svg += text_element(lx, ly, y_label_,
                        "font-size=\"12\" fill=\"#222\" text-anchor=\"middle\" transform=\"rotate(-90 " +
                            num(lx) + " " + num(ly) + ")\"");
  }

  // Each series: polylines split where a point cannot be drawn, and dots when the points are few
  // enough to tell apart (one dot per epoch is what makes a short curve readable).
  for (const auto& s : series_) {
    const std::string dash = s.dashed ? " stroke-dasharray=\"6 4\"" : "";
    std::string points;
    size_t drawable_points = 0;
    auto flush_line = [&] {
      if (!points.empty()) {
        svg += "<polyline fill=\"none\" stroke=\"" + xml_escape(s.color) +
               "\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"" + dash +
               " points=\"" + points + "\"/>\n";
      }
      points.clear();
    };
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!drawable(s.x[i], s.y[i])) {
        flush_line();
        continue;
      }
      ++drawable_points;
      if (!points.empty()) points += ' ';
      points += num(to_px(s.x[i])) + "," + num(to_py(s.y[i]));
    }
    flush_line();
    if (drawable_points <= 60) {
      for (size_t i = 0; i < s.x.size(); ++i) {
        if (!drawable(s.x[i], s.y[i])) continue;
        svg += "<circle cx=\"" + num(to_px(s.x[i])) + "\" cy=\"" + num(to_py(s.y[i])) +
               "\" r=\"2.8\" fill=\"" + xml_escape(s.color) + "\"/>\n";
      }
    }
  }

  // Legend in the corner of the plot area that hides the fewest points (matplotlib's "best"):
  // top-right for falling losses, bottom-right for rising accuracies.
  if (!series_.empty()) {
    double widest = 0;
    for (const auto& s : series_) widest = std::max(widest, text_width(s.name, 12));
    const double row_height = 18, box_width = widest + 44;
    const double box_height = row_height * static_cast<double>(series_.size()) + 8;
    const double right = plot_left + plot_width - box_width - 8, left_side = plot_left + 8;
    const double upper = plot_top + 8, lower = plot_top + plot_height - box_height - 8;
    const std::pair<double, double> corners[] = {
        {right, upper}, {right, lower}, {left_side, upper}, {left_side, lower}};
    double box_left = right, box_top = upper;
    size_t fewest_hidden = std::numeric_limits<size_t>::max();
    for (const auto& [corner_left, corner_top] : corners) {
      size_t hidden = 0;
      for (const auto& s : series_) {
        for (size_t i = 0; i < s.x.size(); ++i) {
          if (!drawable(s.x[i], s.y[i])) continue;
          const double px = to_px(s.x[i]), py = to_py(s.y[i]);
          // A margin around the box: a line passing just beside the text still clutters it.
          hidden += px >= corner_left - 6 && px <= corner_left + box_width + 6 &&
                    py >= corner_top - 6 && py <= corner_top + box_height + 6;
        }
      }
      if (hidden < fewest_hidden) {
        fewest_hidden = hidden;
        box_left = corner_left;
        box_top = corner_top;
      }
    }
    svg += "<rect x=\"" + num(box_left) + "\" y=\"" + num(box_top) + "\" width=\"" +
           num(box_width) + "\" height=\"" + num(box_height) +
           "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\" rx=\"3\"/>\n";
    for (size_t i = 0; i < series_.size(); ++i) {
      const auto& s = series_[i];
      const double cy = box_top + 4 + row_height * (static_cast<double>(i) + 0.5);
      svg += "<line x1=\"" + num(box_left + 8) + "\" y1=\"" + num(cy) + "\" x2=\"" +
             num(box_left + 30) + "\" y2=\"" + num(cy) + "\" stroke=\"" + xml_escape(s.color) +
             "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
      svg += text_element(box_left + 36, cy + 4, s.name, "font-size=\"12\" fill=\"#222\"");
    }
  }
  svg += "</g>\n";
  return svg;
}

namespace {

void save_svg(const std::filesystem::path& path, const std::string& svg) {
  if (path.has_parent_path()) {
    std::error_code error;  // a failure here shows up, with the path, in the write below
    std::filesystem::create_directories(path.parent_path(), error);
  }
  io::write_file_atomic(path.string(), svg);
}

std::string svg_document(double width, double height, const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
         num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">\n" +
         "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" fill=\"white\"/>\n" + body + "</svg>\n";
}

}  // namespace

std::string LinePlot::to_svg(double width, double height) const {
  return svg_document(width, height, svg_fragment(0, 0, width, height));
}

void LinePlot::save(const std::filesystem::path& path, double width, double height) const {
  save_svg(path, to_svg(width, height));
}

// ---- learning curves -----------------------------------------------------------------------

void LearningHistory::add_epoch(double epoch, double train_loss_value,
                                double validation_loss_value, double train_accuracy_value,
                                double validation_accuracy_value) {
  epochs.push_back(epoch);
  train_loss.push_back(train_loss_value);
  validation_loss.push_back(validation_loss_value);
  train_accuracy.push_back(train_accuracy_value);
  validation_accuracy.push_back(validation_accuracy_value);
}

LearningHistory read_learning_history(const std::filesystem::path& csv_path) {
  const CsvTable table = read_csv(csv_path);
  auto column = [&](std::initializer_list<const char*> names) -> std::vector<double> {
    for (const char* name : names) {
      const int64_t index = table.column_index(name);
      if (index < 0) continue;
      std::vector<double> values;
      for (const auto& row : table.rows) {
        const std::string& cell = row[index];
        // strtod reads "nan" and "inf" as CsvLogger writes them; an empty cell is a gap.
        values.push_back(cell.empty() ? LearningHistory::kMissing : std::strtod(cell.c_str(), nullptr));
      }
      return values;
    }
    return {};
  };
  LearningHistory history;
  history.epochs = column({"epoch"});
  if (history.epochs.empty() && !table.rows.empty()) {  // no epoch column: number the rows
    for (size_t i = 0; i < table.rows.size(); ++i) history.epochs.push_back(static_cast<double>(i + 1));
  }
  history.train_loss = column({"train_loss", "loss"});
  history.validation_loss = column({"val_loss", "validation_loss"});
  history.train_accuracy = column({"train_accuracy", "train_acc", "accuracy"});
  history.validation_accuracy = column({"val_accuracy", "val_acc", "validation_accuracy"});
  return history;
}

void write_learning_curves(const std::filesystem::path& path, const LearningHistory& history,
                           const LearningCurveOptions& options) {
  auto check_length = [&](const std::vector<double>& values, const char* name) {
    if (!values.empty() && values.size() != history.epochs.size()) {
      throw ShapeError(std::string("write_learning_curves: ") + name + " has " +
                       std::to_string(values.size()) + " values for " +
                       std::to_string(history.epochs.size()) + " epochs");
    }
  };
  check_length(history.train_loss, "train_loss");
  check_length(history.validation_loss, "validation_loss");
  check_length(history.train_accuracy, "train_accuracy");
  check_length(history.validation_accuracy, "validation_accuracy");

  // Train in blue, validation in orange, in both panels, so the legend reads the same twice.
  auto panel = [&](const char* title, const char* y_label, const std::vector<double>& train,
                   const std::vector<double>& validation) {
    LinePlot plot(title);
    plot.set_x_label("epoch").set_y_label(y_label);
    if (!train.empty()) plot.add_series("train", history.epochs, train, kPalette[0]);
    if (!validation.empty()) plot.add_series("validation", history.epochs, validation, kPalette[1]);
    return plot;
  };
  std::vector<LinePlot> panels;
  LinePlot loss = panel("Loss", "loss", history.train_loss, history.validation_loss);
  loss.set_log_y(options.log_loss);
  panels.push_back(std::move(loss));
  LinePlot accuracy =
      panel("Accuracy", "accuracy", history.train_accuracy, history.validation_accuracy);
  if (accuracy.has_data()) panels.push_back(std::move(accuracy));

  const double title_band = options.title.empty() ? 0 : 30;
  const double width = options.panel_width * static_cast<double>(panels.size());
  const double height = options.panel_height + title_band;
  std::string body;
  if (!options.title.empty()) {
    body += text_element(width / 2, 22, options.title,
                         "font-size=\"17\" font-weight=\"bold\" fill=\"#111\" text-anchor=\"middle\"");
  }
  for (size_t i = 0; i < panels.size(); ++i) {
    body += panels[i].svg_fragment(options.panel_width * static_cast<double>(i), title_band,
                                   options.panel_width, options.panel_height);
  }
  save_svg(path, svg_document(width, height, body));
}

}  // namespace nabla::train
