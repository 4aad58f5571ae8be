// nabla: the command line. Builds one subcommand per entry of the command table and parses the
// command line and any --config file. A bad command line prints one line saying what is wrong
// (with a suggestion for a near miss) and exits with CLI11's status for that kind of mistake
// (argument_errors.h). Then it chooses the run directory of a training command and writes the
// configuration there (run_directory.h), sets up what every command starts from (thread count,
// seed) and runs the chosen command; an error from the library prints one line naming what went
// wrong, never a stack trace, and exits with status 1.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "argument_errors.h"
#include "command.h"
#include "nabla/parallel.h"
#include "nabla/train/interrupt.h"
#include "nabla/version.h"
#include "nabla/random.h"
#include "run_directory.h"

namespace {

// More threads than cores take turns on them: correct, but slower than one thread per core.
void warn_if_more_threads_than_cores(int threads) {
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores > 0 && threads > static_cast<int>(cores))
    std::cerr << "nabla: warning: --threads " << threads << " is more than the " << cores
              << " cores of this machine; the threads take turns on them and run slower (--threads 0 uses each core "
                 "once)\n";
}

// A --config file's sections name commands. CLI11 would read a section of another command into
// that command's options and leave the one run at its defaults, silently: refused instead.
void check_config_is_for(const CLI::App& app, const std::string& command) {
  const CLI::Option* config = app.get_config_ptr();
  if (config->count() == 0) return;
  for (const std::string& file : config->as<std::vector<std::string>>())
    for (const CLI::ConfigItem& item : app.get_config_formatter()->from_file(file))
      if (!item.parents.empty() && item.parents.front() != command)
        throw CLI::ConfigError(file + " holds options of `nabla " + item.parents.front() + "`, not of " + command,
                               CLI::ExitCodes::ConfigError);
}

// The subcommand of `command`, its options bound to `values` (and the command's own).
CLI::App* add_command(CLI::App& app, const nabla::cli::Command& command, nabla::cli::SharedOptions& values) {
  CLI::App* sub = app.add_subcommand(command.name, command.help);
  command.add_options(*sub);
  nabla::cli::add_shared_options(*sub, command.shared, values);
  // Resuming is what one does to a run, not part of what it is: config.toml leaves it out.
  if (CLI::Option* resume = sub->get_option_no_throw("--resume")) resume->configurable(false);
  // An option with no default (--model-file, --csv) is left out of config.toml too, where CLI11
  // would write it as "" (which a file check then refuses) when its callback runs for defaults.
  for (CLI::Option* option : sub->get_options())
    if (option->get_default_str().empty()) option->run_callback_for_default(false);
  sub->footer("Every option can also come from a TOML file: --config FILE (given here too, an option wins).");
  return sub;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nabla::cli;
  CLI::App app{"nabla: train and evaluate neural networks"};
  app.set_version_flag("--version", std::string("nabla ") + nabla::version());
  // Inherited by every command: --help shows each option's default, an option given twice takes
  // the last value (as git's do, so a script can append an override), and --config (an option of
  // this top-level app, where CLI11 reads config files) may follow a command's name.
  app.option_defaults()->always_capture_default()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.fallthrough();
  app.set_config("--config", "", "read options from a TOML file, e.g. a run's config.toml to repeat the run")
      ->type_name("FILE");
  app.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt key is an error, not ignored
  app.require_subcommand(1);
  const std::vector<Command> commands = all_commands();
  std::vector<SharedOptions> shared(commands.size());  // each command's own, so each keeps its defaults
  std::vector<CLI::App*> subcommands;
  for (size_t i = 0; i < commands.size(); ++i) subcommands.push_back(add_command(app, commands[i], shared[i]));

  size_t chosen = 0;
  try {
    app.parse(argc, argv);
    // CLI11 has checked that exactly one subcommand was given.
    chosen = static_cast<size_t>(
        std::find_if(subcommands.begin(), subcommands.end(), [](const CLI::App* sub) { return sub->parsed(); }) -
        subcommands.begin());
    check_config_is_for(app, commands[chosen].name);
    SharedOptions& options = shared[chosen];
    options.progress = !options.no_progress;
    if (commands[chosen].check) commands[chosen].check(options);
    const std::optional<OutputOption>& out = commands[chosen].shared.out;
    if (out && out->run_name && !out->run_name().empty()) {
      const bool defaulted = options.out.empty();
      options.out = choose_run_directory(options.out, out->run_name(), subcommands[chosen]->count("--resume") > 0,
                                         options.force);
      if (defaulted) std::cerr << "nabla: writing the run to " << options.out << " (--out to choose)\n";
      write_run_config(options.out, *subcommands[chosen]);
    }
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e);
  } catch (const std::exception& e) {  // writing config.toml
    std::cerr << "nabla: " << e.what() << "\n";
    return 1;
  }

  const SharedOptions& options = shared[chosen];
  warn_if_more_threads_than_cores(options.threads);
  try {
    if (options.threads > 0) nabla::set_num_threads(options.threads);
    // Before the command builds anything, so its weights, shuffling and dropout follow --seed.
    nabla::manual_seed(options.seed);
    return commands[chosen].run(options);
  } catch (const nabla::train::Interrupted& e) {  // Ctrl-C: the Trainer has written its checkpoint
    std::cerr << "nabla: " << e.what() << "\n";
    if (!e.checkpoint().empty())
      std::cerr << "nabla: continue with: nabla " << commands[chosen].name << " --config "
                << (std::filesystem::path(options.out) / "config.toml").string() << " --out " << options.out
                << " --resume\n";
    return 130;  // as a shell reports a command that SIGINT ended
  } catch (const std::exception& e) {  // nabla::Error and the standard library's alike
    std::cerr << "nabla: " << e.what() << "\n";
    return 1;
  }
}
