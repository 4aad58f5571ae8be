// nabla: the command line. Builds one subcommand per entry of the command table, parses, sets up
// what every command starts from (thread count, seed) and runs the chosen one. Bad arguments print
// one line saying what is wrong (and CLI11's hint to try --help) and exit non-zero; errors from the
// library print one line naming what went wrong, never a stack trace.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "command.h"
#include "nabla/parallel.h"
#include "nabla/version.h"
#include "nabla/random.h"

int main(int argc, char** argv) {
  using namespace nabla::cli;
  CLI::App app{"nabla: train and evaluate neural networks"};
  app.set_version_flag("--version", std::string("nabla ") + nabla::version());
  app.require_subcommand(1);
  const std::vector<Command> commands = all_commands();
  std::vector<SharedOptions> shared(commands.size());  // each command's own, so each keeps its defaults
  std::vector<CLI::App*> subcommands;
  for (size_t i = 0; i < commands.size(); ++i) {
    CLI::App* sub = app.add_subcommand(commands[i].name, commands[i].help);
    commands[i].add_options(*sub);
    add_shared_options(*sub, commands[i].shared, shared[i]);
    subcommands.push_back(sub);
  }
  // CLI11 would only say "A subcommand is required" for a misspelt one: name it, and the choices.
  if (argc > 1 && argv[1][0] != '-' &&
      std::none_of(commands.begin(), commands.end(), [&](const Command& c) { return c.name == argv[1]; })) {
    std::string names;
    for (const Command& c : commands) names += (names.empty() ? "" : ", ") + c.name;
    std::cerr << "nabla: unknown command '" << argv[1] << "'; the commands are " << names << "\n";
    return 1;
  }
  CLI11_PARSE(app, argc, argv);

  // CLI11 has checked that exactly one subcommand was given.
  const size_t chosen = static_cast<size_t>(
      std::find_if(subcommands.begin(), subcommands.end(), [](const CLI::App* sub) { return sub->parsed(); }) -
      subcommands.begin());
  const SharedOptions& options = shared[chosen];
  try {
    if (options.threads > 0) nabla::set_num_threads(options.threads);
    // Before the command builds anything, so its weights, shuffling and dropout follow --seed.
    nabla::manual_seed(options.seed);
    return commands[chosen].run(options);
  } catch (const std::exception& e) {  // nabla::Error and the standard library's alike
    std::cerr << "nabla: " << e.what() << "\n";
    return 1;
  }
}
