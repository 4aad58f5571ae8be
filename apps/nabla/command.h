// A subcommand of `nabla`: its name, one line of help, its options and what it runs. Each command
// is one file, commands/<name>.cpp, defining `Command <name>_command()`; command_table.cpp lists
// them all. The options several commands share (seed, threads, output, progress, data) are
// spelled, checked and explained once, in shared_options.cpp: a command only says which it takes,
// and the dispatcher (main.cpp) parses them (from the command line and --config), runs the
// command's check of option combinations, chooses the run directory and writes its config.toml,
// sets the thread count and the seed, then calls run.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "value_checks.h"

namespace nabla::cli {

// The values of the shared options after parsing; those a command does not take keep these
// defaults, which leave the library as it starts (all threads, the global generator at seed 0).
struct SharedOptions {
  uint64_t seed = 0;                   // --seed
  int threads = 0;                     // --threads; 0: OpenMP's default (all cores)
  std::string out;                     // --out: a run directory, or a file for the picture commands
  bool force = false;                  // --force: overwrite the run in --out
  bool no_progress = false;            // --no-progress, as given (so config.toml records it as written)
  bool progress = true;                // !no_progress, set by main.cpp
  std::string data = "fashion-mnist";  // --data, of the image commands: fashion-mnist or mnist
  std::string data_dir;                // --data-dir; for images empty means the data set's Debian location
};

// Where a command's data comes from, which decides its --data and --data-dir.
enum class DataSource {
  none,
  images,   // --data fashion-mnist|mnist and --data-dir, the directory of its IDX files
  wordnet,  // --data-dir, the directory of WordNet's data.* files (default: Debian's)
};

// --out: what a command writes there, and where when no --out is given: a file (the picture
// commands), or a run directory, new for each run (run_directory.h), named after `run_name`.
struct OutputOption {
  std::string help;
  std::string default_path = "";  // for a file
  // For a run directory: "mlp" makes runs/mlp-<n>; asked after parsing, so it may follow the
  // options (train's follows --model); empty when the options given write no run at all.
  std::function<std::string()> run_name = {};
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
  // Refuses, before anything runs, options that do nothing in the combination given: throws a
  // CLI::ParseError subclass, whose exit status says which kind of argument error it is (README,
  // "Exit status"). It looks at values, not at which options were given, because a run's
  // config.toml gives every option, at its default where the run did not set it.
  std::function<void(const SharedOptions&)> check = {};
};

// Every command, in the order `nabla --help` lists them (command_table.cpp).
std::vector<Command> all_commands();

// Adds the shared options `choice` names to `app`, bound to `values`.
void add_shared_options(CLI::App& app, const SharedOptionChoice& choice, SharedOptions& values);

// For a command's check: refuses `option`, set away from its default, as doing nothing `why`
// ("without a validation split (--val-fraction 0)"); an argument error with exit status 108.
[[noreturn]] void refuse_unused(const std::string& option, const std::string& why);

// For the Transformer commands (gpt, bert): an argument error (105) unless --heads divides
// --d-model, each head taking an equal slice of the embedding.
void check_heads_divide_width(int64_t d_model, int64_t heads);

// For the commands that draw a sample after training (gpt, lm): the sampling options changed
// (from `defaults`) while --tokens 0 draws none are refused.
template <class Options>
void refuse_sampling_without_sample(const Options& o, const Options& defaults) {
  if (o.tokens != 0) return;
  const std::string why = "with --tokens 0: no sample is drawn";
  if (o.prompt != defaults.prompt) refuse_unused("--prompt", why);
  if (o.temperature != defaults.temperature) refuse_unused("--temperature", why);
  if (o.top_k != defaults.top_k) refuse_unused("--top-k", why);
}

}  // namespace nabla::cli
