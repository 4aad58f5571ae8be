// Run directories, on 1,000 training and 300 test images of Fashion-MNIST: each run gets a new
// one unless --out names one, a run is never overwritten without --resume or --force, the
// config.toml it keeps repeats the run, resuming with another model is refused by name, and Ctrl-C
// leaves a run that continues.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_runner.h"
#include "io/io_test_helpers.h"

namespace nabla::cli_test {
namespace {

namespace fs = std::filesystem;

class CliRuns : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_UNLESS_INSTALLED(data::kFashionMnistDir, "dataset-fashion-mnist");
    fs::create_directory(data_dir());
    write_fashion_mnist_slice(data_dir(), true, 1000);
    write_fashion_mnist_slice(data_dir(), false, 300);
  }

  fs::path dir() const { return scratch_.dir(); }
  fs::path data_dir() const { return dir() / "fashion-mnist"; }
  // `nabla train` of a small mlp for 2 epochs on the slice, with `extra` options.
  CliRun train(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"train", "--hidden", "32", "--epochs", "2", "--data-dir", data_dir().string(),
                                     "--threads", "1", "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_nabla(dir(), args);
  }

  io::test_helpers::ScratchDir scratch_;
};

TEST_F(CliRuns, EachRunWithoutOutGetsANewDirectory) {
  for (const std::string expected : {"runs/mlp-1", "runs/mlp-2"}) {
    const CliRun run = train({});
    EXPECT_RAN(run);
    EXPECT_EQ(last_json_line(run.out).at("out"), expected);
    EXPECT_EQ(run.err_lines().at(0), "nabla: writing the run to " + expected + " (--out to choose)");
    for (const char* file : {"model.safetensors", "checkpoint.safetensors", "metrics.csv", "config.toml"})
      EXPECT_TRUE(fs::exists(dir() / expected / file)) << expected << "/" << file;
  }
  const CliRun cnn = run_nabla(dir(), {"train", "--model", "lenet5", "--epochs", "1", "--data-dir",
                                       data_dir().string(), "--threads", "1", "--no-progress"});
  EXPECT_RAN(cnn);
  EXPECT_EQ(last_json_line(cnn.out).at("out"), "runs/lenet5-1");
}

TEST_F(CliRuns, OutOntoARunIsRefusedWithoutResumeOrForce) {
  EXPECT_RAN(train({"--out", "run"}));
  const std::string before = read_text(dir() / "run" / "model.safetensors");
  expect_argument_error(train({"--out", "run", "--epochs", "1"}), 105,
                        "--out run holds a run already: add --resume to continue it, --force to overwrite it, or "
                        "name a new directory");
  EXPECT_EQ(read_text(dir() / "run" / "model.safetensors"), before);  // untouched

  const CliRun forced = train({"--out", "run", "--epochs", "1", "--force"});
  EXPECT_RAN(forced);
  EXPECT_EQ(last_json_line(forced.out).at("epochs"), 1);
  const CliRun resumed = train({"--out", "run", "--epochs", "3", "--resume"});
  EXPECT_RAN(resumed);
  EXPECT_EQ(last_json_line(resumed.out).at("epochs"), 3);
}

TEST_F(CliRuns, TheConfigOfARunRepeatsIt) {
  const CliRun first = train({"--lr", "0.003", "--optimizer", "momentum", "--momentum", "0.8", "--augment", "flip",
                              "--seed", "7", "--out", "first"});
  EXPECT_RAN(first);
  const std::string config = read_text(dir() / "first" / "config.toml");
  for (const std::string line : {"[train]\n", "\nlr=0.003\n", "\nhidden=32\n", "\nseed=7\n", "\nmomentum=0.8\n",
                                 "\naugment=\"flip\"\n", "\nepochs=2\n", "\nbatch-size=100\n"})
    EXPECT_NE(config.find(line), std::string::npos) << line << " in\n" << config;
  for (const std::string absent : {"out=", "resume=", "force="})  // where a run goes is not what it is
    EXPECT_EQ(config.find("\n" + absent), std::string::npos) << absent;

  const CliRun again = run_nabla(dir(), {"train", "--config", "first/config.toml", "--out", "again"});
  EXPECT_RAN(again);
  const nlohmann::json a = last_json_line(first.out), b = last_json_line(again.out);
  EXPECT_EQ(b.at("test_accuracy"), a.at("test_accuracy"));
  EXPECT_EQ(b.at("test_loss"), a.at("test_loss"));
  EXPECT_EQ(read_text(dir() / "again" / "model.safetensors"), read_text(dir() / "first" / "model.safetensors"));
  EXPECT_EQ(read_text(dir() / "again" / "config.toml").substr(config.find('\n')),
            config.substr(config.find('\n')));  // the same but for the first line, which names the file

  // An option on the command line wins over the file.
  const CliRun shorter = run_nabla(dir(), {"train", "--config", "first/config.toml", "--epochs", "1", "--out", "one"});
  EXPECT_RAN(shorter);
  EXPECT_EQ(last_json_line(shorter.out).at("epochs"), 1);
}

TEST_F(CliRuns, ResumingWithAnotherModelSaysWhoseCheckpointItIs) {
  EXPECT_RAN(train({"--out", "run"}));
  const CliRun other = run_nabla(dir(), {"train", "--model", "simplecnn", "--epochs", "3", "--data-dir",
                                         data_dir().string(), "--no-progress", "--out", "run", "--resume"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_EQ(other.err, "nabla: run/checkpoint.safetensors: this checkpoint belongs to another model: nabla.hidden 32 "
                       "(this run: 100,100), nabla.model mlp (this run: simplecnn); resume with the options it was "
                       "trained with\n");
}

}  // namespace
}  // namespace nabla::cli_test

namespace nabla::cli_test {
namespace {

// Ctrl-C from outside, as a user gives it: SIGINT to a `nabla train` once its event log shows it
// training. It finishes the step, writes the checkpoint, exits 130 and prints the command that
// continues the run; that command resumes and completes it.
TEST_F(CliRuns, CtrlCWritesACheckpointAndPrintsTheCommandThatContinues) {
  const fs::path out = dir() / "runs" / "long";
  const std::vector<std::string> options = {"--hidden", "32", "--data-dir", data_dir().string(), "--threads", "1",
                                            "--no-progress", "--out", out.string()};
  std::vector<std::string> args = {"train", "--epochs", "100000"};
  args.insert(args.end(), options.begin(), options.end());
  const StartedNabla started = start_nabla(dir(), args);
  // Wait for the first epoch's line, then interrupt (100,000 epochs would take hours).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (read_text(out / "events.jsonl").find("\"event\":\"epoch\"") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(started.pid, SIGINT);
  const CliRun interrupted = wait_for(started);
  ASSERT_EQ(interrupted.exit_code, 130) << interrupted.err;
  const std::vector<std::string> lines = interrupted.err_lines();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines[lines.size() - 2].find("nabla: interrupted in epoch"), std::string::npos) << interrupted.err;
  const std::string resume = "nabla: continue with: nabla train --config " + (out / "config.toml").string() +
                             " --out " + out.string() + " --resume";
  EXPECT_EQ(lines.back(), resume);
  EXPECT_TRUE(fs::exists(out / "checkpoint.safetensors"));

  // The printed command, with --epochs cut down to the epoch it stopped in, completes that epoch.
  const int64_t stopped_in = std::stoll(lines[lines.size() - 2].substr(lines[lines.size() - 2].find("epoch ") + 6));
  const CliRun resumed = run_nabla(dir(), {"train", "--config", (out / "config.toml").string(), "--out", out.string(),
                                           "--resume", "--epochs", std::to_string(stopped_in)});
  EXPECT_RAN(resumed);
  EXPECT_EQ(last_json_line(resumed.out).at("epochs"), stopped_in);
}

}  // namespace
}  // namespace nabla::cli_test
