// Smoke tests of `nabla seq2seq` and `nabla forecast` on generated data a few hundred examples
// large.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli/cli_runner.h"
#include "io/io_test_helpers.h"

namespace nabla::cli_test {
namespace {

namespace fs = std::filesystem;

void expect_scores(const nlohmann::json& result) {
  expect_number_in(result, "val_exact_match", 0.0, 1.0);
  expect_number_in(result, "val_bleu", 0.0, 1.0);
  expect_number_in(result, "train_loss", 0.0, 10.0);
}

TEST(CliSeq2seq, TrainsAnAttentionModelAndScoresItWithBeamSearch) {
  io::test_helpers::ScratchDir scratch;
  const CliRun run = run_nabla(scratch.dir(), {"seq2seq", "--data", "dates", "--variant", "attention", "--train-size",
                                               "300", "--val-size", "50", "--epochs", "2", "--hidden", "16",
                                               "--beam-width", "2", "--beam-examples", "10", "--heatmaps", "1",
                                               "--threads", "1", "--out", "run"});
  EXPECT_RAN(run);
  EXPECT_NE(run.out.find("dates: 300 training and 50 validation questions"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("attention  epoch 2/2  loss "), std::string::npos) << run.out;
  const nlohmann::json result = last_json_line(run.out);
  expect_scores(result);
  expect_number_in(result, "beam_exact_match", 0.0, 1.0);
  EXPECT_EQ(result.at("beam_examples"), 10);
  for (const char* file : {"model.safetensors", "metrics.csv", "attention_0.png"})
    EXPECT_TRUE(fs::exists(fs::path(scratch.dir()) / "run" / file)) << file;
  EXPECT_FALSE(fs::exists(fs::path(scratch.dir()) / "run" / "attention_1.png"));
}

TEST(CliSeq2seq, CompareTrainsEveryVariantAndPrintsTheTable) {
  io::test_helpers::ScratchDir scratch;
  const CliRun run = run_nabla(scratch.dir(), {"seq2seq", "--data", "addition", "--compare", "--train-size", "200",
                                               "--val-size", "40", "--epochs", "1", "--hidden", "8",
                                               "--embedding", "4", "--batch-size", "50", "--threads", "1", "--out",
                                               "compare"});
  EXPECT_RAN(run);
  EXPECT_NE(run.out.find("| addition, 1 epoch, hidden 8 | val exact match | val BLEU-4 | parameters | s / epoch |"),
            std::string::npos)
      << run.out;
  for (const std::string variant : {"plain", "reverse", "peeky", "reverse-peeky", "attention"}) {
    EXPECT_NE(run.out.find("\n| " + variant + " | "), std::string::npos) << variant;
    EXPECT_TRUE(fs::exists(fs::path(scratch.dir()) / "compare" / variant / "model.safetensors")) << variant;
  }
  expect_scores(last_json_line(run.out));
}

TEST(CliSeq2seq, AResumedRunEndsWithTheWeightsOfAnUninterruptedOneAndItsModelReloads) {
  io::test_helpers::ScratchDir scratch;
  const std::vector<std::string> common = {"seq2seq", "--data", "dates", "--variant", "attention", "--train-size",
                                           "300", "--val-size", "50", "--hidden", "16", "--heatmaps", "0",
                                           "--threads", "1"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_nabla(scratch.dir(), args);
  };
  EXPECT_RAN(with({"--epochs", "2", "--out", "straight"}));
  EXPECT_RAN(with({"--epochs", "1", "--out", "resumed"}));
  const CliRun resumed = with({"--epochs", "2", "--resume", "--out", "resumed"});
  EXPECT_RAN(resumed);
  EXPECT_EQ(resumed.out.find("epoch 1/2"), std::string::npos) << resumed.out;  // epoch 1 is not trained again
  const fs::path dir(scratch.dir());
  EXPECT_EQ(read_text(dir / "straight" / "model.safetensors"), read_text(dir / "resumed" / "model.safetensors"));

  const CliRun scored = with({"--model-file", "straight/model.safetensors", "--out", "scored"});
  EXPECT_RAN(scored);
  const nlohmann::json trained = last_json_line(resumed.out), reloaded = last_json_line(scored.out);
  EXPECT_EQ(reloaded.at("val_exact_match"), trained.at("val_exact_match"));
  EXPECT_EQ(reloaded.at("val_bleu"), trained.at("val_bleu"));
  EXPECT_EQ(reloaded.at("hidden"), 16);
  EXPECT_FALSE(reloaded.contains("train_loss"));

  const CliRun wrong_task = run_nabla(scratch.dir(), {"seq2seq", "--data", "addition", "--train-size", "300",
                                                      "--val-size", "50", "--model-file",
                                                      "straight/model.safetensors", "--out", "x"});
  expect_one_line_error(wrong_task, "a model for 'dates', not for --data addition");
  const CliRun not_seq2seq = run_nabla(scratch.dir(), {"seq2seq", "--data", "dates", "--train-size", "300",
                                                       "--val-size", "50", "--model-file",
                                                       "straight/checkpoint.safetensors", "--out", "y"});
  expect_one_line_error(not_seq2seq, "not a seq2seq model (no 'task' in its metadata)");
}

TEST(CliForecast, ScoresTheLstmAgainstBothBaselinesAndWritesTheRun) {
  io::test_helpers::ScratchDir scratch;
  const CliRun run = run_nabla(scratch.dir(), {"forecast", "--campaigns", "2", "--days", "200", "--window", "14",
                                               "--horizon", "7", "--test-days", "28", "--epochs", "1", "--hidden",
                                               "8", "--plots", "1", "--threads", "1", "--out", "run"});
  EXPECT_RAN(run);
  EXPECT_NE(run.out.find("2 campaigns (generated), "), std::string::npos) << run.out;
  for (const char* row : {"| LSTM | ", "| seasonal naive (7 days) | ", "| moving average (7 days) | "})
    EXPECT_NE(run.out.find(row), std::string::npos) << row;
  const nlohmann::json result = last_json_line(run.out);
  for (const char* method : {"lstm", "seasonal_naive", "moving_average"}) {
    expect_number_in(result.at(method), "impressions_mae", 0.0, 1e6);
    expect_number_in(result.at(method), "clicks_smape", 0.0, 200.0);  // sMAPE is at most 200%
  }
  const fs::path out = fs::path(scratch.dir()) / "run";
  EXPECT_EQ(nlohmann::json::parse(read_text(out / "metrics.json")), result);
  for (const char* file : {"ad_series.csv", "model.safetensors", "forecast_campaign_01_impressions.svg",
                           "forecast_campaign_01_clicks.svg"})
    EXPECT_TRUE(fs::exists(out / file)) << file;
}

TEST(CliForecast, AResumedRunEndsWithTheWeightsOfAnUninterruptedOneAndItsModelScoresAgain) {
  io::test_helpers::ScratchDir scratch;
  auto forecast = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"forecast", "--campaigns", "2", "--days", "200", "--window", "14", "--horizon",
                                     "7", "--test-days", "28", "--hidden", "8", "--plots", "0", "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_nabla(scratch.dir(), args);
  };
  const CliRun straight = forecast({"--epochs", "2", "--out", "straight"});
  EXPECT_RAN(straight);
  EXPECT_RAN(forecast({"--epochs", "1", "--out", "resumed"}));
  const CliRun resumed = forecast({"--epochs", "2", "--resume", "--out", "resumed"});
  EXPECT_RAN(resumed);
  EXPECT_EQ(resumed.out.find("epoch 1/2"), std::string::npos) << resumed.out;
  const fs::path dir(scratch.dir());
  EXPECT_EQ(read_text(dir / "straight" / "model.safetensors"), read_text(dir / "resumed" / "model.safetensors"));
  EXPECT_EQ(last_json_line(resumed.out).at("lstm"), last_json_line(straight.out).at("lstm"));

  const CliRun scored = forecast({"--model-file", "straight/model.safetensors", "--out", "scored"});
  EXPECT_RAN(scored);
  EXPECT_EQ(last_json_line(scored.out).at("lstm"), last_json_line(straight.out).at("lstm"));
  expect_one_line_error(run_nabla(scratch.dir(), {"forecast", "--campaigns", "2", "--days", "200", "--window", "21",
                                                  "--horizon", "7", "--test-days", "28", "--model-file",
                                                  "straight/model.safetensors", "--out", "x"}),
                        "trained with window 14 and horizon 7, not the 21 and 7 asked for");
  expect_one_line_error(forecast({"--model-file", "straight/checkpoint.safetensors", "--out", "y"}),
                        "not a forecaster written by `nabla forecast`");
}

}  // namespace
}  // namespace nabla::cli_test
