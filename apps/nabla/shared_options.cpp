// The options several commands share, each spelled, checked and explained here only.
#include <cstdlib>

#include "command.h"
#include "nabla/data/text.h"

namespace nabla::cli {
namespace {

CLI::Validator number_check(const std::string& name, bool (*accept)(double), const std::string& what) {
  return CLI::Validator(
      [accept, what](std::string& input) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(input.c_str(), &end);
        if (input.empty() || *end != '\0' || !accept(value)) return input + " is not " + what;
        return "";
      },
      name);
}

}  // namespace

const CLI::Validator kPositive = number_check("POSITIVE", [](double v) { return v > 0; }, "a positive number");
const CLI::Validator kNonNegative = number_check("NONNEGATIVE", [](double v) { return v >= 0; }, "a number >= 0");

void add_shared_options(CLI::App& app, const SharedOptionChoice& choice, SharedOptions& values) {
  if (choice.data == DataSource::images) {
    app.add_option("--data", values.data, "data set")->check(CLI::IsMember({"fashion-mnist", "mnist"}));
    app.add_option("--data-dir", values.data_dir, "directory of the IDX files (default: the data set's Debian location)");
  }
  if (choice.data == DataSource::wordnet) {
    values.data_dir = data::kWordNetDirectory;
    app.add_option("--data-dir", values.data_dir,
                   "directory of WordNet's data.noun, data.verb, data.adj, data.adv (default: " + values.data_dir + ")");
  }
  if (choice.seed) app.add_option("--seed", values.seed, "random seed (" + *choice.seed + ")");
  if (choice.threads)
    app.add_option("--threads", values.threads, "threads for kernels and BLAS (0: all cores)")->check(kNonNegative);
  if (choice.out) {
    values.out = choice.out->default_path;
    app.add_option("--out", values.out, choice.out->help + " (default: " + values.out + ")");
  }
  if (choice.progress) app.add_flag("!--no-progress", values.progress, "no progress bar");
}

}  // namespace nabla::cli
