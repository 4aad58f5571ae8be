// `nabla eval`: rebuilds the model a weights file describes, and reports accuracy, per-class
// precision/recall/F1 and the confusion matrix on the test set.
#include <iostream>

#include "commands.h"
#include "dataset_choice.h"
#include "nabla/data/dataloader.h"
#include "nabla/functional.h"
#include "nabla/io/safetensors.h"
#include "nabla/nabla.h"
#include "nabla/train/trainer.h"

namespace nabla::cli {

int run_eval(const EvalOptions& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const io::SafetensorsFile file = io::load_safetensors(o.model_file);
  const ModelSpec spec = from_metadata(file.metadata, o.model_file);
  nn::ModulePtr model = make_model(spec);
  model->load_state_dict(file.tensors);

  const LabelledImages test = load_images(o.data, o.data_dir, false);
  if (test.images[0].numel() != spec.inputs || test.num_classes != spec.classes)
    throw Error(o.model_file + ": the model expects " + std::to_string(spec.inputs) + " inputs and " +
                std::to_string(spec.classes) + " classes; " + o.data + " has " +
                std::to_string(test.images[0].numel()) + " and " + std::to_string(test.num_classes));
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
