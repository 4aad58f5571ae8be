// Metrics against values worked out by hand and against the examples in scikit-learn's
// documentation (classification_report, confusion_matrix, precision_recall_fscore_support,
// log_loss), which these functions promise to agree with.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/tensor.h"
#include "nabla/train/metrics.h"

namespace nabla::train {
namespace {

// sklearn's classification_report docstring example.
const std::vector<int64_t> kReportTruth = {0, 1, 2, 2, 2};
const std::vector<int64_t> kReportPredicted = {0, 0, 2, 2, 1};

TEST(Metrics, AccuracyCountsExactMatches) {
  EXPECT_DOUBLE_EQ(accuracy(std::vector<int64_t>{0, 1, 2, 3}, std::vector<int64_t>{0, 2, 1, 3}), 0.5);
  EXPECT_DOUBLE_EQ(accuracy(kReportPredicted, kReportTruth), 0.6);
  EXPECT_DOUBLE_EQ(accuracy(std::vector<int64_t>{}, std::vector<int64_t>{}), 0.0);
}

TEST(Metrics, LengthMismatchNamesFunctionAndSizes) {
  try {
    accuracy(std::vector<int64_t>{0, 1, 2}, std::vector<int64_t>{0, 1});
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("accuracy"), std::string::npos) << message;
    EXPECT_NE(message.find("3 predictions"), std::string::npos) << message;
    EXPECT_NE(message.find("2 true labels"), std::string::npos) << message;
  }
  EXPECT_THROW(confusion_matrix(std::vector<int64_t>{0}, std::vector<int64_t>{0, 1}), ShapeError);
  EXPECT_THROW(log_loss(std::vector<double>{0.5, 0.5}, 2, std::vector<int64_t>{0, 1}), ShapeError);
  EXPECT_THROW(format_confusion_matrix({{1, 2}, {3}}), ShapeError);
}

TEST(Metrics, LabelOutsideClassesThrowsAndLeavesCountsUntouched) {
  ConfusionMatrix matrix(3);
  matrix.add(std::vector<int64_t>{0, 1}, std::vector<int64_t>{0, 1});
  EXPECT_THROW(matrix.add(std::vector<int64_t>{0, 3}, std::vector<int64_t>{0, 1}), IndexError);
  EXPECT_THROW(matrix.add(std::vector<int64_t>{0, 1}, std::vector<int64_t>{-1, 1}), IndexError);
  EXPECT_EQ(matrix.total(), 2);
  EXPECT_EQ(matrix.correct(), 2);
}

TEST(Metrics, ConfusionMatrixMatchesSklearnExample) {
  // sklearn.metrics.confusion_matrix docstring: [[2, 0, 0], [0, 0, 1], [1, 0, 2]].
  const ConfusionMatrix matrix =
      confusion_matrix(std::vector<int64_t>{0, 0, 2, 2, 0, 2}, std::vector<int64_t>{2, 0, 2, 2, 0, 1});
  EXPECT_EQ(matrix.num_classes(), 3);
  const std::vector<std::vector<int64_t>> expected = {{2, 0, 0}, {0, 0, 1}, {1, 0, 2}};
  EXPECT_EQ(matrix.rows(), expected);
  EXPECT_EQ(matrix.support(2), 3);
  EXPECT_EQ(matrix.predicted_count(2), 3);
  EXPECT_EQ(matrix.correct(), 4);
}

TEST(Metrics, PerClassScoresOfReportExampleByHand) {
  // class 0: predicted twice, right once; 1 true sample -> P 1/2, R 1, F1 2/3.
  // class 1: predicted once (wrongly), its 1 true sample missed -> P 0, R 0, F1 0.
  // class 2: predicted twice, right twice; 3 true samples -> P 1, R 2/3, F1 0.8.
  const ClassificationScores s = classification_scores(kReportPredicted, kReportTruth);
  EXPECT_DOUBLE_EQ(s.precision[0], 0.5);
  EXPECT_DOUBLE_EQ(s.recall[0], 1.0);
  EXPECT_DOUBLE_EQ(s.f1[0], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.precision[1], 0.0);
  EXPECT_DOUBLE_EQ(s.recall[1], 0.0);
  EXPECT_DOUBLE_EQ(s.f1[1], 0.0);
  EXPECT_DOUBLE_EQ(s.precision[2], 1.0);
  EXPECT_DOUBLE_EQ(s.recall[2], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.f1[2], 0.8);
  EXPECT_EQ(s.support, (std::vector<int64_t>{1, 1, 3}));
  EXPECT_DOUBLE_EQ(s.macro_precision, 0.5);
  EXPECT_DOUBLE_EQ(s.macro_recall, (1.0 + 0.0 + 2.0 / 3.0) / 3.0);
  EXPECT_DOUBLE_EQ(s.macro_f1, (2.0 / 3.0 + 0.0 + 0.8) / 3.0);
  EXPECT_DOUBLE_EQ(s.weighted_precision, (0.5 + 0.0 + 3.0) / 5.0);
  EXPECT_DOUBLE_EQ(s.weighted_recall, 0.6);
  EXPECT_DOUBLE_EQ(s.weighted_f1, (2.0 / 3.0 + 0.0 + 2.4) / 5.0);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.6);
}

TEST(Metrics, MacroAveragesMatchSklearnPrecisionRecallFscoreExample) {
  // precision_recall_fscore_support docstring: cat/dog/pig -> macro (0.22, 0.33, 0.26...),
  // weighted (0.22, 0.33, 0.26...).
  const std::vector<int64_t> truth = {0, 1, 2, 0, 1, 2};      // cat dog pig cat dog pig
  const std::vector<int64_t> predicted = {0, 2, 1, 0, 0, 1};  // cat pig dog cat cat dog
  const ClassificationScores s = classification_scores(predicted, truth);
  EXPECT_NEAR(s.macro_precision, 2.0 / 9.0, 1e-12);
  EXPECT_NEAR(s.macro_recall, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.macro_f1, 0.8 / 3.0, 1e-12);
  EXPECT_NEAR(s.weighted_precision, 2.0 / 9.0, 1e-12);
  EXPECT_NEAR(s.weighted_recall, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.weighted_f1, 0.8 / 3.0, 1e-12);
}

TEST(Metrics, ClassesAbsentFromDataAreLeftOutOfMacroAverages) {
  // Class 1 of 3 appears nowhere: averaging its undefined 0s would halve a perfect score.
  ConfusionMatrix matrix(3);
  matrix.add(std::vector<int64_t>{0, 2, 2}, std::vector<int64_t>{0, 2, 2});
  const ClassificationScores s = matrix.scores();
  EXPECT_DOUBLE_EQ(s.macro_precision, 1.0);
  EXPECT_DOUBLE_EQ(s.macro_recall, 1.0);
  EXPECT_DOUBLE_EQ(s.macro_f1, 1.0);
  EXPECT_DOUBLE_EQ(s.precision[1], 0.0);
}

TEST(Metrics, ClassificationReportIsSklearnsTextExactly) {
  const std::string expected =
      "              precision    recall  f1-score   support\n"
      "\n"
      "     class 0       0.50      1.00      0.67         1\n"
      "     class 1       0.00      0.00      0.00         1\n"
      "     class 2       1.00      0.67      0.80         3\n"
      "\n"
      "    accuracy                           0.60         5\n"
      "   macro avg       0.50      0.56      0.49         5\n"
      "weighted avg       0.70      0.60      0.61         5\n";
  EXPECT_EQ(classification_report(kReportPredicted, kReportTruth,
                                  {"class 0", "class 1", "class 2"}),
            expected);
}

TEST(Metrics, ClassificationReportWidensForLongNamesAndDigits) {
  const std::string report = classification_report(
      std::vector<int64_t>{0, 1}, std::vector<int64_t>{0, 1}, {"a very long class", "b"}, 3);
  EXPECT_NE(report.find("a very long class      1.000     1.000     1.000         1\n"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("         accuracy                          1.000         2\n"),
            std::string::npos)
      << report;
}

TEST(Metrics, StreamingMatrixEqualsOneShot) {
  ConfusionMatrix streaming(3);
  streaming.add(std::vector<int64_t>{0, 0}, std::vector<int64_t>{0, 1});
  streaming.add(std::vector<int64_t>{2, 2, 1}, std::vector<int64_t>{2, 2, 2});
  EXPECT_EQ(streaming.counts(), confusion_matrix(kReportPredicted, kReportTruth, 3).counts());
  EXPECT_DOUBLE_EQ(streaming.accuracy(), 0.6);
  EXPECT_DOUBLE_EQ(streaming.f1(2), 0.8);

  ConfusionMatrix other(3);
  other.add_one(1, 1);
  streaming.merge(other);
  EXPECT_EQ(streaming.total(), 6);
  EXPECT_EQ(streaming.count(1, 1), 1);
  EXPECT_THROW(streaming.merge(ConfusionMatrix(2)), ShapeError);
  streaming.reset();
  EXPECT_EQ(streaming.total(), 0);
  EXPECT_DOUBLE_EQ(streaming.accuracy(), 0.0);
}

TEST(Metrics, FormatConfusionMatrixAlignsColumns) {
  const std::vector<std::vector<int64_t>> counts = {{12, 0, 3}, {1, 7, 0}, {0, 250, 9}};
  const std::string expected =
      "true \\ pred  cat  dog  bird\n"
      "        cat   12    0     3\n"
      "        dog    1    7     0\n"
      "       bird    0  250     9\n";
  EXPECT_EQ(format_confusion_matrix(counts, {"cat", "dog", "bird"}), expected);
  EXPECT_THROW(format_confusion_matrix(counts, {"cat", "dog"}), ShapeError);
  // Without names, classes are numbered.
  EXPECT_EQ(format_confusion_matrix(std::vector<std::vector<int64_t>>{{1, 0}, {2, 3}}),
            "true \\ pred  0  1\n          0  1  0\n          1  2  3\n");
}

TEST(Metrics, LogLossMatchesSklearnExample) {
  // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
  // = 0.21616... (ham = class 0, spam = class 1).
  const std::vector<double> probabilities = {.1, .9, .9, .1, .8, .2, .35, .65};
  const double expected = -(std::log(.9) + std::log(.9) + std::log(.8) + std::log(.65)) / 4;
  EXPECT_NEAR(expected, 0.2161619, 1e-7);
  EXPECT_NEAR(log_loss(probabilities, 2, {1, 0, 0, 1}), expected, 1e-12);
}

TEST(Metrics, LogLossClipsCertainMistakes) {
  // p = 0 for the true class costs -log(1e-15), not infinity.
  EXPECT_NEAR(log_loss(std::vector<double>{1.0, 0.0}, 2, {1}), -std::log(1e-15), 1e-9);
  EXPECT_NEAR(log_loss(std::vector<double>{1.0, 0.0}, 2, {0}), -std::log1p(-1e-15), 1e-18);
}

TEST(Metrics, LogLossFromLogitsIsStable) {
  // Row [0, log 3]: softmax = [1/4, 3/4].
  const std::vector<double> logits = {0.0, std::log(3.0), 2.0, 2.0};
  EXPECT_NEAR(log_loss_from_logits(logits, 2, {1, 0}), -(std::log(0.75) + std::log(0.5)) / 2,
              1e-12);
  // A naive exp(1000) overflows; subtracting the row maximum does not.
  EXPECT_NEAR(log_loss_from_logits(std::vector<double>{1000.0, 0.0}, 2, {1}), 1000.0, 1e-9);
  EXPECT_NEAR(log_loss_from_logits(std::vector<double>{1000.0, 0.0}, 2, {0}), 0.0, 1e-12);
  EXPECT_THROW(log_loss_from_logits(std::vector<double>{1.0, 2.0}, 2, {2}), IndexError);
}

TEST(Metrics, TensorInputs) {
  const Tensor truth = from_vector(kReportTruth);
  const Tensor predicted = from_vector(kReportPredicted);
  EXPECT_DOUBLE_EQ(accuracy(predicted, truth), 0.6);
  EXPECT_EQ(confusion_matrix(predicted, truth).rows(),
            confusion_matrix(kReportPredicted, kReportTruth).rows());

  // Scores: argmax of each row gives the predictions [0, 0, 2, 2, 1].
  const Tensor scores = tensor({{3, 1, 0}, {2, 1, 1}, {0, 1, 5}, {0, 0, 1}, {0, 4, 2}});
  EXPECT_DOUBLE_EQ(accuracy_from_scores(scores, truth), 0.6);
  ConfusionMatrix matrix(3);
  matrix.add_scores(scores, truth);
  EXPECT_EQ(matrix.counts(), confusion_matrix(kReportPredicted, kReportTruth).counts());
  EXPECT_THROW(matrix.add_scores(tensor({{1, 2}}), from_vector(std::vector<int64_t>{0})),
               ShapeError);

  // Binary log loss from a 1-D tensor of P(class 1), and from [N,2] rows.
  const Tensor p_spam = tensor({.9, .1, .2, .65}, DType::f64);
  const Tensor spam = from_vector(std::vector<int64_t>{1, 0, 0, 1});
  EXPECT_NEAR(log_loss(p_spam, spam), 0.2161619, 1e-7);
  EXPECT_NEAR(log_loss(tensor({{.1, .9}, {.9, .1}, {.8, .2}, {.35, .65}}, DType::f64), spam),
              0.2161619, 1e-7);
  EXPECT_NEAR(log_loss_from_logits(tensor({{1000, 0}}), from_vector(std::vector<int64_t>{1})),
              1000.0, 1e-3);

  // Float labels are a mistake (scores passed as labels): DTypeError, not a silent cast.
  EXPECT_THROW(accuracy(scores, truth), DTypeError);
  EXPECT_THROW(accuracy(predicted, from_vector(std::vector<int64_t>{0, 1})), ShapeError);
}

}  // namespace
}  // namespace nabla::train
