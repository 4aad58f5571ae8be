// SVG line charts: nice tick values, escaping, well-formed documents, and the learning-curve
// file written atomically from a history or a CSV log.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "nabla/error.h"
#include "nabla/train/csv_logger.h"
#include "nabla/train/plot.h"

namespace nabla::train {
namespace {

namespace fs = std::filesystem;

// Whether every element is closed in order: the part of XML well-formedness a string-built
// document can get wrong. Returns the first problem, or "" when balanced.
std::string check_balanced_tags(const std::string& xml) {
  std::vector<std::string> open;
  size_t position = 0;
  while ((position = xml.find('<', position)) != std::string::npos) {
    const size_t end = xml.find('>', position);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(position);
    const std::string tag = xml.substr(position + 1, end - position - 1);
    position = end + 1;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '?' || tag[0] == '!') continue;  // declaration, comment
    if (tag.back() == '/') continue;                 // self-closing
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) return "unexpected </" + name + ">";
      open.pop_back();
      continue;
    }
    open.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++count;
  return count;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SvgPlot, NiceNumbers) {
  EXPECT_DOUBLE_EQ(nice_number(0.97, true), 1.0);
  EXPECT_DOUBLE_EQ(nice_number(0.97, false), 1.0);
  EXPECT_DOUBLE_EQ(nice_number(2.6, true), 2.0);
  EXPECT_DOUBLE_EQ(nice_number(2.6, false), 5.0);
  EXPECT_DOUBLE_EQ(nice_number(4.0, true), 5.0);
  EXPECT_DOUBLE_EQ(nice_number(19, false), 20.0);
  EXPECT_DOUBLE_EQ(nice_number(0.0072, true), 0.01);
}

TEST(SvgPlot, NiceTicksEncloseTheData) {
  const AxisTicks unit = nice_ticks(0.03, 0.97, 6);
  EXPECT_DOUBLE_EQ(unit.step, 0.2);
  EXPECT_EQ(unit.values, (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0}));
  const AxisTicks epochs = nice_ticks(1, 20, 6);
  EXPECT_EQ(epochs.values, (std::vector<double>{0, 5, 10, 15, 20}));
  const AxisTicks negative = nice_ticks(-3.2, 7.9, 5);
  EXPECT_DOUBLE_EQ(negative.low, -5);
  EXPECT_DOUBLE_EQ(negative.high, 10);
  EXPECT_DOUBLE_EQ(negative.step, 5);
  // A single value is widened so that it sits inside the axis.
  const AxisTicks flat = nice_ticks(2.0, 2.0, 5);
  EXPECT_LT(flat.low, 2.0);
  EXPECT_GT(flat.high, 2.0);
}

TEST(SvgPlot, LogTicks) {
  EXPECT_EQ(log_ticks(0.05, 3).values, (std::vector<double>{0.01, 0.1, 1, 10}));
  const AxisTicks narrow = log_ticks(0.3, 0.9);
  EXPECT_DOUBLE_EQ(narrow.low, 0.1);
  EXPECT_DOUBLE_EQ(narrow.high, 1.0);
  EXPECT_EQ(narrow.values.size(), 4u);  // 0.1, 0.2, 0.5, 1
}

TEST(SvgPlot, TickLabels) {
  EXPECT_EQ(format_tick(0.30000000000000004, 0.1), "0.3");
  EXPECT_EQ(format_tick(0.75, 0.25), "0.75");
  EXPECT_EQ(format_tick(30, 10), "30");
  EXPECT_EQ(format_tick(-1e-17, 0.2), "0.0");
  EXPECT_EQ(format_tick(2e6, 1e6), "2e+06");
}

TEST(SvgPlot, EscapesText) {
  EXPECT_EQ(xml_escape("a < b & \"c\" > 'd'"), "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;");
  LinePlot plot("loss <train & val>");
  plot.set_x_label("epoch").set_y_label("loss");
  plot.add_series("a&b", {1, 2}, {3, 4});
  const std::string svg = plot.to_svg();
  EXPECT_NE(svg.find("loss &lt;train &amp; val&gt;"), std::string::npos);
  EXPECT_NE(svg.find(">a&amp;b</text>"), std::string::npos);
  EXPECT_EQ(svg.find("<train"), std::string::npos);
}

TEST(SvgPlot, DocumentHasChartElementsAndIsBalanced) {
  LinePlot plot("Learning rate finder");
  plot.set_x_label("step").set_y_label("loss");
  plot.add_series("run 1", {1, 2, 3, 4}, {2.3, 1.2, 0.8, 0.7});
  plot.add_series("run 2", {1, 2, 3, 4}, {2.1, 1.0, 0.9, 0.95}, "#123456", true);
  const std::string svg = plot.to_svg(640, 420);
  EXPECT_EQ(check_balanced_tags(svg), "");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640.00\""), std::string::npos);
  EXPECT_EQ(occurrences(svg, "<polyline"), 2u);
  EXPECT_EQ(occurrences(svg, "<circle"), 8u);  // a dot per point when points are few
  EXPECT_NE(svg.find("stroke=\"#1f77b4\""), std::string::npos);  // first palette colour
  EXPECT_NE(svg.find("stroke=\"#123456\""), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(svg.find(">Learning rate finder</text>"), std::string::npos);
  EXPECT_NE(svg.find(">run 2</text>"), std::string::npos);  // legend
  EXPECT_NE(svg.find("rotate(-90"), std::string::npos);     // y label
  EXPECT_THROW(plot.add_series("bad", {1, 2}, {1}), ShapeError);
}

TEST(SvgPlot, NonFiniteValuesBreakTheLine) {
  LinePlot plot;
  plot.add_series("val", {1, 2, 3, 4, 5}, {1.0, NAN, 0.8, 0.7, INFINITY});
  const std::string svg = plot.to_svg();
  EXPECT_EQ(occurrences(svg, "<polyline"), 2u);  // [1] and [3, 4]
  EXPECT_EQ(occurrences(svg, "<circle"), 3u);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);

  LinePlot log_plot;
  log_plot.set_log_y().add_series("loss", {1, 2, 3}, {1.0, 0.0, 0.01});
  EXPECT_EQ(occurrences(log_plot.to_svg(), "<polyline"), 2u);  // 0 cannot sit on a log axis
  EXPECT_NE(log_plot.to_svg().find(">0.01</text>"), std::string::npos);
}

class LearningCurvesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("nabla_svg_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  fs::path directory_;
};

TEST_F(LearningCurvesTest, TwoPanelsWrittenAtomically) {
  LearningHistory history;
  history.add_epoch(1, 2.1, 1.9, 0.35, 0.40);
  history.add_epoch(2, 1.2, 1.3);  // no accuracy this epoch
  history.add_epoch(3, 0.8, 1.0, 0.72, 0.70);
  const fs::path path = directory_ / "plots" / "curves.svg";
  write_learning_curves(path, history, {.title = "MNIST <MLP>"});
  const std::string svg = read_text(path);
  EXPECT_EQ(check_balanced_tags(svg), "");
  EXPECT_EQ(occurrences(svg, "class=\"line-plot\""), 2u);
  EXPECT_NE(svg.find(">Loss</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Accuracy</text>"), std::string::npos);
  EXPECT_NE(svg.find(">MNIST &lt;MLP&gt;</text>"), std::string::npos);
  EXPECT_NE(svg.find("width=\"1120.00\""), std::string::npos);
  // Loss: 2 unbroken lines; accuracy: 2 lines each broken by the missing epoch 2.
  EXPECT_EQ(occurrences(svg, "<polyline"), 6u);
  // Only the final file is left: the temporary was renamed into place.
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(path.parent_path())) ++files;
  EXPECT_EQ(files, 1u);

  LearningHistory loss_only;
  loss_only.epochs = {1, 2};
  loss_only.train_loss = {1.0, 0.5};
  write_learning_curves(path, loss_only);  // replaces the old file
  const std::string single = read_text(path);
  EXPECT_EQ(occurrences(single, "class=\"line-plot\""), 1u);
  EXPECT_NE(single.find("width=\"560.00\""), std::string::npos);

  LearningHistory ragged;
  ragged.epochs = {1, 2};
  ragged.train_loss = {1.0};
  EXPECT_THROW(write_learning_curves(path, ragged), ShapeError);
}

TEST_F(LearningCurvesTest, HistoryReadFromCsvLog) {
  const fs::path csv = directory_ / "log.csv";
  {
    CsvLogger log(csv);
    log.write({{"epoch", 1}, {"train_loss", 1.5}, {"val_loss", 1.4}, {"train_accuracy", 0.5},
               {"val_accuracy", 0.55}, {"seconds", 3.2}});
    log.write({{"epoch", 2}, {"train_loss", 0.9}, {"train_accuracy", 0.7}, {"seconds", 3.1}});
  }
  const LearningHistory history = read_learning_history(csv);
  EXPECT_EQ(history.epochs, (std::vector<double>{1, 2}));
  EXPECT_EQ(history.train_loss, (std::vector<double>{1.5, 0.9}));
  ASSERT_EQ(history.validation_loss.size(), 2u);
  EXPECT_DOUBLE_EQ(history.validation_loss[0], 1.4);
  EXPECT_TRUE(std::isnan(history.validation_loss[1]));
  EXPECT_EQ(history.train_accuracy, (std::vector<double>{0.5, 0.7}));
  write_learning_curves(directory_ / "curves.svg", history);
  EXPECT_EQ(check_balanced_tags(read_text(directory_ / "curves.svg")), "");
}

}  // namespace
}  // namespace nabla::train
