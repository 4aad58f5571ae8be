// nabla: the command line. Bad arguments print a usage message and exit non-zero; errors from the
// library print one line naming what went wrong, never a stack trace.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"
#include "gpt_bert_commands.h"
#include "forecast_command.h"
#include "nabla/error.h"
#include "seq2seq_command.h"
#include "text_commands.h"

using nabla::cli::EvalOptions;
using nabla::cli::FeaturesOptions;
using nabla::cli::FiltersOptions;
using nabla::cli::MisclassifiedOptions;
using nabla::cli::SummaryOptions;
using nabla::cli::TrainOptions;

namespace {

void add_train(CLI::App& app, TrainOptions& o) {
  app.add_option("--model", o.model.name, "model architecture")->check(CLI::IsMember(nabla::models::model_names()));
  app.add_option("--hidden", o.model.hidden, "hidden layer widths of the mlp")->delimiter(',');
  app.add_option("--data", o.data, "data set")->check(CLI::IsMember({"fashion-mnist", "mnist"}));
  app.add_option("--data-dir", o.data_dir, "directory of the IDX files (default: the data set's Debian location)");
  app.add_option("--epochs", o.epochs, "training epochs")->check(CLI::PositiveNumber);
  app.add_option("--batch-size", o.batch_size, "samples per batch")->check(CLI::PositiveNumber);
  app.add_option("--optimizer", o.optimizer, "sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw")
      ->check(CLI::IsMember({"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}));
  app.add_option("--lr", o.lr, "learning rate")->check(CLI::PositiveNumber);
  app.add_option("--momentum", o.momentum, "momentum (sgd family)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--weight-decay", o.weight_decay, "L2 weight decay (decoupled for adamw)")->check(CLI::NonNegativeNumber);
  app.add_option("--scheduler", o.scheduler, "learning-rate schedule: none, step, cosine, exponential, inverse-time")
      ->check(CLI::IsMember({"none", "step", "cosine", "exponential", "inverse-time"}));
  app.add_option("--val-fraction", o.val_fraction, "fraction of the training set held out for validation (stratified)")
      ->check(CLI::Range(0.0, 0.5));
  app.add_option("--patience", o.patience, "stop after this many epochs without a better validation loss (0: never)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", o.seed, "random seed (weights, shuffling, dropout, augmentation)");
  app.add_option("--augment", o.augment,
                 "augment training batches: any of crop (pad 2 pixels, crop back to size), flip (horizontal, p = 0.5), "
                 "affine (10 degrees, 10% shift, scale 0.9-1.1), comma-separated (default: none)")
      ->delimiter(',')
      ->check(CLI::IsMember({"crop", "flip", "affine"}));
  app.add_option("--threads", o.threads, "threads for kernels and BLAS (0: all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--out", o.out, "run directory: model, checkpoint, metrics.csv, curves.svg");
  app.add_flag("--resume", o.resume, "continue from the checkpoint in --out");
  app.add_flag("!--no-progress", o.progress, "no progress bar");
}

void add_eval(CLI::App& app, EvalOptions& o) {
  app.add_option("--model-file", o.model_file, "weights written by `nabla train` (model.safetensors)")
      ->required()->check(CLI::ExistingFile);
  app.add_option("--data", o.data, "data set")->check(CLI::IsMember({"fashion-mnist", "mnist"}));
  app.add_option("--data-dir", o.data_dir, "directory of the IDX files");
  app.add_option("--batch-size", o.batch_size, "samples per batch")->check(CLI::PositiveNumber);
  app.add_option("--threads", o.threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
}

void add_summary(CLI::App& app, SummaryOptions& o) {
  app.add_option("--model", o.model.name, "model architecture")
      ->required()->check(CLI::IsMember(nabla::models::model_names()));
  app.add_option("--hidden", o.model.hidden, "hidden layer widths of the mlp")->delimiter(',');
  app.add_option("--batch-size", o.batch_size, "batch dimension of the output shapes")->check(CLI::PositiveNumber);
}

void add_filters(CLI::App& app, FiltersOptions& o) {
  auto* file = app.add_option("--model-file", o.model_file, "weights written by `nabla train`")->check(CLI::ExistingFile);
  auto* model = app.add_option("--model", o.model_name, "a freshly initialised model instead (before training)")
                    ->check(CLI::IsMember(nabla::models::model_names()));
  file->excludes(model);
  app.add_option("--hidden", o.hidden, "hidden layer widths of the mlp (with --model)")->delimiter(',');
  app.add_option("--seed", o.seed, "random seed of the initialisation (with --model), as `nabla train --seed`");
  app.add_option("--out", o.out, "PNG file to write");
  app.add_option("--scale", o.scale, "pixels per weight (0: tiles about 56 pixels across)")->check(CLI::NonNegativeNumber);
}

void add_misclassified(CLI::App& app, MisclassifiedOptions& o) {
  app.add_option("--model-file", o.model_file, "weights written by `nabla train`")->required()->check(CLI::ExistingFile);
  app.add_option("--data", o.data, "data set")->check(CLI::IsMember({"fashion-mnist", "mnist"}));
  app.add_option("--data-dir", o.data_dir, "directory of the IDX files");
  app.add_option("--count", o.count, "how many wrong test images to show (the first ones)")->check(CLI::PositiveNumber);
  app.add_option("--out", o.out, "PNG file to write");
  app.add_option("--scale", o.scale, "pixels per image pixel")->check(CLI::PositiveNumber);
  app.add_option("--threads", o.threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
}

void add_features(CLI::App& app, FeaturesOptions& o) {
  app.add_option("--model-file", o.model_file, "weights written by `nabla train`")->required()->check(CLI::ExistingFile);
  app.add_option("--layer", o.layer, "dotted layer name, e.g. 0 or features.3 (a wrong name lists them)")->required();
  app.add_option("--index", o.index, "test image")->check(CLI::NonNegativeNumber);
  app.add_option("--data", o.data, "data set")->check(CLI::IsMember({"fashion-mnist", "mnist"}));
  app.add_option("--data-dir", o.data_dir, "directory of the IDX files");
  app.add_option("--out", o.out, "PNG file to write");
  app.add_option("--scale", o.scale, "pixels per map value (0: tiles about 56 pixels across)")->check(CLI::NonNegativeNumber);
  app.add_option("--threads", o.threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nabla: train and evaluate neural networks"};
  app.require_subcommand(1);
  TrainOptions train;
  EvalOptions eval;
  CLI::App* train_cmd = app.add_subcommand("train", "train a model and report test metrics as JSON");
  add_train(*train_cmd, train);
  CLI::App* eval_cmd = app.add_subcommand("eval", "evaluate saved weights on a test set");
  add_eval(*eval_cmd, eval);
  FiltersOptions filters;
  CLI::App* filters_cmd = app.add_subcommand("filters", "draw the first layer's filters as a PNG grid");
  add_filters(*filters_cmd, filters);
  MisclassifiedOptions misclassified;
  CLI::App* misclassified_cmd =
      app.add_subcommand("misclassified", "draw test images the model gets wrong, with true and predicted labels");
  add_misclassified(*misclassified_cmd, misclassified);
  FeaturesOptions features;
  CLI::App* features_cmd = app.add_subcommand("features", "draw one layer's feature maps for one test image");
  add_features(*features_cmd, features);
  SummaryOptions summary;
  CLI::App* summary_cmd = app.add_subcommand("summary", "print a model's layers, output shapes, parameters and FLOPs");
  add_summary(*summary_cmd, summary);
  nabla::cli::Seq2seqCommandOptions seq2seq;
  CLI::App* seq2seq_cmd = app.add_subcommand("seq2seq", "train seq2seq models on addition or date questions");
  nabla::cli::add_seq2seq_options(*seq2seq_cmd, seq2seq);
  nabla::cli::ForecastCommandOptions forecast;
  CLI::App* forecast_cmd =
      app.add_subcommand("forecast", "forecast daily ad impressions and clicks with an LSTM against seasonal-naive and moving-average baselines");
  nabla::cli::add_forecast_options(*forecast_cmd, forecast);
  nabla::cli::GptCommandOptions gpt;
  CLI::App* gpt_cmd = app.add_subcommand("gpt", "train a GPT-style character Transformer on WordNet's glosses and sample from it");
  nabla::cli::add_gpt_options(*gpt_cmd, gpt);
  nabla::cli::BertCommandOptions bert;
  CLI::App* bert_cmd = app.add_subcommand("bert", "BERT-style masked-word pretraining of a small encoder on WordNet's glosses");
  nabla::cli::add_bert_options(*bert_cmd, bert);
  nabla::cli::Word2VecOptions word2vec;
  CLI::App* word2vec_cmd = app.add_subcommand("word2vec", "train skip-gram or CBOW word vectors on WordNet's glosses");
  nabla::cli::add_word2vec_options(*word2vec_cmd, word2vec);
  nabla::cli::SimilarOptions similar;
  CLI::App* similar_cmd = app.add_subcommand("similar", "nearest words and analogies in vectors from `nabla word2vec`");
  nabla::cli::add_similar_options(*similar_cmd, similar);
  nabla::cli::LanguageModelOptions lm;
  CLI::App* lm_cmd = app.add_subcommand("lm", "train an LSTM language model (word or char) on WordNet's glosses");
  nabla::cli::add_lm_options(*lm_cmd, lm);
  nabla::cli::LanguageModelSampleOptions lm_sample;
  CLI::App* lm_sample_cmd = app.add_subcommand("lm-sample", "sample text from a model saved by `nabla lm`");
  nabla::cli::add_lm_sample_options(*lm_sample_cmd, lm_sample);
  CLI11_PARSE(app, argc, argv);
  try {
    if (train_cmd->parsed()) return nabla::cli::run_train(train);
    if (eval_cmd->parsed()) return nabla::cli::run_eval(eval);
    if (filters_cmd->parsed()) return nabla::cli::run_filters(filters);
    if (misclassified_cmd->parsed()) return nabla::cli::run_misclassified(misclassified);
    if (features_cmd->parsed()) return nabla::cli::run_features(features);
    if (summary_cmd->parsed()) return nabla::cli::run_summary(summary);
    if (seq2seq_cmd->parsed()) return nabla::cli::run_seq2seq(seq2seq);
    if (forecast_cmd->parsed()) return nabla::cli::run_forecast(forecast);
    if (gpt_cmd->parsed()) return nabla::cli::run_gpt(gpt);
    if (bert_cmd->parsed()) return nabla::cli::run_bert(bert);
    if (word2vec_cmd->parsed()) return nabla::cli::run_word2vec(word2vec);
    if (similar_cmd->parsed()) return nabla::cli::run_similar(similar);
    if (lm_cmd->parsed()) return nabla::cli::run_lm(lm);
    if (lm_sample_cmd->parsed()) return nabla::cli::run_lm_sample(lm_sample);
  } catch (const nabla::Error& e) {
    std::cerr << "nabla: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "nabla: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
