#include "argument_errors.h"

#include <algorithm>
#include <iostream>

namespace nabla::cli {
namespace {

// The subcommand the command line chose, or null when it named none.
const CLI::App* chosen_command(const CLI::App& app) {
  const std::vector<const CLI::App*> chosen = app.get_subcommands([](const CLI::App* sub) { return sub->parsed(); });
  return chosen.empty() ? nullptr : chosen.front();
}

std::string command_list(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) names += (names.empty() ? "" : ", ") + sub->get_name();
  return names;
}

// "--epochs" for every long name of the options of `command` and of the top-level app (--config
// and --version are read after a command's name too).
std::vector<std::string> option_names(const CLI::App& app, const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::App* owner : {&command, &app})
    for (const CLI::Option* option : owner->get_options())
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  return names;
}

// " did you mean X?" when one of `candidates` is near `typed`, else nothing.
std::string suggestion(const std::string& typed, const std::vector<std::string>& candidates) {
  const std::optional<std::string> near = nearest(typed, candidates);
  return near ? "; did you mean '" + *near + "'?" : "";
}

// What is wrong with the words CLI11 left over, which nothing took: a misspelt command or option,
// or an option before the command's name; "" for anything else (a stray value), which CLI11's own
// message says well.
std::string message_for_leftovers(const CLI::App& app, const CLI::App* command) {
  const std::vector<std::string> left = app.remaining(true);
  if (command == nullptr) {
    if (left.empty()) return "";
    const std::string& word = left.front();
    if (word.rfind('-', 0) == 0) return word + " comes after a command's name; the commands are " + command_list(app);
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
    return "unknown command '" + word + "'" + suggestion(word, commands) + " (the commands are " +
           command_list(app) + ")";
  }
  for (const std::string& word : left)
    if (word.rfind("--", 0) == 0) {
      const std::string option = word.substr(0, word.find('='));
      if (command->get_option_no_throw(option) != nullptr)  // given before the command's name
        return option + " comes after the command's name: nabla " + command->get_name() + " " + option + " ...";
      return command->get_name() + " has no option " + option + suggestion(option, option_names(app, *command));
    }
  return "";
}

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) {
  // d[i][j]: the distance between the first i characters of a and the first j of b.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::optional<std::string> nearest(const std::string& typed, const std::vector<std::string>& candidates) {
  const size_t allowed = std::max<size_t>(1, typed.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = allowed + 1;
  for (const std::string& candidate : candidates) {
    const size_t distance = edit_distance(typed, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

int report_parse_error(const CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(error);  // --help, --version
  const CLI::App* command = chosen_command(app);
  std::string message = error.what();
  int status = error.get_exit_code();
  // A word nothing took is reported first, as an unexpected argument (109), whatever CLI11 found
  // first: a misspelt option may well be why a required one seems missing.
  if (const std::string leftovers = message_for_leftovers(app, command); !leftovers.empty()) {
    message = leftovers;
    status = static_cast<int>(CLI::ExitCodes::ExtrasError);
  } else if (command == nullptr && dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
    message = "give a command: " + command_list(app);
  }
  // The checks of value_checks.h say "must be ..."; CLI11 puts the option's name and a colon before.
  const size_t colon = message.find(": must be ");
  if (colon != std::string::npos) message.erase(colon, 1);

  std::cerr << "nabla: " << message << "\n"
            << "Run 'nabla " << (command ? command->get_name() + " " : "") << "--help' for more information.\n";
  return status;
}

}  // namespace nabla::cli
