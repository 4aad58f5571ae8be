// `nabla gpt`: a character-level GPT trained on WordNet's glosses, then sampled.
//
// The glosses (a seeded sample of about --max-chars characters of them, if asked) are split into
// training and validation glosses, and each side becomes one character stream with a newline after
// every gloss. An epoch visits the windows of context + 1 characters that start every context
// characters of the training stream once each, in a seeded order; the model predicts characters
// 1..T of a window from characters 0..T-1. Validation reports the mean
// next-character loss over the first --val-windows windows of the validation stream, in nats and
// in bits per character. The run directory gets model.safetensors (weights, configuration and the
// character vocabulary as metadata), metrics.csv and sample.txt; stdout gets one JSON line.
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <numeric>

#include "command.h"
#include "gpt_bert_training.h"
#include "nabla/functional.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/gpt.h"
#include "nabla/models/gpt_text.h"
#include "nabla/nabla.h"

namespace nabla::cli {
namespace {

struct GptOptions {
  std::string corpus = "wordnet";  // the only one so far
  int64_t max_chars = 0;           // use only this many characters of glosses (0: all ~9 million)
  double val_fraction = 0.05;      // glosses held out for validation
  int64_t context = 128;
  int64_t layers = 4;
  int64_t d_model = 128;
  int64_t heads = 4;
  double dropout = 0.1;
  bool untied = false;             // a separate output projection instead of the tied embedding
  int64_t epochs = 1;
  int64_t batch_size = 32;
  double lr = 1e-3;
  double weight_decay = 0.1;
  int64_t warmup = 100;            // steps of linear warmup before the cosine decay
  double clip = 1.0;               // gradient-norm clipping (0: none)
  int64_t val_windows = 200;       // validation windows of `context` characters (0: all)
  std::string model_file;          // sample from a saved model instead of training
  int64_t tokens = 300;            // characters to generate after training (0: none)
  std::string prompt = "a ";
  double temperature = 0.8;
  int64_t top_k = 10;
  bool resume = false;             // continue the run in --out from its checkpoint
};

// Mean next-character loss over windows [0, count) of `stream`.
double mean_loss(models::GPT& model, const std::vector<int64_t>& stream, int64_t count, int64_t batch_size) {
  double total = 0;
  for (int64_t first = 0; first < count; first += batch_size) {
    std::vector<int64_t> which(static_cast<size_t>(std::min(batch_size, count - first)));
    std::iota(which.begin(), which.end(), first);
    const models::NextTokenBatch batch = models::stream_windows(stream, which, model.config.context);
    const Tensor logits = model(batch.inputs);
    total += F::cross_entropy(logits.reshape({-1, logits.size(2)}), batch.targets.reshape({-1})).item() *
             static_cast<double>(which.size());
  }
  return total / static_cast<double>(count);
}

models::GPTConfig config_of(const GptOptions& o, int64_t vocab_size) {
  models::GPTConfig c;
  c.vocab_size = vocab_size;
  c.context = o.context;
  c.layers = o.layers;
  c.d_model = o.d_model;
  c.heads = o.heads;
  c.dropout = o.dropout;
  c.tie_weights = !o.untied;
  return c;
}

std::map<std::string, std::string> metadata_of(const models::GPTConfig& c, const data::Vocabulary& vocabulary) {
  const nlohmann::json config = {{"vocab_size", c.vocab_size}, {"context", c.context}, {"layers", c.layers},
                                 {"d_model", c.d_model},       {"heads", c.heads},     {"feedforward", c.feedforward},
                                 {"dropout", c.dropout},       {"tie_weights", c.tie_weights}};
  return {{"model", "gpt"}, {"config", config.dump()}, {"vocabulary", nlohmann::json(vocabulary.tokens()).dump()}};
}

// A model saved by `nabla gpt` and its vocabulary.
std::pair<std::unique_ptr<models::GPT>, data::Vocabulary> load_model(const std::string& path) {
  io::SafetensorsFile file = io::load_safetensors(path);
  const auto field = [&](const char* key) -> const std::string& {
    const auto it = file.metadata.find(key);
    if (it == file.metadata.end()) throw IOError("gpt: " + path + " has no '" + key + "' metadata; it was not written by `nabla gpt`");
    return it->second;
  };
  if (field("model") != "gpt") throw IOError("gpt: " + path + " holds a '" + field("model") + "' model, not a gpt");
  try {
    const nlohmann::json j = nlohmann::json::parse(field("config"));
    models::GPTConfig c;
    c.vocab_size = j.at("vocab_size");
    c.context = j.at("context");
    c.layers = j.at("layers");
    c.d_model = j.at("d_model");
    c.heads = j.at("heads");
    c.feedforward = j.at("feedforward");
    c.dropout = j.at("dropout");
    c.tie_weights = j.at("tie_weights");
    auto model = std::make_unique<models::GPT>(c);
    model->load_state_dict(file.tensors);
    std::vector<std::string> tokens = nlohmann::json::parse(field("vocabulary")).get<std::vector<std::string>>();
    std::vector<int64_t> counts(tokens.size(), 0);
    return {std::move(model), data::Vocabulary(std::move(tokens), std::move(counts))};
  } catch (const nlohmann::json::exception& e) {
    throw IOError("gpt: " + path + ": malformed metadata: " + e.what());
  }
}

// Options that would change nothing in the combination given are refused rather than ignored:
// the sampling options without a sample, and the corpus, architecture and training options with
// --model-file, which samples from a trained model as it is.
void refuse_unused_gpt_options(const GptOptions& o) {
  const GptOptions defaults;
  check_heads_divide_width(o.d_model, o.heads);
  refuse_sampling_without_sample(o, defaults);
  if (o.model_file.empty()) return;
  const std::string why = "with --model-file: that model is sampled from as it is, not trained";
  const std::pair<const char*, bool> changed[] = {
      {"--max-chars", o.max_chars != defaults.max_chars},  {"--val-fraction", o.val_fraction != defaults.val_fraction},
      {"--context", o.context != defaults.context},        {"--layers", o.layers != defaults.layers},
      {"--d-model", o.d_model != defaults.d_model},        {"--heads", o.heads != defaults.heads},
      {"--dropout", o.dropout != defaults.dropout},        {"--untied", o.untied != defaults.untied},
      {"--epochs", o.epochs != defaults.epochs},           {"--batch-size", o.batch_size != defaults.batch_size},
      {"--lr", o.lr != defaults.lr},                       {"--weight-decay", o.weight_decay != defaults.weight_decay},
      {"--warmup", o.warmup != defaults.warmup},           {"--clip", o.clip != defaults.clip},
      {"--val-windows", o.val_windows != defaults.val_windows}, {"--resume", o.resume}};
  for (const auto& [option, is_changed] : changed)
    if (is_changed) refuse_unused(option, why);
}

void add_gpt_options(CLI::App& app, GptOptions& o) {
  app.add_option("--corpus", o.corpus, "text corpus")->check(CLI::IsMember({"wordnet"}));
  app.add_option("--max-chars", o.max_chars, "use only about this many characters of glosses (0: all, ~9 million)")
      ->check(non_negative(o.max_chars));
  app.add_option("--val-fraction", o.val_fraction, "fraction of the glosses held out for validation")
      ->check(between(o.val_fraction, 0.0, 0.5));
  app.add_option("--context", o.context, "characters the model reads at once")->check(positive(o.context));
  app.add_option("--layers", o.layers, "Transformer blocks")->check(positive(o.layers));
  app.add_option("--d-model", o.d_model, "embedding width")->check(positive(o.d_model));
  app.add_option("--heads", o.heads, "attention heads (must divide --d-model)")->check(positive(o.heads));
  app.add_option("--dropout", o.dropout, "dropout in training")->check(between(o.dropout, 0.0, 0.9));
  app.add_flag("--untied", o.untied, "a separate output projection instead of the token embedding");
  app.add_option("--epochs", o.epochs, "passes over the training windows (no training with --model-file)")
      ->check(non_negative(o.epochs));
  app.add_option("--batch-size", o.batch_size, "windows per batch")->check(positive(o.batch_size));
  app.add_option("--lr", o.lr, "peak learning rate of AdamW")->check(positive(o.lr));
  app.add_option("--weight-decay", o.weight_decay, "AdamW's decoupled weight decay")
      ->check(non_negative(o.weight_decay));
  app.add_option("--warmup", o.warmup, "steps of linear warmup (at most a tenth of all steps), then cosine decay")
      ->check(non_negative(o.warmup));
  app.add_option("--clip", o.clip, "clip gradients to this global norm (0: off)")->check(non_negative(o.clip));
  app.add_option("--val-windows", o.val_windows, "validation windows (0: the whole validation text)")
      ->check(non_negative(o.val_windows));
  app.add_option("--model-file", o.model_file, "sample from a model saved by `nabla gpt` instead of training one")
      ->check(CLI::ExistingFile);
  app.add_option("--tokens", o.tokens, "characters to generate at the end (0: none)")->check(non_negative(o.tokens));
  app.add_option("--prompt", o.prompt, "text the sample continues; longer than --context: only its end is read");
  app.add_option("--temperature", o.temperature, "sampling temperature (> 0; lower is more conservative)")
      ->check(positive(o.temperature));
  app.add_option("--top-k", o.top_k, "draw only from the k most likely characters (0: all, 1: greedy)")
      ->check(non_negative(o.top_k));
  app.add_flag("--resume", o.resume, "continue the run in --out from its checkpoint");
}

int run_gpt(const GptOptions& o, const SharedOptions& shared) {
  nlohmann::json summary;
  std::unique_ptr<models::GPT> model;
  data::Vocabulary vocabulary({"<unk>"}, {0});
  if (!o.model_file.empty()) {
    std::tie(model, vocabulary) = load_model(o.model_file);
    model->eval();
    summary["model_file"] = o.model_file;
  } else {
    models::CharacterCorpusOptions corpus_options;
    corpus_options.max_chars = o.max_chars;
    corpus_options.validation_fraction = o.val_fraction;
    corpus_options.seed = shared.seed;
    const models::CharacterCorpus corpus = models::make_character_corpus(
        data::load_wordnet_glosses(shared.data_dir), corpus_options);
    vocabulary = corpus.vocabulary;
    model = std::make_unique<models::GPT>(config_of(o, vocabulary.size()));
    const int64_t length = o.context, windows = models::window_count(corpus.train, length);
    if (windows < o.batch_size)
      throw Error("gpt: " + std::to_string(corpus.train.size()) + " training characters make " + std::to_string(windows) +
                  " windows of " + std::to_string(length + 1) + ", fewer than one batch of " + std::to_string(o.batch_size));
    const int64_t validation_windows = o.val_windows > 0 ? std::min(o.val_windows, models::window_count(corpus.validation, length))
                                                         : models::window_count(corpus.validation, length);
    if (validation_windows == 0) throw Error("gpt: the validation text is shorter than one window; raise --val-fraction");
    std::cerr << "gpt: " << corpus.train.size() << " training and " << corpus.validation.size()
              << " validation characters, " << vocabulary.size() << " distinct, " << model->parameter_count()
              << " parameters\n";

    const TrainingLoss loss = [&](const std::vector<int64_t>& which) {
      const models::NextTokenBatch batch = models::stream_windows(corpus.train, which, length);
      const Tensor logits = (*model)(batch.inputs);
      return F::cross_entropy(logits.reshape({-1, logits.size(2)}), batch.targets.reshape({-1}));
    };
    const Validation validate = [&] {
      const double l = mean_loss(*model, corpus.validation, validation_windows, o.batch_size);
      return train::Metrics{{"val_loss", l}, {"val_bpc", l / std::log(2.0)}};
    };
    LanguageModelTraining training;
    training.epochs = o.epochs;
    training.examples = windows;
    training.batch_size = o.batch_size;
    training.seed = shared.seed;
    training.lr = o.lr;
    training.weight_decay = o.weight_decay;
    training.warmup_steps = o.warmup;
    training.clip_norm = o.clip;
    training.progress = shared.progress;
    training.out = shared.out;
    training.resume = o.resume;
    const train::FitResult fitted = train_language_model(*model, training, loss, validate);
    std::filesystem::create_directories(shared.out);
    io::save_safetensors((std::filesystem::path(shared.out) / "model.safetensors").string(), model->state_dict(),
                         metadata_of(model->config, vocabulary));
    double seconds = 0;
    for (const train::EpochRecord& e : fitted.epochs) seconds += e.seconds;
    summary["train_seconds"] = seconds;
    summary["epochs"] = o.epochs;
    summary["steps"] = o.epochs * training.batches_per_epoch();
    summary["train_chars"] = corpus.train.size();
    if (!fitted.epochs.empty()) {
      summary["train_loss"] = fitted.epochs.back().train_loss;
      summary["val_loss"] = fitted.epochs.back().metric("val_loss");
      summary["val_bpc"] = fitted.epochs.back().metric("val_bpc");
    }
    summary["out"] = shared.out;
  }
  summary["params"] = model->parameter_count();
  summary["vocab_size"] = vocabulary.size();
  summary["threads"] = get_num_threads();
  if (o.tokens > 0) {
    models::GenerationOptions generation;
    generation.new_tokens = o.tokens;
    generation.sampling = {o.temperature, o.top_k};
    Generator generator(shared.seed);
    const std::vector<int64_t> ids = models::generate(*model, models::encode_characters_strictly(o.prompt, vocabulary), generation, generator);
    const std::string text = vocabulary.decode_text(ids, "");
    std::cerr << "--- sample (temperature " << o.temperature << ", top-k " << o.top_k << ") ---\n" << text << "\n---\n";
    summary["sample"] = text;
    if (o.model_file.empty()) std::ofstream(std::filesystem::path(shared.out) / "sample.txt") << text << "\n";
  }
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace

Command gpt_command() {
  auto options = std::make_shared<GptOptions>();
  return {.name = "gpt",
          .help = "train a GPT-style character Transformer on WordNet's glosses and sample from it",
          .shared = {.seed = "split, weights, batch order, dropout, sampling",
                     .threads = true,
                     .out = OutputOption{.help = "run directory: model.safetensors, metrics.csv, sample.txt, config.toml",
                                         .run_name = [options] { return options->model_file.empty() ? "gpt" : ""; }},
                     .progress = true,
                     .data = DataSource::wordnet},
          .add_options = [options](CLI::App& app) { add_gpt_options(app, *options); },
          .run = [options](const SharedOptions& shared) { return run_gpt(*options, shared); },
          .check = [options](const SharedOptions&) { refuse_unused_gpt_options(*options); }};
}

}  // namespace nabla::cli
