// `nabla bert`: BERT-style masked-token pretraining of a small encoder on WordNet's glosses.
//
// Each gloss becomes one sentence of lowercase words and punctuation: [CLS] w1 ... wn [SEP], cut to
// --context tokens and padded with [PAD]. Words seen fewer than --min-count times in the training
// glosses become [UNK]. Every training batch is corrupted afresh by BERT's rule (data/masked_lm.h:
// 15% of the ordinary tokens chosen; 80% of those become [MASK], 10% a random word, 10% stay), and
// the loss is the cross entropy at the chosen positions only (ignore_index elsewhere). Validation
// corrupts the held-out sentences once, with a fixed seed, and reports the loss and the accuracy of
// the predicted token at the chosen positions. At the end a few validation sentences are shown
// with one word masked and the model's three best guesses. The run directory gets
// model.safetensors (weights, configuration, vocabulary) and metrics.csv; stdout gets one JSON line.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <numeric>

#include "command.h"
#include "gpt_bert_training.h"
#include "nabla/data/text.h"
#include "nabla/functional.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/bert.h"
#include "nabla/models/masked_lm.h"
#include "nabla/nabla.h"

namespace nabla::cli {
namespace {

struct BertOptions {
  std::string corpus = "wordnet";  // the only one so far
  int64_t max_sentences = 20000;   // glosses used (0: all ~118,000)
  double val_fraction = 0.05;
  int64_t min_count = 3;           // words seen fewer times in the training glosses become [UNK]
  int64_t context = 32;            // tokens per sentence, [CLS] and [SEP] included
  int64_t layers = 2;
  int64_t d_model = 128;
  int64_t heads = 4;
  double dropout = 0.1;
  int64_t epochs = 3;
  int64_t batch_size = 64;
  double lr = 1e-3;
  double weight_decay = 0.01;
  int64_t warmup = 100;
  double clip = 1.0;
  int64_t examples = 5;            // filled-in validation sentences printed at the end
  bool resume = false;             // continue the run in --out from its checkpoint
};

const std::vector<std::string> kSpecials = {"[PAD]", "[CLS]", "[SEP]", "[MASK]"};

// The sentences of a run as padded token rows [count, context], and the vocabulary.
struct Sentences {
  std::vector<int64_t> ids;  // row-major [count, context]
  int64_t count = 0;
};

struct MaskedCorpus {
  data::Vocabulary vocabulary;
  Sentences train, validation;
  int64_t pad = 0, cls = 0, sep = 0, mask = 0;
};

Sentences encode(const std::vector<std::vector<std::string>>& sentences, const MaskedCorpus& c, int64_t context) {
  Sentences out;
  for (const auto& words : sentences) {
    std::vector<int64_t> row = {c.cls};
    for (const std::string& w : words) {
      if (static_cast<int64_t>(row.size()) == context - 1) break;
      row.push_back(c.vocabulary.id(w));
    }
    row.push_back(c.sep);
    row.resize(static_cast<size_t>(context), c.pad);
    out.ids.insert(out.ids.end(), row.begin(), row.end());
    ++out.count;
  }
  return out;
}

MaskedCorpus load_corpus(const BertOptions& o, const SharedOptions& shared) {
  std::vector<std::string> glosses = data::load_wordnet_glosses(shared.data_dir);
  if (o.max_sentences > 0 && static_cast<size_t>(o.max_sentences) < glosses.size()) {  // a seeded sample
    Generator generator(shared.seed);
    shuffle(glosses, generator);
    glosses.resize(static_cast<size_t>(o.max_sentences));
  }
  const data::DocumentSplit split = data::split_documents(glosses, o.val_fraction, shared.seed);
  if (split.train.empty() || split.validation.empty())
    throw Error("bert: " + std::to_string(glosses.size()) + " sentences leave no validation or no training set at --val-fraction " +
                std::to_string(o.val_fraction));
  std::vector<std::vector<std::string>> train, validation;
  for (const std::string& g : split.train) train.push_back(data::tokenize(g));
  for (const std::string& g : split.validation) validation.push_back(data::tokenize(g));
  data::VocabularyOptions options;
  options.min_count = o.min_count;
  options.unknown = "[UNK]";
  options.specials = kSpecials;
  MaskedCorpus c{data::Vocabulary::from_counts(data::count_tokens(split.train), options), {}, {}};
  c.pad = c.vocabulary.id("[PAD]");
  c.cls = c.vocabulary.id("[CLS]");
  c.sep = c.vocabulary.id("[SEP]");
  c.mask = c.vocabulary.id("[MASK]");
  c.train = encode(train, c, o.context);
  c.validation = encode(validation, c, o.context);
  return c;
}

models::MaskingOptions masking_of(const MaskedCorpus& c) {
  models::MaskingOptions m;
  m.mask_id = c.mask;
  m.vocab_size = c.vocabulary.size();
  m.special_ids = {c.pad, c.cls, c.sep, c.mask, data::Vocabulary::unknown_id};
  return m;
}

Tensor rows(const Sentences& s, const std::vector<int64_t>& which, int64_t context) {
  std::vector<int64_t> ids;
  for (int64_t r : which) ids.insert(ids.end(), s.ids.begin() + r * context, s.ids.begin() + (r + 1) * context);
  return from_vector(ids, {static_cast<int64_t>(which.size()), context});
}

Tensor masked_loss(models::BertForMaskedLM& model, const models::MaskedTokens& batch) {
  const Tensor logits = model(batch.inputs);
  return F::cross_entropy(logits.reshape({-1, logits.size(2)}), batch.labels.reshape({-1}));
}

// Loss and accuracy over the validation sentences, corrupted once with a fixed seed.
train::Metrics validate(models::BertForMaskedLM& model, const models::MaskedTokens& corrupted, int64_t batch_size) {
  const int64_t count = corrupted.inputs.size(0);
  double loss_sum = 0, correct = 0, chosen = 0;
  for (int64_t first = 0; first < count; first += batch_size) {
    const int64_t last = std::min(count, first + batch_size);
    const models::MaskedTokens batch{corrupted.inputs.slice(0, first, last), corrupted.labels.slice(0, first, last)};
    const Tensor logits = model(batch.inputs);
    const Tensor flat = logits.reshape({-1, logits.size(2)});
    const Tensor labels = batch.labels.reshape({-1});
    const std::vector<int64_t> predicted = argmax(flat, 1).to_vector<int64_t>(), truth = labels.to_vector<int64_t>();
    int64_t here = 0;
    for (size_t i = 0; i < truth.size(); ++i)
      if (truth[i] >= 0) {
        ++here;
        correct += predicted[i] == truth[i];
      }
    if (here > 0) loss_sum += F::cross_entropy(flat, labels, {.reduction = F::Reduction::sum}).item();
    chosen += static_cast<double>(here);
  }
  return {{"val_loss", loss_sum / chosen}, {"val_masked_accuracy", correct / chosen}};
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The first `count` validation sentences of at least five words, with the word in the middle
// replaced by [MASK], and the model's three best guesses for it.
nlohmann::json fill_in_examples(models::BertForMaskedLM& model, const MaskedCorpus& c, int64_t count, int64_t context) {
  nlohmann::json examples = nlohmann::json::array();
  for (int64_t r = 0; r < c.validation.count && static_cast<int64_t>(examples.size()) < count; ++r) {
    std::vector<int64_t> row(c.validation.ids.begin() + r * context, c.validation.ids.begin() + (r + 1) * context);
    const int64_t length = std::find(row.begin(), row.end(), c.sep) - row.begin();  // [CLS] + words
    if (length < 6) continue;
    const int64_t at = length / 2;
    const int64_t truth = row[static_cast<size_t>(at)];
    if (truth == data::Vocabulary::unknown_id) continue;
    row[static_cast<size_t>(at)] = c.mask;
    const Tensor logits = model(from_vector(row, {1, context})).select(0, 0).select(0, at);
    std::vector<double> scores = logits.to_vector<double>();
    std::vector<int64_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 3, order.end(), [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
    std::vector<std::string> words;
    for (int64_t t = 1; t < length; ++t) words.push_back(c.vocabulary.token(row[static_cast<size_t>(t)]));
    examples.push_back({{"sentence", join_words(words)},
                        {"answer", c.vocabulary.token(truth)},
                        {"guesses", {c.vocabulary.token(order[0]), c.vocabulary.token(order[1]), c.vocabulary.token(order[2])}}});
  }
  return examples;
}

void add_bert_options(CLI::App& app, BertOptions& o) {
  app.add_option("--corpus", o.corpus, "text corpus")->check(CLI::IsMember({"wordnet"}));
  app.add_option("--max-sentences", o.max_sentences, "glosses used (0: all, ~118,000)")
      ->check(non_negative(o.max_sentences));
  app.add_option("--val-fraction", o.val_fraction, "fraction of the glosses held out for validation")
      ->check(between(o.val_fraction, 0.0, 0.5));
  app.add_option("--min-count", o.min_count, "words seen fewer times become [UNK]")->check(positive(o.min_count));
  app.add_option("--context", o.context, "tokens per sentence, [CLS] and [SEP] included")
      ->check(between(o.context, 3, 100000));
  app.add_option("--layers", o.layers, "encoder layers")->check(positive(o.layers));
  app.add_option("--d-model", o.d_model, "embedding width")->check(positive(o.d_model));
  app.add_option("--heads", o.heads, "attention heads (must divide --d-model)")->check(positive(o.heads));
  app.add_option("--dropout", o.dropout, "dropout in training")->check(between(o.dropout, 0.0, 0.9));
  app.add_option("--epochs", o.epochs, "passes over the training sentences")->check(positive(o.epochs));
  app.add_option("--batch-size", o.batch_size, "sentences per batch")->check(positive(o.batch_size));
  app.add_option("--lr", o.lr, "peak learning rate of AdamW")->check(positive(o.lr));
  app.add_option("--weight-decay", o.weight_decay, "AdamW's decoupled weight decay")
      ->check(non_negative(o.weight_decay));
  app.add_option("--warmup", o.warmup, "steps of linear warmup (at most a tenth of all steps), then cosine decay")
      ->check(non_negative(o.warmup));
  app.add_option("--clip", o.clip, "clip gradients to this global norm (0: off)")->check(non_negative(o.clip));
  app.add_option("--examples", o.examples, "filled-in validation sentences shown at the end")
      ->check(non_negative(o.examples));
  app.add_flag("--resume", o.resume, "continue the run in --out from its checkpoint");
}

int run_bert(const BertOptions& o, const SharedOptions& shared) {
  const MaskedCorpus corpus = load_corpus(o, shared);
  if (corpus.train.count < o.batch_size)
    throw Error("bert: " + std::to_string(corpus.train.count) + " training sentences are fewer than one batch of " +
                std::to_string(o.batch_size));
  models::BertConfig config;
  config.vocab_size = corpus.vocabulary.size();
  config.context = o.context;
  config.layers = o.layers;
  config.d_model = o.d_model;
  config.heads = o.heads;
  config.dropout = o.dropout;
  config.pad_id = corpus.pad;
  models::BertForMaskedLM model(config);
  std::cerr << "bert: " << corpus.train.count << " training and " << corpus.validation.count << " validation sentences, "
            << config.vocab_size << " tokens, " << model.parameter_count() << " parameters\n";

  const models::MaskingOptions masking = masking_of(corpus);
  Generator masking_generator(shared.seed + 1);
  Generator validation_masking(12345);  // the same corruption of the validation set in every run
  const models::MaskedTokens validation_set = models::mask_tokens(
      from_vector(corpus.validation.ids, {corpus.validation.count, o.context}), masking, validation_masking);
  const TrainingLoss loss = [&](const std::vector<int64_t>& which) {
    return masked_loss(model, models::mask_tokens(rows(corpus.train, which, o.context), masking, masking_generator));
  };
  const Validation validation = [&] { return validate(model, validation_set, o.batch_size); };
  LanguageModelTraining training;
  training.epochs = o.epochs;
  training.examples = corpus.train.count;
  training.batch_size = o.batch_size;
  training.seed = shared.seed;
  training.lr = o.lr;
  training.weight_decay = o.weight_decay;
  training.warmup_steps = o.warmup;
  training.clip_norm = o.clip;
  training.progress = shared.progress;
  training.out = shared.out;
  training.resume = o.resume;
  training.data_generator = &masking_generator;
  const train::FitResult fitted = train_language_model(model, training, loss, validation);

  std::vector<std::string> tokens;
  for (int64_t id = 0; id < corpus.vocabulary.size(); ++id) tokens.push_back(corpus.vocabulary.token(id));
  const nlohmann::json saved_config = {{"vocab_size", config.vocab_size}, {"context", config.context}, {"layers", config.layers},
                                       {"d_model", config.d_model},       {"heads", config.heads},     {"pad_id", config.pad_id}};
  std::filesystem::create_directories(shared.out);
  io::save_safetensors((std::filesystem::path(shared.out) / "model.safetensors").string(), model.state_dict(),
                       {{"model", "bert"}, {"config", saved_config.dump()}, {"vocabulary", nlohmann::json(tokens).dump()}});

  nlohmann::json examples;
  {
    NoGradGuard no_grad;
    examples = fill_in_examples(model, corpus, o.examples, o.context);
  }
  for (const auto& e : examples)
    std::cerr << "  " << e.at("sentence").get<std::string>() << "\n    answer: " << e.at("answer").get<std::string>()
              << "  guesses: " << e.at("guesses").dump() << "\n";
  double seconds = 0;
  for (const train::EpochRecord& e : fitted.epochs) seconds += e.seconds;
  nlohmann::json summary = {{"train_seconds", seconds},
                            {"epochs", o.epochs},
                            {"steps", o.epochs * training.batches_per_epoch()},
                            {"train_sentences", corpus.train.count},
                            {"vocab_size", config.vocab_size},
                            {"params", model.parameter_count()},
                            {"threads", get_num_threads()},
                            {"examples", examples},
                            {"out", shared.out}};
  if (!fitted.epochs.empty()) {
    summary["train_loss"] = fitted.epochs.back().train_loss;
    summary["val_loss"] = fitted.epochs.back().metric("val_loss");
    summary["val_masked_accuracy"] = fitted.epochs.back().metric("val_masked_accuracy");
  }
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace

Command bert_command() {
  auto options = std::make_shared<BertOptions>();
  return {.name = "bert",
          .help = "BERT-style masked-word pretraining of a small encoder on WordNet's glosses",
          .shared = {.seed = "split, weights, masking, batch order, dropout",
                     .threads = true,
                     .out = OutputOption{.help = "run directory: model.safetensors, metrics.csv, config.toml",
                                         .run_name = [] { return "bert"; }},
                     .progress = true,
                     .data = DataSource::wordnet},
          .add_options = [options](CLI::App& app) { add_bert_options(app, *options); },
          .run = [options](const SharedOptions& shared) { return run_bert(*options, shared); },
          .check = [options](const SharedOptions&) { check_heads_divide_width(options->d_model, options->heads); }};
}

}  // namespace nabla::cli
