#include "nabla/train/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

namespace nabla::train {
namespace {

void check_same_length(size_t predicted, size_t truth, const char* function) {
  if (predicted != truth) {
    throw ShapeError(std::string(function) + ": " + std::to_string(predicted) +
                     " predictions but " + std::to_string(truth) + " true labels");
  }
}

// Ratio with sklearn's zero_division=0: an empty denominator means "no evidence", scored 0.
double safe_ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;
}

double harmonic_mean(double precision, double recall) {
  return safe_ratio(2 * precision * recall, precision + recall);
}

// [N,C] floating tensor -> (row-major values, C). Shapes are checked against the truth's length.
std::vector<double> score_rows(const Tensor& scores, size_t truth_length, const char* function,
                               int64_t& num_classes) {
  if (!is_floating(scores.dtype())) {
    throw DTypeError(std::string(function) + ": scores must be floating point, got " +
                     to_string(scores.dtype()));
  }
  if (scores.dim() != 2) {
    throw ShapeError(std::string(function) + ": scores must be [N,C], got " +
                     to_string(scores.shape()));
  }
  num_classes = scores.size(1);
  check_same_length(static_cast<size_t>(scores.size(0)), truth_length, function);
  return scores.to_vector<double>();
}

std::vector<int64_t> argmax_of_rows(const std::vector<double>& values, int64_t num_classes) {
  const size_t rows = num_classes > 0 ? values.size() / static_cast<size_t>(num_classes) : 0;
  std::vector<int64_t> predicted(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    const double* row = values.data() + r * num_classes;
    predicted[r] = std::max_element(row, row + num_classes) - row;
  }
  return predicted;
}

void check_label_range(int64_t label, int64_t num_classes, const char* function) {
  if (label < 0 || label >= num_classes) {
    throw IndexError(std::string(function) + ": label " + std::to_string(label) +
                     " is outside 0.." + std::to_string(num_classes - 1));
  }
}

std::string format_fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string pad_left(const std::string& text, size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::vector<std::string> names_or_indices(const std::vector<std::string>& class_names,
                                          int64_t num_classes, const char* function) {
  if (class_names.empty()) {
    std::vector<std::string> names;
    for (int64_t c = 0; c < num_classes; ++c) names.push_back(std::to_string(c));
    return names;
  }
  if (static_cast<int64_t>(class_names.size()) != num_classes) {
    throw ShapeError(std::string(function) + ": " + std::to_string(class_names.size()) +
                     " class names for " + std::to_string(num_classes) + " classes");
  }
  return class_names;
}

}  // namespace

std::vector<int64_t> labels_from_tensor(const Tensor& labels, const char* function) {
  if (labels.dtype() != DType::i64) {
    throw DTypeError(std::string(function) + ": class labels must be i64, got " +
                     to_string(labels.dtype()) +
                     " (for scores, use the *_scores / *_from_logits variants)");
  }
  const bool column = labels.dim() == 2 && labels.size(1) == 1;
  if (labels.dim() != 1 && !column) {
    throw ShapeError(std::string(function) + ": class labels must be 1-D, got " +
                     to_string(labels.shape()));
  }
  return labels.to_vector<int64_t>();
}

std::vector<int64_t> argmax_rows(const Tensor& scores, const char* function) {
  if (scores.dim() != 2) {
    throw ShapeError(std::string(function) + ": scores must be [N,C], got " +
                     to_string(scores.shape()));
  }
  int64_t num_classes = 0;
  const auto values = score_rows(scores, static_cast<size_t>(scores.size(0)), function, num_classes);
  return argmax_of_rows(values, num_classes);
}

// ---- ConfusionMatrix -----------------------------------------------------------------------------

ConfusionMatrix::ConfusionMatrix(int64_t num_classes) : num_classes_(num_classes) {
  if (num_classes < 1) {
    throw ShapeError("ConfusionMatrix: num_classes must be at least 1, got " +
                     std::to_string(num_classes));
  }
  counts_.assign(static_cast<size_t>(num_classes * num_classes), 0);
}

void ConfusionMatrix::check_class(int64_t c, const char* what) const {
  check_label_range(c, num_classes_, what);
}

void ConfusionMatrix::add_one(int64_t predicted, int64_t truth) {
  check_class(predicted, "ConfusionMatrix::add (predicted)");
  check_class(truth, "ConfusionMatrix::add (truth)");
  ++counts_[truth * num_classes_ + predicted];
  ++total_;
}

void ConfusionMatrix::add(const std::vector<int64_t>& predicted, const std::vector<int64_t>& truth) {
  check_same_length(predicted.size(), truth.size(), "ConfusionMatrix::add");
  // Validate the whole batch first so that a bad label leaves the counts untouched.
  for (size_t i = 0; i < predicted.size(); ++i) {
    check_class(predicted[i], "ConfusionMatrix::add (predicted)");
    check_class(truth[i], "ConfusionMatrix::add (truth)");
  }
  for (size_t i = 0; i < predicted.size(); ++i) ++counts_[truth[i] * num_classes_ + predicted[i]];
  total_ += static_cast<int64_t>(predicted.size());
}

void ConfusionMatrix::add(const Tensor& predicted, const Tensor& truth) {
  add(labels_from_tensor(predicted, "ConfusionMatrix::add"),
      labels_from_tensor(truth, "ConfusionMatrix::add"));
}

void ConfusionMatrix::add_scores(const Tensor& scores, const Tensor& truth) {
  const auto labels = labels_from_tensor(truth, "ConfusionMatrix::add_scores");
  int64_t columns = 0;
  const auto values = score_rows(scores, labels.size(), "ConfusionMatrix::add_scores", columns);
  if (columns != num_classes_) {
    throw ShapeError("ConfusionMatrix::add_scores: scores " + to_string(scores.shape()) + " have " +
                     std::to_string(columns) + " columns for " + std::to_string(num_classes_) +
                     " classes");
  }
  add(argmax_of_rows(values, columns), labels);
}

void ConfusionMatrix::merge(const ConfusionMatrix& other) {
  if (other.num_classes_ != num_classes_) {
    throw ShapeError("ConfusionMatrix::merge: " + std::to_string(other.num_classes_) +
                     " classes into " + std::to_string(num_classes_));
  }
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
}

void ConfusionMatrix::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
}

int64_t ConfusionMatrix::count(int64_t true_class, int64_t predicted_class) const {
  check_class(true_class, "ConfusionMatrix::count");
  check_class(predicted_class, "ConfusionMatrix::count");
  return counts_[true_class * num_classes_ + predicted_class];
}

std::vector<std::vector<int64_t>> ConfusionMatrix::rows() const {
  std::vector<std::vector<int64_t>> result;
  for (int64_t r = 0; r < num_classes_; ++r) {
    result.emplace_back(counts_.begin() + r * num_classes_, counts_.begin() + (r + 1) * num_classes_);
  }
  return result;
}

Tensor ConfusionMatrix::to_tensor() const { return from_vector(counts_, {num_classes_, num_classes_}); }

int64_t ConfusionMatrix::correct() const {
  int64_t diagonal = 0;
  for (int64_t c = 0; c < num_classes_; ++c) diagonal += counts_[c * num_classes_ + c];
  return diagonal;
}

int64_t ConfusionMatrix::support(int64_t true_class) const {
  check_class(true_class, "ConfusionMatrix::support");
  const auto row = counts_.begin() + true_class * num_classes_;
  return std::accumulate(row, row + num_classes_, int64_t{0});
}

int64_t ConfusionMatrix::predicted_count(int64_t predicted_class) const {
  check_class(predicted_class, "ConfusionMatrix::predicted_count");
  int64_t column = 0;
  for (int64_t r = 0; r < num_classes_; ++r) column += counts_[r * num_classes_ + predicted_class];
  return column;
}

double ConfusionMatrix::accuracy() const {
  return safe_ratio(static_cast<double>(correct()), static_cast<double>(total_));
}

double ConfusionMatrix::precision(int64_t c) const {
  return safe_ratio(static_cast<double>(count(c, c)), static_cast<double>(predicted_count(c)));
}

double ConfusionMatrix::recall(int64_t c) const {
  return safe_ratio(static_cast<double>(count(c, c)), static_cast<double>(support(c)));
}

double ConfusionMatrix::f1(int64_t c) const { return harmonic_mean(precision(c), recall(c)); }

ClassificationScores ConfusionMatrix::scores() const {
  ClassificationScores s;
  s.total = total_;
  s.accuracy = accuracy();
  int64_t present = 0;
  for (int64_t c = 0; c < num_classes_; ++c) {
    s.precision.push_back(precision(c));
    s.recall.push_back(recall(c));
    s.f1.push_back(f1(c));
    s.support.push_back(support(c));
    if (s.support.back() == 0 && predicted_count(c) == 0) continue;  // absent: not averaged
    ++present;
    s.macro_precision += s.precision.back();
    s.macro_recall += s.recall.back();
    s.macro_f1 += s.f1.back();
    const double weight = static_cast<double>(s.support.back());
    s.weighted_precision += weight * s.precision.back();
    s.weighted_recall += weight * s.recall.back();
    s.weighted_f1 += weight * s.f1.back();
  }
  s.macro_precision = safe_ratio(s.macro_precision, static_cast<double>(present));
  s.macro_recall = safe_ratio(s.macro_recall, static_cast<double>(present));
  s.macro_f1 = safe_ratio(s.macro_f1, static_cast<double>(present));
  s.weighted_precision = safe_ratio(s.weighted_precision, static_cast<double>(total_));
  s.weighted_recall = safe_ratio(s.weighted_recall, static_cast<double>(total_));
  s.weighted_f1 = safe_ratio(s.weighted_f1, static_cast<double>(total_));
  return s;
}

// ---- one-shot functions ------------------------------------------------------------------------

double accuracy(const std::vector<int64_t>& predicted, const std::vector<int64_t>& truth) {
  check_same_length(predicted.size(), truth.size(), "accuracy");
  int64_t correct = 0;
  for (size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == truth[i];
  return safe_ratio(static_cast<double>(correct), static_cast<double>(truth.size()));
}

double accuracy(const Tensor& predicted, const Tensor& truth) {
  return accuracy(labels_from_tensor(predicted, "accuracy"), labels_from_tensor(truth, "accuracy"));
}

double accuracy_from_scores(const Tensor& scores, const Tensor& truth) {
  const auto labels = labels_from_tensor(truth, "accuracy_from_scores");
  int64_t columns = 0;
  const auto values = score_rows(scores, labels.size(), "accuracy_from_scores", columns);
  return accuracy(argmax_of_rows(values, columns), labels);
}

ConfusionMatrix confusion_matrix(const std::vector<int64_t>& predicted,
                                 const std::vector<int64_t>& truth,
                                 std::optional<int64_t> num_classes) {
  check_same_length(predicted.size(), truth.size(), "confusion_matrix");
  if (!num_classes) {
    int64_t largest = 0;
    for (int64_t label : predicted) largest = std::max(largest, label);
    for (int64_t label : truth) largest = std::max(largest, label);
    num_classes = largest + 1;
  }
  ConfusionMatrix matrix(*num_classes);
  matrix.add(predicted, truth);
  return matrix;
}

ConfusionMatrix confusion_matrix(const Tensor& predicted, const Tensor& truth,
                                 std::optional<int64_t> num_classes) {
  return confusion_matrix(labels_from_tensor(predicted, "confusion_matrix"),
                          labels_from_tensor(truth, "confusion_matrix"), num_classes);
}

ClassificationScores classification_scores(const std::vector<int64_t>& predicted,
                                           const std::vector<int64_t>& truth,
                                           std::optional<int64_t> num_classes) {
  return confusion_matrix(predicted, truth, num_classes).scores();
}

ClassificationScores classification_scores(const Tensor& predicted, const Tensor& truth,
                                           std::optional<int64_t> num_classes) {
  return confusion_matrix(predicted, truth, num_classes).scores();
}

// ---- log loss ----------------------------------------------------------------------------------

double log_loss(const std::vector<double>& probabilities, int64_t num_classes,
                const std::vector<int64_t>& truth, double eps) {
  if (num_classes < 1 || probabilities.size() != truth.size() * static_cast<size_t>(num_classes)) {
    throw ShapeError("log_loss: " + std::to_string(probabilities.size()) + " probabilities for " +
                     std::to_string(truth.size()) + " labels and " + std::to_string(num_classes) +
                     " classes");
  }
  if (truth.empty()) return 0.0;
  double total = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    check_label_range(truth[i], num_classes, "log_loss");
    const double p = probabilities[i * num_classes + truth[i]];
    total -= std::log(std::clamp(p, eps, 1 - eps));
  }
  return total / static_cast<double>(truth.size());
}

double log_loss(const Tensor& probabilities, const Tensor& truth, double eps) {
  const auto labels = labels_from_tensor(truth, "log_loss");
  if (!is_floating(probabilities.dtype())) {
    throw DTypeError(std::string("log_loss: probabilities must be floating point, got ") +
                     to_string(probabilities.dtype()));
  }
  if (probabilities.dim() == 1) {  // binary: p is the probability of class 1
    check_same_length(static_cast<size_t>(probabilities.size(0)), labels.size(), "log_loss");
    std::vector<double> two_columns;
    for (double p : probabilities.to_vector<double>()) {
      two_columns.push_back(1 - p);
      two_columns.push_back(p);
    }
    return log_loss(two_columns, 2, labels, eps);
  }
  int64_t num_classes = 0;
  const auto values = score_rows(probabilities, labels.size(), "log_loss", num_classes);
  return log_loss(values, num_classes, labels, eps);
}

double log_loss_from_logits(const std::vector<double>& logits, int64_t num_classes,
                            const std::vector<int64_t>& truth) {
  if (num_classes < 1 || logits.size() != truth.size() * static_cast<size_t>(num_classes)) {
    throw ShapeError("log_loss_from_logits: " + std::to_string(logits.size()) + " logits for " +
                     std::to_string(truth.size()) + " labels and " + std::to_string(num_classes) +
                     " classes");
  }
  if (truth.empty()) return 0.0;
  double total = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    check_label_range(truth[i], num_classes, "log_loss_from_logits");
    const double* row = logits.data() + i * num_classes;
    // log(sum exp(z)) = m + log(sum exp(z - m)): every exponent is <= 0, so nothing overflows.
    const double row_max = *std::max_element(row, row + num_classes);
    double sum = 0;
    for (int64_t c = 0; c < num_classes; ++c) sum += std::exp(row[c] - row_max);
    total += row_max + std::log(sum) - row[truth[i]];
  }
  return total / static_cast<double>(truth.size());
}

double log_loss_from_logits(const Tensor& logits, const Tensor& truth) {
  const auto labels = labels_from_tensor(truth, "log_loss_from_logits");
  int64_t num_classes = 0;
  const auto values = score_rows(logits, labels.size(), "log_loss_from_logits", num_classes);
  return log_loss_from_logits(values, num_classes, labels);
}

// ---- text --------------------------------------------------------------------------------------

std::string format_confusion_matrix(const std::vector<std::vector<int64_t>>& matrix,
                                    const std::vector<std::string>& class_names) {
  const auto num_classes = static_cast<int64_t>(matrix.size());
  for (const auto& row : matrix) {
    if (static_cast<int64_t>(row.size()) != num_classes) {
      throw ShapeError("format_confusion_matrix: a row of " + std::to_string(row.size()) +
                       " counts in a matrix of " + std::to_string(num_classes) + " rows");
    }
  }
  const auto names = names_or_indices(class_names, num_classes, "format_confusion_matrix");
  const std::string corner = "true \\ pred";
  size_t label_width = corner.size();
  for (const auto& name : names) label_width = std::max(label_width, name.size());
  // Each column is as wide as its name or its widest count, whichever is wider.
  std::vector<size_t> column_width(names.size());
  for (int64_t c = 0; c < num_classes; ++c) {
    column_width[c] = names[c].size();
    for (const auto& row : matrix) {
      column_width[c] = std::max(column_width[c], std::to_string(row[c]).size());
    }
  }
  std::ostringstream out;
  out << pad_left(corner, label_width);
  for (int64_t c = 0; c < num_classes; ++c) out << "  " << pad_left(names[c], column_width[c]);
  out << '\n';
  for (int64_t r = 0; r < num_classes; ++r) {
    out << pad_left(names[r], label_width);
    for (int64_t c = 0; c < num_classes; ++c) {
      out << "  " << pad_left(std::to_string(matrix[r][c]), column_width[c]);
    }
    out << '\n';
  }
  return out.str();
}

std::string format_confusion_matrix(const ConfusionMatrix& matrix,
                                    const std::vector<std::string>& class_names) {
  return format_confusion_matrix(matrix.rows(), class_names);
}

std::string classification_report(const ConfusionMatrix& matrix,
                                  const std::vector<std::string>& class_names, int digits) {
  const auto names = names_or_indices(class_names, matrix.num_classes(), "classification_report");
  const ClassificationScores s = matrix.scores();
  // sklearn's layout: names right-aligned to the longest of (class names, "weighted avg",
  // digits), then four columns 9 wide, each preceded by a space, after one separating space.
  const std::string longest_heading = "weighted avg";
  size_t width = std::max(longest_heading.size(), static_cast<size_t>(std::max(digits, 0)));
  for (const auto& name : names) width = std::max(width, name.size());
  auto row = [&](const std::string& heading, const std::string& precision,
                 const std::string& recall, const std::string& f1, const std::string& support) {
    return pad_left(heading, width) + " " + " " + pad_left(precision, 9) + " " +
           pad_left(recall, 9) + " " + pad_left(f1, 9) + " " + pad_left(support, 9) + "\n";
  };
  std::string report = row("", "precision", "recall", "f1-score", "support");
  report.pop_back();  // sklearn's header line has no trailing newline before its "\n\n"
  report += "\n\n";
  for (int64_t c = 0; c < matrix.num_classes(); ++c) {
    if (s.support[c] == 0 && matrix.predicted_count(c) == 0) continue;  // absent from the data
    report += row(names[c], format_fixed(s.precision[c], digits), format_fixed(s.recall[c], digits),
                  format_fixed(s.f1[c], digits), std::to_string(s.support[c]));
  }
  report += "\n";
  const std::string total = std::to_string(s.total);
  report += row("accuracy", "", "", format_fixed(s.accuracy, digits), total);
  report += row("macro avg", format_fixed(s.macro_precision, digits),
                format_fixed(s.macro_recall, digits), format_fixed(s.macro_f1, digits), total);
  report += row("weighted avg", format_fixed(s.weighted_precision, digits),
                format_fixed(s.weighted_recall, digits), format_fixed(s.weighted_f1, digits),
                total);
  return report;
}

std::string classification_report(const std::vector<int64_t>& predicted,
                                  const std::vector<int64_t>& truth,
                                  const std::vector<std::string>& class_names, int digits) {
  const std::optional<int64_t> num_classes =
      class_names.empty() ? std::nullopt
                          : std::optional<int64_t>(static_cast<int64_t>(class_names.size()));
  return classification_report(confusion_matrix(predicted, truth, num_classes), class_names,
                               digits);
}

}  // namespace nabla::train
