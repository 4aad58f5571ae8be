// The options several commands share, each spelled, checked and explained here only.
#include "command.h"
#include "nabla/data/text.h"

namespace nabla::cli {

void add_shared_options(CLI::App& app, const SharedOptionChoice& choice, SharedOptions& values) {
  if (choice.data == DataSource::images) {
    app.add_option("--data", values.data, "data set")->check(CLI::IsMember({"fashion-mnist", "mnist"}));
    app.add_option("--data-dir", values.data_dir, "directory of the IDX files (default: the data set's Debian location)");
  }
  if (choice.data == DataSource::wordnet) {
    values.data_dir = data::kWordNetDirectory;
    app.add_option("--data-dir", values.data_dir, "directory of WordNet's data.noun, data.verb, data.adj, data.adv");
  }
  if (choice.seed)
    app.add_option("--seed", values.seed, "random seed (" + *choice.seed + ")")->check(non_negative(values.seed));
  if (choice.threads)
    app.add_option("--threads", values.threads, "threads for kernels and BLAS (0: all cores)")
        ->check(non_negative(values.threads));
  if (choice.out) {
    // Where a run goes is not part of what it is: config.toml leaves --out, --force (and --resume)
    // out, so that repeating a run from it starts a new one.
    if (choice.out->run_name) {
      app.add_option("--out", values.out, choice.out->help + " (default: a new runs/" + choice.out->run_name() + "-<n>)")
          ->configurable(false);
      app.add_flag("--force", values.force, "overwrite the run already in --out")->configurable(false);
    } else {
      values.out = choice.out->default_path;
      app.add_option("--out", values.out, choice.out->help)->configurable(false);
    }
  }
  if (choice.progress) app.add_flag("--no-progress", values.no_progress, "no progress bar");
}

void check_heads_divide_width(int64_t d_model, int64_t heads) {
  if (d_model % heads != 0)
    throw CLI::ValidationError("--heads must divide --d-model, got " + std::to_string(heads) + " heads for width " +
                                   std::to_string(d_model),
                               CLI::ExitCodes::ValidationError);
}

void refuse_unused(const std::string& option, const std::string& why) {
  throw CLI::ExcludesError(option + " does nothing " + why, CLI::ExitCodes::ExcludesError);
}

}  // namespace nabla::cli
