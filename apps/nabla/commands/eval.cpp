// `nabla eval`: rebuilds the model a weights file describes, and reports accuracy, per-class
// precision/recall/F1 and the confusion matrix on the test set.
#include <iostream>
#include <memory>

#include "command.h"
#include "dataset_choice.h"
#include "nabla/data/dataloader.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/train/trainer.h"
#include "saved_model.h"
#include "zoo_options.h"

namespace nabla::cli {
namespace {

struct EvalOptions {
  std::string model_file;
  int64_t batch_size = 1000;
};

int run_eval(const EvalOptions& o, const SharedOptions& shared) {
  const auto [spec, model] = load_saved_model(o.model_file);
  const LabelledImages test = load_images(shared.data, shared.data_dir, false);
  check_model_fits_data(spec, o.model_file, test, shared.data);
  data::DataLoaderOptions loading;
  loading.batch_size = o.batch_size;
  data::DataLoader loader(std::make_shared<data::TensorDataset>(test.images, test.labels), loading);
  const train::Evaluation result = train::evaluate(
      *model, train::batches_from(loader), [](const Tensor& out, const Tensor& y) { return F::cross_entropy(out, y); }, spec.classes);

  std::cout << shared.data << " test set, " << test.labels.numel() << " images, model " << spec.name << " from "
            << o.model_file << "\n\n";
  std::cout << "accuracy " << result.accuracy << ", loss " << result.loss << "\n\n";
  std::cout << train::classification_report(result.confusion, test.class_names, 4) << "\n";
  std::cout << "confusion matrix (rows: true class, columns: predicted)\n"
            << train::format_confusion_matrix(result.confusion, test.class_names) << "\n";
  return 0;
}

}  // namespace

Command eval_command() {
  auto options = std::make_shared<EvalOptions>();
  return {.name = "eval",
          .help = "evaluate saved weights on a test set",
          .shared = {.threads = true, .data = DataSource::images},
          .add_options =
              [options](CLI::App& app) {
                add_model_file_option(app, options->model_file)->required();
                app.add_option("--batch-size", options->batch_size, "samples per batch")
                    ->check(positive(options->batch_size));
              },
          .run = [options](const SharedOptions& shared) { return run_eval(*options, shared); }};
}

}  // namespace nabla::cli
