// What `nabla` says when its command line is wrong: one line naming the mistake, with a
// suggestion where the mistake is a near miss ("did you mean 'train'?", as git and cargo do), then
// where to read more; and the exit status CLI11 gives that kind of mistake (README, "Exit status").
#pragma once
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace nabla::cli {

// The optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters ("trian" is one swap from "train"), each counting 1.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to `typed`, when it is near enough to be what was meant: at most a third
// of the typed length away (and at least 1).
std::optional<std::string> nearest(const std::string& typed, const std::vector<std::string>& candidates);

// Prints the message for a failed parse of `app` (nabla's top-level app) on stderr, or the help or
// version CLI11 was asked for on stdout, and returns the exit status.
int report_parse_error(const CLI::App& app, const CLI::ParseError& error);

}  // namespace nabla::cli
