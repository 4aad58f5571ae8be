// The command line itself: --help lists every command and shows every option's default,
// --version the project's version; a bad command line ends with the exit status of its kind of
// mistake (README, "Exit status") and one line saying what is wrong, with a suggestion for a near
// miss; options that would do nothing are refused; a failing command ends with status 1 and one
// line saying why. None of these runs anything long: each exits before any training.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_runner.h"
#include "io/io_test_helpers.h"

namespace nabla::cli_test {
namespace {

const std::vector<std::string> kCommands = {"train",   "eval",     "filters", "misclassified", "features",
                                            "summary", "seq2seq",  "forecast", "gpt",          "bert",
                                            "word2vec", "similar", "lm",      "lm-sample"};
const std::string kCommandList =
    "train, eval, filters, misclassified, features, summary, seq2seq, forecast, gpt, bert, word2vec, similar, lm, "
    "lm-sample";

// CLI11's exit statuses, as README's "Exit status" documents them.
constexpr int kFileMissing = 103, kBadValue = 105, kMissing = 106, kRequires = 107, kExcludes = 108,
              kUnexpected = 109, kBadConfig = 110;

TEST(CliArguments, HelpListsEveryCommandWithItsHelpLine) {
  io::test_helpers::ScratchDir scratch;
  const CliRun run = run_nabla(scratch.dir(), {"--help"});
  EXPECT_RAN(run);
  for (const std::string& command : kCommands)
    EXPECT_TRUE(std::regex_search(run.out, std::regex("\n  " + command + " +[a-zA-Z][^\n]+\n"))) << command;
  EXPECT_NE(run.out.find("--config FILE"), std::string::npos) << run.out;
}

TEST(CliArguments, VersionIsTheProjectVersion) {
  io::test_helpers::ScratchDir scratch;
  const CliRun run = run_nabla(scratch.dir(), {"--version"});
  EXPECT_RAN(run);
  EXPECT_EQ(run.out, "nabla " NABLA_PROJECT_VERSION "\n");  // CMake's project version, read from version.h
}

TEST(CliArguments, EveryCommandsHelpShowsTheDefaultsAndItRejectsAnUnknownOption) {
  io::test_helpers::ScratchDir scratch;
  for (const std::string& command : kCommands) {
    SCOPED_TRACE(command);
    const CliRun help = run_nabla(scratch.dir(), {command, "--help"});
    EXPECT_RAN(help);
    EXPECT_NE(help.out.find("Usage: "), std::string::npos);
    EXPECT_EQ(help.out.find("{false}"), std::string::npos) << help.out;  // what CLI11 shows for a "!--flag"
    EXPECT_NE(help.out.find("--config FILE"), std::string::npos) << help.out;
    // The first thing wrong is reported: a missing required option comes before the unknown one.
    expect_one_line_error(run_nabla(scratch.dir(), {command, "--no-such-option"}), "");
  }
  const CliRun train = run_nabla(scratch.dir(), {"train", "--help"});
  for (const std::string shown : {"--epochs INT:POSITIVE=5 ", "--lr FLOAT:POSITIVE=0.001 ", "--model TEXT:",
                                  "}=mlp\n", "--val-fraction FLOAT:[0, 0.5]=0.1", "--hidden INT:POSITIVE=[100,100] ..."})
    EXPECT_NE(train.out.find(shown), std::string::npos) << shown << " in\n" << train.out;
  EXPECT_NE(run_nabla(scratch.dir(), {"lm", "--help"}).out.find("--data-dir TEXT=/usr/share/wordnet"),
            std::string::npos);
}

TEST(CliArguments, AMistypedCommandOrOptionGetsASuggestion) {
  io::test_helpers::ScratchDir scratch;
  expect_argument_error(run_nabla(scratch.dir(), {"trian"}), kUnexpected,
                        "unknown command 'trian'; did you mean 'train'? (the commands are " + kCommandList + ")");
  expect_argument_error(run_nabla(scratch.dir(), {"xyzzy"}), kUnexpected,
                        "unknown command 'xyzzy' (the commands are " + kCommandList + ")");
  expect_argument_error(run_nabla(scratch.dir(), {}), kMissing, "give a command: " + kCommandList);
  expect_argument_error(run_nabla(scratch.dir(), {"--epochs", "3"}), kUnexpected,
                        "--epochs comes after a command's name; the commands are " + kCommandList);
  expect_argument_error(run_nabla(scratch.dir(), {"--epochs", "3", "train"}), kUnexpected,
                        "--epochs comes after the command's name: nabla train --epochs ...");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--epoch", "3"}), kUnexpected,
                        "train has no option --epoch; did you mean '--epochs'?");
  expect_argument_error(run_nabla(scratch.dir(), {"lm-sample", "--model-dir", "runs/lm"}), kUnexpected,
                        "lm-sample has no option --model-dir; did you mean '--model-file'?");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--no-such-option"}), kUnexpected,
                        "train has no option --no-such-option");
}

TEST(CliArguments, BadValuesAreSaidInWords) {
  io::test_helpers::ScratchDir scratch;
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--epochs", "0"}), kBadValue,
                        "--epochs must be a positive integer, got 0");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--epochs", "abc"}), kBadValue,
                        "--epochs must be a positive integer, got 'abc'");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--epochs", "2.5"}), kBadValue,
                        "--epochs must be a positive integer, got 2.5");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--lr", "-1"}), kBadValue,
                        "--lr must be a positive number, got -1");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--threads", "-1"}), kBadValue,
                        "--threads must be an integer >= 0, got -1");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--seed", "-1"}), kBadValue,
                        "--seed must be an integer >= 0, got -1");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--hidden", "64,0"}), kBadValue,
                        "--hidden must be a positive integer, got 0");
  expect_argument_error(run_nabla(scratch.dir(), {"summary", "--model", "mlp", "--hidden", "64,x"}), kBadValue,
                        "--hidden must be a positive integer, got 'x'");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--val-fraction", "0.7"}), kBadValue,
                        "--val-fraction must be a number from 0 to 0.5, got 0.7");
  expect_argument_error(run_nabla(scratch.dir(), {"bert", "--context", "2"}), kBadValue,
                        "--context must be an integer from 3 to 100000, got 2");
  expect_argument_error(run_nabla(scratch.dir(), {"gpt", "--heads", "3"}), kBadValue,
                        "--heads must divide --d-model, got 3 heads for width 128");
  expect_argument_error(run_nabla(scratch.dir(), {"bert", "--d-model", "30"}), kBadValue,
                        "--heads must divide --d-model, got 4 heads for width 30");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--lr", "inf"}), kBadValue,
                        "--lr must be a positive number, got 'inf'");
  expect_one_line_error(run_nabla(scratch.dir(), {"train", "--optimizer", "adamx"}), "--optimizer");
  expect_one_line_error(run_nabla(scratch.dir(), {"train", "--data", "cifar"}), "--data");
  expect_one_line_error(run_nabla(scratch.dir(), {"seq2seq", "--data", "french"}), "--data");
  expect_one_line_error(run_nabla(scratch.dir(), {"lm", "--level", "byte"}), "--level");
  expect_argument_error(run_nabla(scratch.dir(), {"eval", "--model-file", "missing.safetensors"}), kBadValue,
                        "--model-file: File does not exist: missing.safetensors");
  expect_argument_error(run_nabla(scratch.dir(), {"similar", "--model-file", "missing.safetensors", "--word", "a"}),
                        kBadValue, "--model-file: File does not exist: missing.safetensors");
}

TEST(CliArguments, MissingAndConflictingOptionsHaveTheirOwnExitStatus) {
  io::test_helpers::ScratchDir scratch;
  std::ofstream(scratch.path("vectors.safetensors")) << "";
  expect_argument_error(run_nabla(scratch.dir(), {"eval"}), kMissing, "--model-file is required");
  expect_argument_error(run_nabla(scratch.dir(), {"filters"}), kMissing,
                        "filters: give --model-file (trained weights) or --model (a freshly initialised model)");
  expect_argument_error(run_nabla(scratch.dir(), {"similar", "--model-file", "vectors.safetensors"}), kMissing,
                        "similar: give --word WORD or --analogy a:b::c:?");
  expect_argument_error(run_nabla(scratch.dir(), {"similar", "--model-file", "vectors.safetensors", "--analogy", "a:b"}),
                        kBadValue, "--analogy is written a:b::c:? (e.g. man:king::woman:?), got 'a:b'");
  expect_argument_error(run_nabla(scratch.dir(), {"similar", "--model-file", "vectors.safetensors", "--word", "a",
                                                  "--analogy", "a:b::c:?"}),
                        kExcludes, "--word excludes --analogy");
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--resume"}), kRequires,
                        "--resume requires --out, the run directory to continue");
  expect_argument_error(run_nabla(scratch.dir(), {"gpt", "--resume", "--force", "--out", "x"}), kExcludes,
                        "--resume excludes --force: continue the run in --out, or overwrite it");
}

TEST(CliArguments, OptionsThatWouldDoNothingAreRefused) {
  io::test_helpers::ScratchDir scratch;
  std::ofstream(scratch.path("model.safetensors")) << "";
  auto refused = [&](const std::vector<std::string>& args, const std::string& message) {
    SCOPED_TRACE(args[0] + " " + args[1]);
    expect_argument_error(run_nabla(scratch.dir(), args), kExcludes, message);
  };
  refused({"train", "--val-fraction", "0", "--patience", "2"},
          "--patience does nothing without a validation split (--val-fraction 0): early stopping watches the "
          "validation loss");
  refused({"train", "--model", "simplecnn", "--hidden", "50"},
          "--hidden does nothing for model simplecnn: it sets the hidden widths of the mlp only");
  refused({"summary", "--model", "resnet", "--hidden", "50"},
          "--hidden does nothing for model resnet: it sets the hidden widths of the mlp only");
  refused({"filters", "--model-file", "model.safetensors", "--hidden", "50"},
          "--hidden does nothing with --model-file: the file records the model's widths");
  refused({"train", "--optimizer", "adam", "--momentum", "0.5"},
          "--momentum does nothing with --optimizer adam: only momentum and nesterov use it");
  refused({"lm", "--tokens", "0", "--temperature", "0.5"}, "--temperature does nothing with --tokens 0: no sample is drawn");
  refused({"gpt", "--tokens", "0", "--prompt", "the"}, "--prompt does nothing with --tokens 0: no sample is drawn");
  refused({"lm", "--level", "char", "--min-count", "5"},
          "--min-count does nothing at --level char: every character seen is kept");
  refused({"gpt", "--model-file", "model.safetensors", "--epochs", "3"},
          "--epochs does nothing with --model-file: that model is sampled from as it is, not trained");
  refused({"seq2seq", "--beam-examples", "10"}, "--beam-examples does nothing without --beam-width: no beam search is run");
  refused({"seq2seq", "--model-file", "model.safetensors", "--compare"},
          "--model-file excludes --compare: it scores one trained model");
  refused({"seq2seq", "--variant", "peeky", "--heatmaps", "2"},
          "--heatmaps does nothing for --variant peeky: it has no attention to draw");
  refused({"forecast", "--csv", "model.safetensors", "--days", "100"},
          "--days does nothing with --csv: the series come from the file, not from the generator");
  // At their defaults the same options are no mistake: a run's config.toml gives every option.
  EXPECT_EQ(run_nabla(scratch.dir(), {"summary", "--model", "resnet", "--hidden", "100,100"}).exit_code, 0);
}

TEST(CliArguments, ConfigFilesAreCheckedLikeTheCommandLine) {
  io::test_helpers::ScratchDir scratch;
  expect_argument_error(run_nabla(scratch.dir(), {"summary", "--config", "missing.toml"}), kFileMissing,
                        "missing.toml was not readable (missing?)");
  std::ofstream(scratch.path("typo.toml")) << "[summary]\nmodel=\"lenet5\"\nbatch-sise=3\n";
  expect_argument_error(run_nabla(scratch.dir(), {"summary", "--config", "typo.toml"}), kBadConfig,
                        "INI was not able to parse summary.batch-sise");
  std::ofstream(scratch.path("zero.toml")) << "[summary]\nmodel=\"lenet5\"\nbatch-size=0\n";
  expect_argument_error(run_nabla(scratch.dir(), {"summary", "--config", "zero.toml"}), kBadValue,
                        "--batch-size must be a positive integer, got 0");
  std::ofstream(scratch.path("good.toml")) << "[summary]\nmodel=\"lenet5\"\nbatch-size=7\n";
  const CliRun from_file = run_nabla(scratch.dir(), {"summary", "--config", "good.toml"});
  EXPECT_RAN(from_file);
  EXPECT_EQ(from_file.out.rfind("model lenet5\n", 0), 0u) << from_file.out;
  EXPECT_NE(from_file.out.find("[7, "), std::string::npos) << from_file.out;  // the batch of the output shapes
  expect_argument_error(run_nabla(scratch.dir(), {"train", "--config", "good.toml"}), kBadConfig,
                        "good.toml holds options of `nabla summary`, not of train");
  // The command line wins over the file.
  const CliRun overridden = run_nabla(scratch.dir(), {"summary", "--config", "good.toml", "--model", "mlp"});
  EXPECT_EQ(overridden.out.rfind("model mlp\n", 0), 0u) << overridden.out;
}

TEST(CliArguments, MoreThreadsThanCoresGetAWarning) {
  io::test_helpers::ScratchDir scratch;
  const unsigned cores = std::thread::hardware_concurrency();
  const std::string threads = std::to_string(cores + 1);
  // No data there: the command fails at once, after the warning.
  const CliRun run = run_nabla(scratch.dir(), {"train", "--threads", threads, "--data-dir", scratch.dir(), "--out", "r"});
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.err_lines().size(), 2u) << run.err;
  EXPECT_EQ(run.err_lines()[0], "nabla: warning: --threads " + threads + " is more than the " + std::to_string(cores) +
                                    " cores of this machine; the threads take turns on them and run slower "
                                    "(--threads 0 uses each core once)");
  const CliRun fitting = run_nabla(scratch.dir(), {"train", "--threads", std::to_string(cores), "--data-dir",
                                                   scratch.dir(), "--out", "r"});
  EXPECT_EQ(fitting.err.find("warning"), std::string::npos) << fitting.err;
}

TEST(CliArguments, ALibraryErrorIsOneLineNamingWhatWentWrong) {
  io::test_helpers::ScratchDir scratch;
  const CliRun no_data =
      run_nabla(scratch.dir(), {"train", "--data-dir", scratch.dir(), "--no-progress", "--out", "run"});
  EXPECT_EQ(no_data.exit_code, 1);
  ASSERT_EQ(no_data.err_lines().size(), 1u) << no_data.err;
  EXPECT_EQ(no_data.err_lines()[0].rfind("nabla: load_fashion_mnist: missing " + scratch.dir(), 0), 0u)
      << no_data.err;

  const CliRun no_glosses = run_nabla(scratch.dir(), {"lm", "--data-dir", scratch.dir(), "--out", "lm"});
  EXPECT_EQ(no_glosses.exit_code, 1);
  EXPECT_EQ(no_glosses.err, "nabla: load_wordnet_glosses: cannot open " + scratch.dir() +
                                "/data.noun (install wordnet-base)\n");

  // A picture given as a model file is named as such, not by the header length its bytes make.
  std::ofstream(scratch.path("photo.png"), std::ios::binary) << std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  const CliRun picture = run_nabla(scratch.dir(), {"eval", "--model-file", "photo.png"});
  EXPECT_EQ(picture.exit_code, 1);
  EXPECT_EQ(picture.err, "nabla: photo.png: not a safetensors file (a PNG image): after its 8-byte header length, a "
                         "safetensors file begins its JSON header with '{'\n");
}

}  // namespace
}  // namespace nabla::cli_test
