// Where a training command writes its run (model, checkpoint, metrics, config.toml), chosen so
// that no run is overwritten silently: without --out each run gets a new directory
// runs/<name>-<n> (the first n not taken), and --out onto a directory that holds a run already is
// refused unless --resume (continue it) or --force (overwrite it) says which was meant.
#pragma once
#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>

namespace nabla::cli {

// A run's own files somewhere under `dir`: a model or checkpoint (*.safetensors) or metrics.
bool holds_a_run(const std::filesystem::path& dir);

// runs/<name>-1, runs/<name>-2, ...: the first that did not exist yet (relative to the working
// directory), created empty.
std::string next_run_directory(const std::string& name);

// The run directory to use: `given` (--out, empty when not given) or a new one for `name`.
// Throws a CLI11 argument error (README, "Exit status") for --resume without --out, for --resume
// with --force, and for --out onto a run without either.
std::string choose_run_directory(const std::string& given, const std::string& name, bool resume, bool force);

// Writes <dir>/config.toml: the command's options as they were used, given or defaulted, in the
// TOML that --config reads, so `nabla <command> --config <dir>/config.toml` repeats the run.
void write_run_config(const std::filesystem::path& dir, const CLI::App& command);

}  // namespace nabla::cli
