// `nabla train`: data, model, optimizer and schedule from the options; the Trainer does the rest.
// Ends with one JSON line of results on stdout.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "command.h"
#include "dataset_choice.h"
#include "nabla/data/augment.h"
#include "nabla/data/dataloader.h"
#include "nabla/data/transforms.h"
#include "nabla/functional.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/model_zoo.h"
#include "nabla/nabla.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/scheduler.h"
#include "nabla/train/trainer.h"
#include "zoo_options.h"

namespace nabla::cli {
namespace {

struct TrainOptions {
  models::ModelSpec model;
  int64_t epochs = 5;
  int64_t batch_size = 100;
  std::string optimizer = "adam";
  double lr = 1e-3;
  double momentum = 0.9;
  double weight_decay = 0;
  std::string scheduler = "none";
  double val_fraction = 0.1;
  int64_t patience = 0;
  // Of crop, flip, affine, applied to training batches only; "none" rather than an empty list, so
  // that config.toml writes it as a value --config reads back.
  std::vector<std::string> augment{"none"};
  bool resume = false;
};

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainOptions& o, std::vector<Tensor> params) {
  if (o.optimizer == "sgd") return std::make_unique<optim::SGD>(params, optim::SGDOptions{o.lr, 0, 0, o.weight_decay, false});
  if (o.optimizer == "momentum") return std::make_unique<optim::SGD>(params, optim::SGDOptions{o.lr, o.momentum, 0, o.weight_decay, false});
  if (o.optimizer == "nesterov") return std::make_unique<optim::SGD>(params, optim::SGDOptions{o.lr, o.momentum, 0, o.weight_decay, true});
  if (o.optimizer == "adagrad") {
    optim::AdaGradOptions a;
    a.lr = o.lr;
    a.weight_decay = o.weight_decay;
    return std::make_unique<optim::AdaGrad>(params, a);
  }
  if (o.optimizer == "rmsprop") {
    optim::RMSpropOptions r;
    r.lr = o.lr;
    r.weight_decay = o.weight_decay;
    return std::make_unique<optim::RMSprop>(params, r);
  }
  if (o.optimizer == "adamw") {
    optim::AdamWOptions a;
    a.lr = o.lr;
    a.weight_decay = o.weight_decay;
    return std::make_unique<optim::AdamW>(params, a);
  }
  optim::AdamOptions a;
  a.lr = o.lr;
  a.weight_decay = o.weight_decay;
  return std::make_unique<optim::Adam>(params, a);
}

// The --augment names as one transform, applied in the order crop, flip, affine whatever order they
// were named in. The images are normalised already, so what comes in from outside the frame is
// `background` (a blank pixel after normalisation), not 0.
data::BatchTransform make_augmentation(const std::vector<std::string>& names, double background,
                                       const data::AugmentGeneratorPtr& generator) {
  auto named = [&](const char* name) { return std::find(names.begin(), names.end(), name) != names.end(); };
  std::vector<data::BatchTransform> steps;
  if (named("crop")) steps.push_back(data::random_crop(2, background, generator));
  if (named("flip")) steps.push_back(data::random_horizontal_flip(0.5, generator));
  if (named("affine")) steps.push_back(data::random_affine(10, 0.1, {0.9, 1.1}, background, generator));
  return data::compose(std::move(steps));
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainOptions& o, optim::Optimizer& opt) {
  if (o.scheduler == "step") return std::make_unique<optim::StepLR>(opt, std::max<int64_t>(1, o.epochs / 3), 0.1);
  if (o.scheduler == "cosine") return std::make_unique<optim::CosineAnnealingLR>(opt, o.epochs);
  if (o.scheduler == "exponential") return std::make_unique<optim::ExponentialLR>(opt, 0.9);
  if (o.scheduler == "inverse-time") return std::make_unique<optim::InverseTimeLR>(opt, 0.5);
  return nullptr;
}

int run_train(const TrainOptions& o, const SharedOptions& shared) {
  const LabelledImages train_full = load_images(shared.data, shared.data_dir, true);
  const LabelledImages test = load_images(shared.data, shared.data_dir, false);
  const auto [train_set, val_set] = split_for_validation(train_full, o.val_fraction, shared.seed);

  models::ModelSpec spec = o.model;
  spec.inputs = train_full.images[0].numel();
  spec.classes = train_full.num_classes;
  nn::ModulePtr model = make_model(spec);
  auto optimizer = make_optimizer(o, model->parameters());
  auto scheduler = make_scheduler(o, *optimizer);

  data::DataLoaderOptions train_loading;
  train_loading.batch_size = o.batch_size;
  train_loading.shuffle = true;
  train_loading.seed = shared.seed;
  // A background loader thread only helps when a core is free for it; on a machine whose cores
  // all run kernels it competes with them (measured: 705 vs 438 us a step on 2 cores).
  if (get_num_threads() >= static_cast<int>(std::thread::hardware_concurrency())) train_loading.prefetch = 0;
  // Augmentation for the training batches only, never validation or test.
  const auto augment_generator = std::make_shared<data::AugmentGenerator>(shared.seed);
  const bool augmenting = o.augment != TrainOptions{}.augment;
  if (augmenting)
    train_loading.transform = make_augmentation(o.augment, min(train_full.images).item(), augment_generator);
  data::DataLoader train_loader(train_set, train_loading);
  data::DataLoaderOptions eval_loading;
  eval_loading.batch_size = 1000;
  std::unique_ptr<data::DataLoader> val_loader;
  if (val_set) val_loader = std::make_unique<data::DataLoader>(val_set, eval_loading);
  data::DataLoader test_loader(std::make_shared<data::TensorDataset>(test.images, test.labels), eval_loading);

  train::FitOptions fit;
  fit.epochs = o.epochs;
  fit.out_dir = shared.out;
  fit.resume = o.resume;
  fit.patience = o.patience;
  fit.progress = shared.progress;
  fit.model_metadata = to_metadata(spec);
  const train::LossFn loss = [](const Tensor& logits, const Tensor& target) { return F::cross_entropy(logits, target); };
  train::Trainer trainer(*model, *optimizer, fit);
  trainer.set_scheduler(scheduler.get());
  train::Batches<data::Batch> train_batches = train::batches_from(train_loader, shared.seed);
  // The augmentation stream restarts from (seed, epoch) with the shuffling, so a resumed run draws
  // what an uninterrupted one would have.
  if (augmenting)
    train_batches.for_each = [shuffled = train_batches.for_each, augment_generator, seed = shared.seed](
                                 int64_t epoch, const std::function<void(const data::Batch&)>& visit) {
      augment_generator->seed((seed ^ 0x9e3779b97f4a7c15ULL) * 1000003 + static_cast<uint64_t>(epoch));
      shuffled(epoch, visit);
    };
  train::Batches<data::Batch> val_batches;
  if (val_loader) val_batches = train::batches_from(*val_loader);
  const train::FitResult result =
      trainer.fit(train_batches, train::classification_step(loss), val_loader ? &val_batches : nullptr);
  std::vector<double> epoch_seconds;
  for (const train::EpochRecord& e : result.epochs) epoch_seconds.push_back(e.seconds);

  const train::Evaluation tested = train::evaluate(*model, train::batches_from(test_loader), loss, spec.classes);
  io::save_safetensors((std::filesystem::path(shared.out) / "model.safetensors").string(), model->state_dict(),
                       to_metadata(spec));

  nlohmann::json summary = {
      {"test_accuracy", tested.accuracy},   {"test_loss", tested.loss},
      {"train_seconds", result.train_seconds}, {"epoch_seconds", epoch_seconds},
      {"epochs", result.epochs_run},        {"params", model->parameter_count()},
      {"model", spec.name},                 {"data", shared.data},
      {"best_epoch", result.best_epoch},    {"stopped_early", result.stopped_early},
      {"threads", get_num_threads()},       {"out", shared.out}};
  if (!result.history.validation_accuracy.empty())
    summary["val_accuracy"] = result.history.validation_accuracy.back();
  std::cout << summary.dump() << std::endl;
  return 0;
}

// Options that would change nothing in the combination given are refused rather than ignored.
void refuse_unused_train_options(const TrainOptions& o) {
  refuse_hidden_unless_mlp(o.model.name, o.model.hidden != models::ModelSpec{}.hidden);
  if (o.patience > 0 && o.val_fraction == 0)
    refuse_unused("--patience", "without a validation split (--val-fraction 0): early stopping watches the validation loss");
  if (o.momentum != TrainOptions{}.momentum && o.optimizer != "momentum" && o.optimizer != "nesterov")
    refuse_unused("--momentum", "with --optimizer " + o.optimizer + ": only momentum and nesterov use it");
}

void add_train_options(CLI::App& app, TrainOptions& o) {
  add_model_option(app, o.model.name);
  add_hidden_option(app, o.model.hidden);
  app.add_option("--epochs", o.epochs, "training epochs")->check(positive(o.epochs));
  app.add_option("--batch-size", o.batch_size, "samples per batch")->check(positive(o.batch_size));
  app.add_option("--optimizer", o.optimizer, "sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw")
      ->check(CLI::IsMember({"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}));
  app.add_option("--lr", o.lr, "learning rate")->check(positive(o.lr));
  app.add_option("--momentum", o.momentum, "momentum of --optimizer momentum and nesterov")
      ->check(between(o.momentum, 0.0, 1.0));
  app.add_option("--weight-decay", o.weight_decay, "L2 weight decay (decoupled for adamw)")
      ->check(non_negative(o.weight_decay));
  app.add_option("--scheduler", o.scheduler, "learning-rate schedule: none, step, cosine, exponential, inverse-time")
      ->check(CLI::IsMember({"none", "step", "cosine", "exponential", "inverse-time"}));
  app.add_option("--val-fraction", o.val_fraction, "fraction of the training set held out for validation (stratified)")
      ->check(between(o.val_fraction, 0.0, 0.5));
  app.add_option("--patience", o.patience, "stop after this many epochs without a better validation loss (0: never)")
      ->check(non_negative(o.patience));
  app.add_option("--augment", o.augment,
                 "augment training batches: any of crop (pad 2 pixels, crop back to size), flip (horizontal, p = 0.5), "
                 "affine (10 degrees, 10% shift, scale 0.9-1.1), comma-separated, or none")
      ->delimiter(',')
      ->check(CLI::IsMember({"none", "crop", "flip", "affine"}));
  app.add_flag("--resume", o.resume, "continue from the checkpoint in --out");
}

}  // namespace

Command train_command() {
  auto options = std::make_shared<TrainOptions>();
  return {.name = "train",
          .help = "train a model and report test metrics as JSON",
          .shared = {.seed = "weights, shuffling, dropout, augmentation",
                     .threads = true,
                     .out = OutputOption{.help = "run directory: model, checkpoint, metrics.csv, curves.svg, config.toml",
                                         .run_name = [options] { return options->model.name; }},
                     .progress = true,
                     .data = DataSource::images},
          .add_options = [options](CLI::App& app) { add_train_options(app, *options); },
          .run = [options](const SharedOptions& shared) { return run_train(*options, shared); },
          .check = [options](const SharedOptions&) { refuse_unused_train_options(*options); }};
}

}  // namespace nabla::cli
