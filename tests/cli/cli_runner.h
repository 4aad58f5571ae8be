// What the CLI smoke tests share: running the built `nabla` binary (NABLA_CLI_PATH, passed by
// CMake) as a subprocess in a directory with its stdout and stderr captured apart, reading the
// figures of its output, and small real data sets (a slice of Fashion-MNIST, a slice of WordNet's
// glosses) so that every command runs in a second or two.
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nabla/data/mnist.h"
#include "nabla/data/text.h"
#include "nabla/io/idx.h"

namespace nabla::cli_test {

struct CliRun {
  int exit_code = -1;  // the process's exit status; 128 + N when signal N ended it
  std::string out, err;

  std::vector<std::string> err_lines() const { return lines_of(err); }
  static std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A `nabla` process started and not yet waited for.
struct StartedNabla {
  pid_t pid = -1;
  std::filesystem::path out_file, err_file;
};

// `nabla args...` started with `dir` as its working directory; no shell in between, so the
// arguments arrive exactly as given.
inline StartedNabla start_nabla(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  const std::filesystem::path out_file = dir / ".nabla_stdout", err_file = dir / ".nabla_stderr";
  std::vector<char*> argv{const_cast<char*>(NABLA_CLI_PATH)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || chdir(dir.c_str()) != 0) _exit(127);
    execv(NABLA_CLI_PATH, argv.data());
    _exit(127);
  }
  return {pid, out_file, err_file};
}

// Waits for a started `nabla` and collects what it printed.
inline CliRun wait_for(const StartedNabla& started) {
  CliRun run;
  int status = 0;
  if (started.pid < 0 || waitpid(started.pid, &status, 0) != started.pid) {
    ADD_FAILURE() << "could not run " << NABLA_CLI_PATH;
    return run;
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = read_text(started.out_file);
  run.err = read_text(started.err_file);
  std::filesystem::remove(started.out_file);
  std::filesystem::remove(started.err_file);
  return run;
}

inline CliRun run_nabla(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  return wait_for(start_nabla(dir, args));
}

// A command that succeeded, with what it printed in the failure message otherwise.
#define EXPECT_RAN(run) EXPECT_EQ((run).exit_code, 0) << "stdout:\n" << (run).out << "\nstderr:\n" << (run).err

// The last line of `text` that is a JSON object: the results line the training commands end with.
inline nlohmann::json last_json_line(const std::string& text) {
  const std::vector<std::string> lines = CliRun::lines_of(text);
  for (auto line = lines.rbegin(); line != lines.rend(); ++line)
    if (!line->empty() && line->front() == '{') return nlohmann::json::parse(*line);
  ADD_FAILURE() << "no JSON line in:\n" << text;
  return nlohmann::json::object();
}

// `json[key]` is a number in [low, high].
inline void expect_number_in(const nlohmann::json& json, const std::string& key, double low, double high) {
  ASSERT_TRUE(json.contains(key) && json.at(key).is_number()) << key << " missing in " << json.dump();
  const double value = json.at(key).get<double>();
  EXPECT_GE(value, low) << key;
  EXPECT_LE(value, high) << key;
}

// The number after `label` in `text` ("accuracy 0.61, loss 1.2" with label "accuracy ").
inline double number_after(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no '" << label << "' in:\n" << text;
    return 0;
  }
  return std::stod(text.substr(at + label.size()));
}

// "Run 'nabla train --help' for more information.": the line after an argument error.
inline bool is_help_hint(const std::string& line) {
  const std::string end = "--help' for more information.";
  return line.rfind("Run 'nabla ", 0) == 0 && line.size() > end.size() &&
         line.compare(line.size() - end.size(), end.size(), end) == 0;
}

// A failure: a non-zero exit and one line on stderr saying what is wrong, followed, for an
// argument error, by the hint to try --help.
inline void expect_one_line_error(const CliRun& run, const std::string& mentioning) {
  EXPECT_NE(run.exit_code, 0) << run.out;
  const std::vector<std::string> lines = run.err_lines();
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find(mentioning), std::string::npos) << lines[0];
  EXPECT_TRUE(lines.size() == 1 || (lines.size() == 2 && is_help_hint(lines[1]))) << run.err;
}

// A bad command line: exit status `exit_code` (README, "Exit status"), and on stderr the line
// "nabla: <message>" and the hint to try the command's --help, nothing else.
inline void expect_argument_error(const CliRun& run, int exit_code, const std::string& message) {
  EXPECT_EQ(run.exit_code, exit_code) << run.err;
  const std::vector<std::string> lines = run.err_lines();
  ASSERT_EQ(lines.size(), 2u) << run.err;
  EXPECT_EQ(lines[0], "nabla: " + message);
  EXPECT_TRUE(is_help_hint(lines[1])) << lines[1];
  EXPECT_EQ(run.out, "");
}

// The first `count` images and labels of a Fashion-MNIST split as plain IDX files in `dir`, named
// as the data set names them, so `--data fashion-mnist --data-dir dir` reads them.
inline void write_fashion_mnist_slice(const std::filesystem::path& dir, bool train, int64_t count) {
  const std::string split = train ? "train" : "t10k";
  for (const std::string kind : {"images-idx3", "labels-idx1"}) {
    const std::string name = split + "-" + kind + "-ubyte";
    const io::IdxArray all = io::read_idx(std::string(data::kFashionMnistDir) + "/" + name + ".gz");
    std::string bytes = {0, 0, static_cast<char>(all.type), static_cast<char>(all.shape.size())};
    int64_t per_item = 1;
    for (size_t d = 0; d < all.shape.size(); ++d) {
      const auto size = static_cast<uint32_t>(d == 0 ? count : all.shape[d]);
      for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((size >> shift) & 0xff));
      if (d > 0) per_item *= all.shape[d];
    }
    bytes.append(all.bytes.begin(), all.bytes.begin() + count * per_item);
    std::ofstream(dir / name, std::ios::binary) << bytes;
  }
}

// The first `count` synsets of each of WordNet's four data files (each line a synset and its
// gloss) in `dir`, which `--data-dir dir` then reads as the whole of WordNet.
inline void write_wordnet_slice(const std::filesystem::path& dir, size_t count) {
  for (const char* part : {"data.noun", "data.verb", "data.adj", "data.adv"}) {
    std::ifstream in(std::string(data::kWordNetDirectory) + "/" + part);
    std::ofstream out(dir / part);
    size_t kept = 0;
    for (std::string line; kept < count && std::getline(in, line);)
      if (line.rfind("  ", 0) != 0) {  // not the license header
        out << line << "\n";
        ++kept;
      }
  }
}

// Skips the test when a data set these tests slice is not installed.
#define SKIP_UNLESS_INSTALLED(path, package)                                                \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not installed (Debian's " \
                                                   << package << ")"

}  // namespace nabla::cli_test
