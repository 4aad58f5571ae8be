// The command line itself: --help lists every command, --version the project's version, and a
// bad command line or a failing command ends with a non-zero exit and one line saying why.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "io/io_test_helpers.h"

namespace nabla::cli_test {
namespace {

const std::vector<std::string> kCommands = {"train",   "eval",     "filters", "misclassified", "features",
                                            "summary", "seq2seq",  "forecast", "gpt",          "bert",
                                            "word2vec", "similar", "lm",      "lm-sample"};

TEST(CliArguments, HelpListsEveryCommandWithItsHelpLine) {
  io::test_helpers::ScratchDir scratch;
  const CliRun run = run_nabla(scratch.dir(), {"--help"});
  EXPECT_RAN(run);
  for (const std::string& command : kCommands)
    EXPECT_TRUE(std::regex_search(run.out, std::regex("\n  " + command + " +[a-zA-Z][^\n]+\n"))) << command;
}

TEST(CliArguments, VersionIsTheProjectVersion) {
  io::test_helpers::ScratchDir scratch;
  const CliRun run = run_nabla(scratch.dir(), {"--version"});
  EXPECT_RAN(run);
  EXPECT_EQ(run.out, "nabla " NABLA_PROJECT_VERSION "\n");  // CMake's project version, read from version.h
}

TEST(CliArguments, EveryCommandHasHelpAndRejectsAnUnknownOption) {
  io::test_helpers::ScratchDir scratch;
  for (const std::string& command : kCommands) {
    SCOPED_TRACE(command);
    const CliRun help = run_nabla(scratch.dir(), {command, "--help"});
    EXPECT_RAN(help);
    EXPECT_NE(help.out.find("Usage: "), std::string::npos);
    // The first thing wrong is reported: a missing required option comes before the unknown one.
    expect_one_line_error(run_nabla(scratch.dir(), {command, "--no-such-option"}), "");
  }
}

TEST(CliArguments, BadValuesAndMissingOptionsAreOneLine) {
  io::test_helpers::ScratchDir scratch;
  expect_one_line_error(run_nabla(scratch.dir(), {"train", "--no-such-option"}), "--no-such-option");
  expect_one_line_error(run_nabla(scratch.dir(), {}), "A subcommand is required");
  expect_one_line_error(run_nabla(scratch.dir(), {"trian"}), "unknown command 'trian'; the commands are train, ");
  expect_one_line_error(run_nabla(scratch.dir(), {"train", "--epochs", "0"}), "--epochs: 0 is not a positive number");
  expect_one_line_error(run_nabla(scratch.dir(), {"train", "--optimizer", "adamx"}), "--optimizer");
  expect_one_line_error(run_nabla(scratch.dir(), {"train", "--threads", "-1"}), "--threads: -1 is not a number >= 0");
  expect_one_line_error(run_nabla(scratch.dir(), {"train", "--data", "cifar"}), "--data");
  expect_one_line_error(run_nabla(scratch.dir(), {"eval"}), "--model-file is required");
  expect_one_line_error(run_nabla(scratch.dir(), {"eval", "--model-file", "missing.safetensors"}), "--model-file");
  expect_one_line_error(run_nabla(scratch.dir(), {"seq2seq", "--data", "french"}), "--data");
  expect_one_line_error(run_nabla(scratch.dir(), {"lm", "--level", "byte"}), "--level");
  expect_one_line_error(run_nabla(scratch.dir(), {"similar", "--word", "a", "--analogy", "a:b::c:?"}), "excludes");
}

TEST(CliArguments, ALibraryErrorIsOneLineNamingWhatWentWrong) {
  io::test_helpers::ScratchDir scratch;
  const CliRun no_data = run_nabla(scratch.dir(), {"train", "--data-dir", scratch.dir(), "--no-progress"});
  EXPECT_EQ(no_data.exit_code, 1);
  ASSERT_EQ(no_data.err_lines().size(), 1u) << no_data.err;
  EXPECT_EQ(no_data.err_lines()[0].rfind("nabla: load_fashion_mnist: missing " + scratch.dir(), 0), 0u)
      << no_data.err;

  const CliRun neither = run_nabla(scratch.dir(), {"filters"});
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_EQ(neither.err, "nabla: filters: give --model-file (trained weights) or --model (a freshly initialised model)\n");

  const CliRun no_glosses = run_nabla(scratch.dir(), {"lm", "--data-dir", scratch.dir()});
  EXPECT_EQ(no_glosses.exit_code, 1);
  EXPECT_EQ(no_glosses.err, "nabla: load_wordnet_glosses: cannot open " + scratch.dir() +
                                "/data.noun (install wordnet-base)\n");
}

}  // namespace
}  // namespace nabla::cli_test
