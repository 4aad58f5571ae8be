// `nabla eval`: rebuilds the model a weights file describes, and reports accuracy, per-class
// precision/recall/F1 and the confusion matrix on the test set.
#include <iostream>

#include "commands.h"
#include "dataset_choice.h"
#include "nabla/data/dataloader.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/train/trainer.h"
#include "saved_model.h"

namespace nabla::cli {

int run_eval(const EvalOptions& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const auto [spec, model] = load_saved_model(o.model_file);
  const LabelledImages test = load_images(o.data, o.data_dir, false);
  check_model_fits_data(spec, o.model_file, test, o.data);
  data::DataLoaderOptions loading;
  loading.batch_size = o.batch_size;
  data::DataLoader loader(std::make_shared<data::TensorDataset>(test.images, test.labels), loading);
  const train::Evaluation result = train::evaluate(
      *model, train::batches_from(loader), [](const Tensor& out, const Tensor& y) { return F::cross_entropy(out, y); }, spec.classes);

  std::cout << o.data << " test set, " << test.labels.numel() << " images, model " << spec.name << " from "
            << o.model_file << "\n\n";
  std::cout << "accuracy " << result.accuracy << ", loss " << result.loss << "\n\n";
  std::cout << train::classification_report(result.confusion, test.class_names, 4) << "\n";
  std::cout << "confusion matrix (rows: true class, columns: predicted)\n"
            << train::format_confusion_matrix(result.confusion, test.class_names) << "\n";
  return 0;
}

}  // namespace nabla::cli
