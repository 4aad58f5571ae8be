// Classification metrics: accuracy, the confusion matrix, precision / recall / F1 per class and
// averaged, log loss, and sklearn-style text reports.
//
// Labels are class indices 0..num_classes-1, given either as std::vector<int64_t> or as 1-D i64
// tensors (an [N,1] column is accepted too). Scores ("logits" or probabilities) are [N,C] float
// tensors. Everything here runs on plain host values and records no autograd graph: metrics are
// for reporting, not for training.
//
// Conventions, chosen to agree with scikit-learn's defaults:
//   * A class that is never predicted has precision 0 (sklearn's zero_division=0); a class that
//     never occurs in the truth has recall 0; F1 is 0 when precision + recall is 0.
//   * Macro averages are unweighted means over the classes that occur at all (in the truth or in
//     the predictions), which is what sklearn does when it is not given an explicit label list.
//     A class that appears nowhere has no meaningful precision or recall, so it must not drag the
//     average towards 0.
//   * Weighted averages weight each class by its support (its number of true samples).
//   * Log loss clips probabilities to [eps, 1 - eps] with eps = 1e-15, so a confident wrong
//     answer costs about 34.5 nats instead of infinity.
//
// Mismatched lengths throw nabla::ShapeError naming the function and both sizes; labels outside
// 0..num_classes-1 throw nabla::IndexError; non-integer label tensors throw nabla::DTypeError.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::train {

// The labels in a 1-D (or [N,1]) i64 tensor. `function` names the caller in error messages.
std::vector<int64_t> labels_from_tensor(const Tensor& labels, const char* function);
// The index of the largest score in each row of an [N,C] tensor (first one on ties), as argmax.
std::vector<int64_t> argmax_rows(const Tensor& scores, const char* function);

// Per-class scores and their averages; index c of each vector is class c.
struct ClassificationScores {
  std::vector<double> precision, recall, f1;
  std::vector<int64_t> support;  // true samples of each class
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
  double weighted_precision = 0, weighted_recall = 0, weighted_f1 = 0;
  double accuracy = 0;
  int64_t total = 0;
};

// Counts of (true class, predicted class) pairs: row = true class, column = predicted class, as
// sklearn's confusion_matrix. It is also the streaming accumulator for an evaluation pass: add()
// each batch and read the metrics at the end, without keeping the predictions.
class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int64_t num_classes);

  void add(const std::vector<int64_t>& predicted, const std::vector<int64_t>& truth);
  void add(const Tensor& predicted, const Tensor& truth);  // i64 class indices
  // Predictions are the argmax of each row of `scores` ([N,C] logits or probabilities).
  void add_scores(const Tensor& scores, const Tensor& truth);
  void add_one(int64_t predicted, int64_t truth);
  // Adds the counts of another matrix of the same size (e.g. from another worker).
  void merge(const ConfusionMatrix& other);
  void reset();

  int64_t num_classes() const { return num_classes_; }
  int64_t count(int64_t true_class, int64_t predicted_class) const;
  // Row-major counts, num_classes x num_classes.
  const std::vector<int64_t>& counts() const { return counts_; }
  std::vector<std::vector<int64_t>> rows() const;
  Tensor to_tensor() const;  // i64 [C,C]
  int64_t total() const { return total_; }
  int64_t correct() const;
  int64_t support(int64_t true_class) const;           // row sum
  int64_t predicted_count(int64_t predicted_class) const;  // column sum

  double accuracy() const;  // 0 when empty
  double precision(int64_t c) const;
  double recall(int64_t c) const;
  double f1(int64_t c) const;
  ClassificationScores scores() const;

 private:
  void check_class(int64_t c, const char* what) const;

  int64_t num_classes_;
  std::vector<int64_t> counts_;
  int64_t total_ = 0;
};

// ---- one-shot functions ------------------------------------------------------------------------
double accuracy(const std::vector<int64_t>& predicted, const std::vector<int64_t>& truth);
double accuracy(const Tensor& predicted, const Tensor& truth);
// Accuracy of the argmax of each row of [N,C] scores.
double accuracy_from_scores(const Tensor& scores, const Tensor& truth);

// num_classes defaults to 1 + the largest label seen in either vector.
ConfusionMatrix confusion_matrix(const std::vector<int64_t>& predicted,
                                 const std::vector<int64_t>& truth,
                                 std::optional<int64_t> num_classes = std::nullopt);
ConfusionMatrix confusion_matrix(const Tensor& predicted, const Tensor& truth,
                                 std::optional<int64_t> num_classes = std::nullopt);

ClassificationScores classification_scores(const std::vector<int64_t>& predicted,
                                           const std::vector<int64_t>& truth,
                                           std::optional<int64_t> num_classes = std::nullopt);
ClassificationScores classification_scores(const Tensor& predicted, const Tensor& truth,
                                           std::optional<int64_t> num_classes = std::nullopt);

// ---- log loss (cross-entropy), mean over samples, in nats ---------------------------------------
inline constexpr double kLogLossEpsilon = 1e-15;
// probabilities: [N,C] rows of class probabilities, or [N] probabilities of class 1 for binary
// problems (as sklearn accepts). Values are clipped to [eps, 1 - eps] and not renormalised.
double log_loss(const Tensor& probabilities, const Tensor& truth,
                double eps = kLogLossEpsilon);
// The same from row-major [N, num_classes] probabilities held in a plain vector.
double log_loss(const std::vector<double>& probabilities, int64_t num_classes,
                const std::vector<int64_t>& truth, double eps = kLogLossEpsilon);
// From unnormalised [N,C] logits: mean of logsumexp(row) - row[truth], computed with the row
// maximum subtracted so that large logits neither overflow nor lose precision. No clipping.
double log_loss_from_logits(const Tensor& logits, const Tensor& truth);
double log_loss_from_logits(const std::vector<double>& logits, int64_t num_classes,
                            const std::vector<int64_t>& truth);

// ---- text --------------------------------------------------------------------------------------
// An aligned table, true classes down, predicted classes across:
//   true \ pred  cat  dog
//           cat    5    1
//           dog    0    7
// class_names may be empty (classes are then named 0, 1, ...); otherwise one name per class.
std::string format_confusion_matrix(const ConfusionMatrix& matrix,
                                    const std::vector<std::string>& class_names = {});
std::string format_confusion_matrix(const std::vector<std::vector<int64_t>>& matrix,
                                    const std::vector<std::string>& class_names = {});

// The text of sklearn's classification_report: one row per class (precision, recall, f1-score,
// support), then accuracy, macro avg and weighted avg, laid out character for character as
// sklearn prints it with the same `digits`. Like sklearn, it lists only the classes that occur
// (in the truth or the predictions), the same classes the macro average is taken over.
std::string classification_report(const ConfusionMatrix& matrix,
                                  const std::vector<std::string>& class_names = {},
                                  int digits = 2);
std::string classification_report(const std::vector<int64_t>& predicted,
                                  const std::vector<int64_t>& truth,
                                  const std::vector<std::string>& class_names = {},
                                  int digits = 2);

}  // namespace nabla::train
