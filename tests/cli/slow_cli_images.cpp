// Smoke tests of the image commands on 1,000 training and 300 test images of Fashion-MNIST:
// `nabla train` once for the suite, then eval, filters, misclassified, features and summary on
// what it wrote.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <regex>
#include <string>

#include "cli/cli_runner.h"
#include "io/io_test_helpers.h"

namespace nabla::cli_test {
namespace {

namespace fs = std::filesystem;

class CliImages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(data::kFashionMnistDir)) return;
    scratch_ = std::make_unique<io::test_helpers::ScratchDir>();
    fs::create_directory(data_dir());
    write_fashion_mnist_slice(data_dir(), true, 1000);
    write_fashion_mnist_slice(data_dir(), false, 300);
    trained_ = std::make_unique<CliRun>(run_nabla(dir(), {"train", "--model", "mlp", "--hidden", "32", "--epochs", "2",
                                            "--data-dir", data_dir().string(), "--threads", "1", "--no-progress",
                                            "--out", "run"}));
  }
  static void TearDownTestSuite() {
    trained_.reset();
    scratch_.reset();
  }
  void SetUp() override {
    SKIP_UNLESS_INSTALLED(data::kFashionMnistDir, "dataset-fashion-mnist");
    ASSERT_EQ(trained_->exit_code, 0) << trained_->err;
  }

  static fs::path dir() { return scratch_->dir(); }
  static fs::path data_dir() { return dir() / "fashion-mnist"; }
  static std::string model_file() { return (dir() / "run" / "model.safetensors").string(); }

  inline static std::unique_ptr<io::test_helpers::ScratchDir> scratch_;
  inline static std::unique_ptr<CliRun> trained_;  // `nabla train`, run once for the suite
};

// "wrote PATH (WxH): ..." and the PNG there.
void expect_picture(const CliRun& run, const fs::path& dir, const std::string& file) {
  EXPECT_RAN(run);
  const std::regex wrote("^wrote " + file + " \\(([0-9]+)x([0-9]+)\\): .*, [0-9]+ ms\n$");
  std::smatch size;
  ASSERT_TRUE(std::regex_match(run.out, size, wrote)) << run.out;
  EXPECT_GT(std::stoi(size[1]), 28);
  EXPECT_GT(std::stoi(size[2]), 28);
  EXPECT_EQ(read_text(dir / file).substr(0, 8), "\x89PNG\r\n\x1a\n");
}

TEST_F(CliImages, TrainReportsTestAccuracyAndWritesTheRun) {
  const nlohmann::json result = last_json_line(trained_->out);
  expect_number_in(result, "test_accuracy", 0.3, 1.0);  // two epochs of an mlp beat chance (0.1) easily
  expect_number_in(result, "val_accuracy", 0.3, 1.0);
  expect_number_in(result, "test_loss", 0.0, 2.3);      // below the loss of uniform guesses, ln 10
  EXPECT_EQ(result.at("epochs"), 2);
  EXPECT_EQ(result.at("params"), 784 * 32 + 32 + 32 * 10 + 10);
  EXPECT_EQ(result.at("threads"), 1);
  for (const char* file : {"model.safetensors", "checkpoint.safetensors", "metrics.csv", "curves.svg"})
    EXPECT_TRUE(fs::exists(dir() / "run" / file)) << file;
}

TEST_F(CliImages, EvalReproducesTheAccuracyTrainReported) {
  const CliRun run = run_nabla(dir(), {"eval", "--model-file", model_file(), "--data-dir", data_dir().string(),
                                       "--threads", "1"});
  EXPECT_RAN(run);
  EXPECT_NE(run.out.find("fashion-mnist test set, 300 images, model mlp"), std::string::npos) << run.out;
  EXPECT_NEAR(number_after(run.out, "\naccuracy "), last_json_line(trained_->out).at("test_accuracy").get<double>(),
              1e-4);
  EXPECT_NE(run.out.find("confusion matrix"), std::string::npos);
}

TEST_F(CliImages, EvalReadsTheDataSetsDebianLocationByDefault) {
  const CliRun run = run_nabla(dir(), {"eval", "--model-file", model_file(), "--threads", "1"});
  EXPECT_RAN(run);
  EXPECT_NE(run.out.find("fashion-mnist test set, 10000 images"), std::string::npos) << run.out;
  const double accuracy = number_after(run.out, "\naccuracy ");
  EXPECT_GT(accuracy, 0.3);
  EXPECT_LE(accuracy, 1.0);
}

TEST_F(CliImages, FiltersDrawsTrainedAndFreshlyInitialisedWeights) {
  expect_picture(run_nabla(dir(), {"filters", "--model-file", model_file(), "--out", "trained.png"}), dir(),
                 "trained.png");
  expect_picture(run_nabla(dir(), {"filters", "--model", "simplecnn", "--seed", "1", "--out", "fresh.png"}), dir(),
                 "fresh.png");
}

TEST_F(CliImages, MisclassifiedDrawsWrongTestImages) {
  const CliRun run = run_nabla(dir(), {"misclassified", "--model-file", model_file(), "--data-dir",
                                       data_dir().string(), "--count", "6", "--out", "wrong.png"});
  expect_picture(run, dir(), "wrong.png");
  EXPECT_NE(run.out.find(": 6 of "), std::string::npos) << run.out;
}

TEST_F(CliImages, FeaturesDrawsOneLayerAndNamesTheLayersOfAWrongOne) {
  expect_picture(run_nabla(dir(), {"features", "--model-file", model_file(), "--layer", "1", "--index", "2",
                                   "--data-dir", data_dir().string(), "--out", "maps.png"}),
                 dir(), "maps.png");
  const CliRun wrong = run_nabla(dir(), {"features", "--model-file", model_file(), "--layer", "9", "--data-dir",
                                         data_dir().string()});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err_lines().at(0), "nabla: features: model mlp has no layer '9'; its layers are:");
}

TEST_F(CliImages, SummaryCountsTheParameters) {
  const CliRun run = run_nabla(dir(), {"summary", "--model", "mlp", "--hidden", "32"});
  EXPECT_RAN(run);
  EXPECT_NE(run.out.find("Total params: 25,450\n"), std::string::npos) << run.out;  // 784*32+32 + 32*10+10
}

}  // namespace
}  // namespace nabla::cli_test
