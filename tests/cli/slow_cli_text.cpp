// Smoke tests of the WordNet commands (gpt, bert, word2vec with similar, lm with lm-sample) on the
// first 150 synsets of each of WordNet's four data files, about 600 glosses.
#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/cli_runner.h"
#include "io/io_test_helpers.h"

namespace nabla::cli_test {
namespace {

namespace fs = std::filesystem;

class CliText : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = std::make_unique<io::test_helpers::ScratchDir>();
    fs::create_directory(wordnet());
    write_wordnet_slice(wordnet(), 150);
  }
  static void TearDownTestSuite() { scratch_.reset(); }
  void SetUp() override { SKIP_UNLESS_INSTALLED(data::kWordNetDirectory, "wordnet-base"); }

  static fs::path dir() { return scratch_->dir(); }
  static fs::path wordnet() { return dir() / "wordnet"; }
  // `nabla command --data-dir <the slice> --threads 1 args...`
  static CliRun run(const std::string& command, std::vector<std::string> args) {
    args.insert(args.begin(), {command, "--data-dir", wordnet().string(), "--threads", "1"});
    return run_nabla(dir(), args);
  }

  inline static std::unique_ptr<io::test_helpers::ScratchDir> scratch_;
};

TEST_F(CliText, GptTrainsSamplesAndSamplesAgainFromTheSavedModel) {
  const CliRun trained = run("gpt", {"--context", "16", "--layers", "1", "--d-model", "16", "--heads", "2",
                                     "--batch-size", "16", "--val-windows", "20", "--tokens", "40", "--no-progress",
                                     "--out", "gpt"});
  EXPECT_RAN(trained);
  const nlohmann::json result = last_json_line(trained.out);
  const double uniform_loss = std::log(result.at("vocab_size").get<double>());
  expect_number_in(result, "val_loss", 0.5, uniform_loss);  // it learnt something about characters
  EXPECT_NEAR(result.at("val_bpc").get<double>(), result.at("val_loss").get<double>() / std::log(2.0), 1e-9);
  const std::string sample = result.at("sample");
  EXPECT_EQ(sample.substr(0, 2), "a ");  // the default prompt, then 40 characters
  EXPECT_EQ(sample.size(), 42u);
  EXPECT_EQ(read_text(dir() / "gpt" / "sample.txt"), sample + "\n");
  EXPECT_TRUE(fs::exists(dir() / "gpt" / "metrics.csv"));

  const CliRun again = run_nabla(dir(), {"gpt", "--model-file", (dir() / "gpt" / "model.safetensors").string(),
                                         "--tokens", "20", "--prompt", "the "});
  EXPECT_RAN(again);
  const nlohmann::json sampled = last_json_line(again.out);
  EXPECT_EQ(sampled.at("params"), result.at("params"));
  EXPECT_EQ(sampled.at("sample").get<std::string>().size(), 24u);
}

TEST_F(CliText, BertReportsMaskedAccuracyAndFillsInSentences) {
  const CliRun trained = run("bert", {"--context", "12", "--layers", "1", "--d-model", "16", "--heads", "2",
                                      "--batch-size", "16", "--examples", "2", "--no-progress", "--out", "bert"});
  EXPECT_RAN(trained);
  const nlohmann::json result = last_json_line(trained.out);
  expect_number_in(result, "val_masked_accuracy", 0.0, 1.0);
  expect_number_in(result, "val_loss", 0.0, std::log(result.at("vocab_size").get<double>()) + 1);
  ASSERT_EQ(result.at("examples").size(), 2u);
  for (const auto& example : result.at("examples")) {
    EXPECT_NE(example.at("sentence").get<std::string>().find("[MASK]"), std::string::npos);
    EXPECT_EQ(example.at("guesses").size(), 3u);
  }
  EXPECT_TRUE(fs::exists(dir() / "bert" / "model.safetensors"));
}

TEST_F(CliText, BertResumesFromItsCheckpointAndContinuesItsLog) {
  // (Whether a resumed run is bit-identical to an uninterrupted one is the Trainer's unit test: a
  // run of one epoch cannot stand in for an interrupted run of two here, since the learning-rate
  // schedule spans all the run's steps.)
  const std::vector<std::string> model = {"--context", "12", "--layers", "1", "--d-model", "16", "--heads", "2",
                                          "--batch-size", "16", "--examples", "0", "--no-progress", "--out", "bert-resumed"};
  auto bert = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), model.begin(), model.end());
    return run("bert", extra);
  };
  EXPECT_RAN(bert({"--epochs", "1"}));
  const std::string first_row = read_text(dir() / "bert-resumed" / "metrics.csv");
  const CliRun resumed = bert({"--epochs", "2", "--resume"});
  EXPECT_RAN(resumed);
  EXPECT_EQ(resumed.err.find("epoch 1:"), std::string::npos) << resumed.err;  // epoch 1 is not trained again
  EXPECT_NE(resumed.err.find("epoch 2:"), std::string::npos) << resumed.err;
  const std::string log = read_text(dir() / "bert-resumed" / "metrics.csv");
  EXPECT_EQ(log.substr(0, first_row.size()), first_row);
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3);  // the header and two epochs
  EXPECT_EQ(last_json_line(resumed.out).at("epochs"), 2);
}

TEST_F(CliText, Word2vecVectorsAnswerSimilarWordsAndAnalogies) {
  const CliRun trained = run("word2vec", {"--dim", "8", "--epochs", "1", "--min-count", "2", "--batch-size", "256",
                                          "--out", "w2v"});
  EXPECT_RAN(trained);
  EXPECT_NE(trained.out.find("epoch 1/1  loss "), std::string::npos) << trained.out;
  EXPECT_NE(trained.out.find("wrote w2v/model.safetensors and w2v/vocabulary.json"), std::string::npos);

  const CliRun nearest = run_nabla(dir(), {"similar", "--model-file", "w2v/model.safetensors", "--word", "of", "--top", "3"});
  EXPECT_RAN(nearest);
  const std::vector<std::string> lines = CliRun::lines_of(nearest.out);
  ASSERT_EQ(lines.size(), 4u) << nearest.out;
  EXPECT_EQ(lines[0], "nearest to 'of':");
  for (size_t i = 1; i < lines.size(); ++i) {
    const double cosine = std::stod(lines[i].substr(lines[i].find_last_of(' ')));
    EXPECT_GE(cosine, -1.0);
    EXPECT_LE(cosine, 1.0);
  }
  const CliRun analogy = run_nabla(dir(), {"similar", "--model-file", "w2v/model.safetensors", "--analogy", "a:of::the:?", "--top", "2"});
  EXPECT_RAN(analogy);
  EXPECT_EQ(CliRun::lines_of(analogy.out).size(), 3u) << analogy.out;
}

TEST_F(CliText, LmReportsPerplexityAndLmSampleContinuesAPrompt) {
  const CliRun trained = run("lm", {"--max-documents", "200", "--embedding", "16", "--hidden", "16", "--layers", "1",
                                    "--epochs", "1", "--bptt", "10", "--batch-size", "8", "--tokens", "10",
                                    "--val-fraction", "0.1", "--out", "lm"});
  EXPECT_RAN(trained);
  EXPECT_NE(trained.out.find("lm (word): 180 training glosses"), std::string::npos) << trained.out;
  const nlohmann::json result = last_json_line(trained.out);
  expect_number_in(result, "validation_perplexity", 1.0, result.at("vocab").get<double>());  // beats uniform

  const CliRun sampled = run_nabla(dir(), {"lm-sample", "--model-file", "lm/model.safetensors", "--prompt", "a", "--tokens", "5",
                                           "--samples", "2", "--seed", "1"});
  EXPECT_RAN(sampled);
  EXPECT_EQ(sampled.out.rfind("--- sample 1\na ", 0), 0u) << sampled.out;
  EXPECT_NE(sampled.out.find("\n--- sample 2\na "), std::string::npos) << sampled.out;
}

}  // namespace
}  // namespace nabla::cli_test
