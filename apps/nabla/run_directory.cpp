#include "run_directory.h"

#include "nabla/io/atomic_file.h"
#include "nabla/version.h"

namespace nabla::cli {

namespace fs = std::filesystem;

bool holds_a_run(const fs::path& dir) {
  if (!fs::is_directory(dir)) return false;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    const fs::path& file = entry.path();
    if (file.extension() == ".safetensors" || file.filename() == "metrics.csv" || file.filename() == "metrics.json")
      return true;
  }
  return false;
}

std::string next_run_directory(const std::string& name) {
  fs::create_directories("runs");
  for (int n = 1;; ++n) {
    const std::string candidate = (fs::path("runs") / (name + "-" + std::to_string(n))).string();
    // create_directory is false when the directory exists: the check and the claim are one step,
    // so two runs started at once cannot both take the same n.
    if (fs::create_directory(candidate)) return candidate;
  }
}

std::string choose_run_directory(const std::string& given, const std::string& name, bool resume, bool force) {
  if (resume && force)
    throw CLI::ExcludesError("--resume excludes --force: continue the run in --out, or overwrite it",
                             CLI::ExitCodes::ExcludesError);
  if (resume && given.empty())
    throw CLI::RequiresError("--resume requires --out, the run directory to continue", CLI::ExitCodes::RequiresError);
  if (given.empty()) return next_run_directory(name);
  if (holds_a_run(given) && !resume && !force)
    throw CLI::ValidationError("--out " + given + " holds a run already: add --resume to continue it, --force to " +
                                   "overwrite it, or name a new directory",
                               CLI::ExitCodes::ValidationError);
  return given;
}

void write_run_config(const fs::path& dir, const CLI::App& command) {
  fs::create_directories(dir);
  io::write_file_atomic((dir / "config.toml").string(),
                        "# nabla " + std::string(version()) + ": `nabla " + command.get_name() + " --config " +
                            (dir / "config.toml").string() + "` repeats this run\n[" + command.get_name() + "]\n" +
                            command.config_to_str(true, true));
}

}  // namespace nabla::cli
