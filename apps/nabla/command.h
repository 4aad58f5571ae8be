// A subcommand of `nabla`: its name, one line of help, its options and what it runs. Each command
// is one file, commands/<name>.cpp, defining `Command <name>_command()`; command_table.cpp lists
// them all. The options several commands share (seed, threads, output, progress, data) are
// spelled, checked and explained once, in shared_options.cpp: a command only says which it takes,
// and the dispatcher (main.cpp) parses them, sets the thread count and the seed, then calls run.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nabla::cli {

// The values of the shared options after parsing; those a command does not take keep these
// defaults, which leave the library as it starts (all threads, the global generator at seed 0).
struct SharedOptions {
  uint64_t seed = 0;                   // --seed
  int threads = 0;                     // --threads; 0: OpenMP's default (all cores)
  std::string out;                     // --out: a run directory, or a file for the picture commands
  bool progress = true;                // off with --no-progress
  std::string data = "fashion-mnist";  // --data, of the image commands: fashion-mnist or mnist
  std::string data_dir;                // --data-dir; for images empty means the data set's Debian location
};

// Where a command's data comes from, which decides its --data and --data-dir.
enum class DataSource {
  none,
  images,   // --data fashion-mnist|mnist and --data-dir, the directory of its IDX files
  wordnet,  // --data-dir, the directory of WordNet's data.* files (default: Debian's)
};

// --out: the path a command writes to when none is given, and what it writes there.
struct OutputOption {
  std::string default_path;
  std::string help;
};

// Which of the shared options a command takes.
struct SharedOptionChoice {
  // Every member has a default, so a command names only those it takes.
  std::optional<std::string> seed = std::nullopt;  // --seed, with what it decides ("weights, shuffling")
  bool threads = false;                            // --threads
  std::optional<OutputOption> out = std::nullopt;  // --out
  bool progress = false;                           // --no-progress
  DataSource data = DataSource::none;              // --data, --data-dir
};

struct Command {
  std::string name;
  std::string help;  // one line, shown by `nabla --help`
  SharedOptionChoice shared;
  // Adds the command's own options to its subcommand, bound to where run will read them.
  std::function<void(CLI::App&)> add_options;
  // Runs the command once the options are parsed; returns the exit status.
  std::function<int(const SharedOptions&)> run;
};

// Every command, in the order `nabla --help` lists them (command_table.cpp).
std::vector<Command> all_commands();

// Checks of numeric options, saying plainly what is wrong ("--epochs: 0 is not a positive number")
// where CLI11's PositiveNumber and NonNegativeNumber print their range, up to 1.8e308 in full.
extern const CLI::Validator kPositive;
extern const CLI::Validator kNonNegative;

// Adds the shared options `choice` names to `app`, bound to `values`.
void add_shared_options(CLI::App& app, const SharedOptionChoice& choice, SharedOptions& values);

}  // namespace nabla::cli
