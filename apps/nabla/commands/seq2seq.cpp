// `nabla seq2seq`: trains one seq2seq model (or, with --compare, each variant of the course's
// table in turn) on generated addition or date questions with teacher forcing, Adam and gradient
// clipping; after every epoch prints the validation exact-match accuracy (greedy decoding), and at
// the end one JSON line of results (with --compare, a Markdown table as well). Writes into --out:
// model.safetensors, metrics.csv and, for attention models, attention_<i>.png heat maps.
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "command.h"
#include "nabla/io/png.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/attention_heatmap.h"
#include "nabla/models/bleu.h"
#include "nabla/models/seq2seq.h"
#include "nabla/models/seq2seq_data.h"
#include "nabla/nabla.h"
#include "nabla/optim/clip.h"
#include "nabla/optim/optimizer.h"
#include "nabla/train/trainer.h"

namespace nabla::cli {
namespace {

struct Seq2seqOptions {
  std::string data = "dates";      // addition, dates
  std::string variant = "attention";  // plain, reverse, peeky, reverse-peeky, attention, reverse-attention
  bool compare = false;            // every variant of the course's table, one after the other
  int64_t epochs = 10;
  int64_t batch_size = 128;
  int64_t hidden = 256;
  int64_t embedding = 16;
  double lr = 1e-3;
  double clip = 5.0;               // gradient norm clipping, as the course's max_grad
  int64_t train_size = 45000, validation_size = 5000;
  int64_t beam_width = 0;          // > 1: also score the final model with beam search
  int64_t beam_examples = 500;     // on this many validation questions (beam search is per question)
  int64_t heatmaps = 3;            // attention pictures of the first validation questions
  bool resume = false;             // continue the run in --out from its checkpoint
  std::string model_file;          // score this trained model instead of training one
};

using models::CharVocabulary;
using models::Seq2seqBatch;
using models::Seq2seqExample;

// The course's comparison: the baseline, each improvement alone, both, and attention.
const std::vector<std::string> kCompared = {"plain", "reverse", "peeky", "reverse-peeky", "attention"};

struct Evaluation {
  double accuracy = 0, bleu = 0;
  std::vector<std::string> predictions;
};

// Greedy answers for every example, in batches; exact match and character BLEU-4 against the targets.
Evaluation evaluate(models::Seq2seq& model, const models::Seq2seqBatch& encoded, const std::vector<models::Seq2seqExample>& examples,
                    const models::CharVocabulary& vocab) {
  constexpr int64_t kEvalBatch = 1000;
  Evaluation e;
  std::vector<std::string> targets;
  const int64_t n = encoded.size();
  int64_t right = 0;
  for (int64_t begin = 0; begin < n; begin += kEvalBatch) {
    const int64_t end = std::min(n, begin + kEvalBatch);
    for (const auto& ids : model.greedy(encoded.source.slice(0, begin, end))) e.predictions.push_back(vocab.decode(ids));
  }
  for (int64_t i = 0; i < n; ++i) {
    targets.push_back(examples[static_cast<size_t>(i)].target);
    right += e.predictions[static_cast<size_t>(i)] == targets.back();
  }
  e.accuracy = n == 0 ? 0 : static_cast<double>(right) / static_cast<double>(n);
  e.bleu = models::corpus_bleu_chars(e.predictions, targets).bleu;
  return e;
}

// Exact match of beam search's best answer on the first `count` examples.
double beam_accuracy(models::Seq2seq& model, const models::Seq2seqBatch& encoded, const std::vector<models::Seq2seqExample>& examples,
                     const models::CharVocabulary& vocab, int64_t width, int64_t count) {
  count = std::min(count, encoded.size());
  int64_t right = 0;
  for (int64_t i = 0; i < count; ++i) {
    std::vector<int64_t> best = model.beam_search(encoded.source.select(0, i), width).at(0).tokens;
    right += vocab.decode(best) == examples[static_cast<size_t>(i)].target;  // decode stops at the end token
  }
  return count == 0 ? 0 : static_cast<double>(right) / static_cast<double>(count);
}

std::vector<std::string> as_labels(const std::string& text) {
  std::vector<std::string> out;
  for (char c : text) out.emplace_back(1, c);
  return out;
}

// One picture per question: its characters across, the greedy answer and the end token down. The
// question is padded to the task's length, as in training (the encoder reads the padding too); the
// padding columns, which attention masks out, are left off the picture.
void write_heatmaps(models::Seq2seq& model, const models::Seq2seqBatch& encoded, const std::vector<models::Seq2seqExample>& examples,
                    const models::CharVocabulary& vocab, int64_t count, const std::filesystem::path& dir) {
  for (int64_t i = 0; i < std::min<int64_t>(count, encoded.size()); ++i) {
    const std::string& question = examples[static_cast<size_t>(i)].source;
    const Tensor source = encoded.source.slice(0, i, i + 1);
    std::vector<int64_t> answer = model.greedy(source).at(0);
    const std::string answer_text = vocab.decode(answer);
    answer.push_back(models::CharVocabulary::end);
    std::vector<std::string> rows = as_labels(answer_text);
    rows.resize(answer.size(), "end");
    const Tensor weights = model.attention_weights(source, answer).slice(1, 0, static_cast<int64_t>(question.size()));
    models::AttentionHeatmapOptions o;
    o.title = question + " -> " + answer_text;
    io::write_png((dir / ("attention_" + std::to_string(i) + ".png")).string(),
                  models::attention_heatmap(weights, as_labels(question), rows, o));
  }
}

struct RunResult {
  std::string variant;
  double accuracy = 0, bleu = 0, beam_accuracy = -1, train_loss = 0, seconds_per_epoch = 0;
  int64_t parameters = 0, hidden = 0;
};

models::Seq2seqOptions model_options_for(const std::string& variant, int64_t vocab_size, int64_t embedding,
                                         int64_t hidden, const models::Seq2seqData& data) {
  models::Seq2seqOptions options{.vocab_size = vocab_size, .embedding_dim = embedding, .hidden_size = hidden,
                                 .max_source_length = data.source_length, .max_target_length = data.target_length};
  models::apply_seq2seq_variant(variant, options);
  return options;
}

// The training set in shuffled mini-batches; the order is drawn from the global generator, which
// the checkpoint keeps, so a resumed run sees the batches an uninterrupted one would have.
train::Batches<Seq2seqBatch> shuffled_batches(const Seq2seqBatch& all, int64_t batch_size) {
  const int64_t n = all.size();
  train::Batches<Seq2seqBatch> batches;
  batches.count = (n + batch_size - 1) / batch_size;
  batches.for_each = [&all, n, batch_size](int64_t, const std::function<void(const Seq2seqBatch&)>& visit) {
    const std::vector<int64_t> order = randperm(n).to_vector<int64_t>();
    for (int64_t begin = 0; begin < n; begin += batch_size)
      visit(select_rows(all, std::vector<int64_t>(order.begin() + begin, order.begin() + std::min(n, begin + batch_size))));
  };
  return batches;
}

// Trains `model` (or continues its run with --resume) and returns the last validation evaluation.
Evaluation fit(models::Seq2seq& model, const Seq2seqOptions& o, const SharedOptions& shared, const std::string& variant,
               const Seq2seqBatch& train_set, const Seq2seqBatch& validation, const models::Seq2seqData& data,
               const models::CharVocabulary& vocab, const std::filesystem::path& dir, RunResult& r) {
  optim::Adam adam(model.parameters(), {.lr = o.lr});
  std::optional<Evaluation> last;
  train::FitOptions options{
      .epochs = o.epochs, .out_dir = dir.string(), .resume = o.resume, .progress = shared.progress,
      .clip_grad_norm = o.clip, .monitor = "val_exact_match", .monitor_mode = train::EarlyStopping::Mode::max,
      .validate = [&](nn::Module&) -> train::Metrics {
        last = evaluate(model, validation, data.validation, vocab);
        return {{"val_exact_match", last->accuracy}, {"val_bleu", last->bleu}};
      },
      .report = [&variant](const train::EpochRecord& e) {
        std::cout << variant << "  epoch " << e.epoch << "/" << e.epochs << "  loss " << std::fixed
                  << std::setprecision(4) << e.train_loss << "  val exact match " << e.metric("val_exact_match")
                  << "  val BLEU " << e.metric("val_bleu") << "  (" << std::setprecision(1) << e.seconds << " s)"
                  << std::endl;
        std::cout.unsetf(std::ios::floatfield);
      }};
  train::Trainer trainer(model, adam, options);
  const train::FitResult result = trainer.fit<Seq2seqBatch>(
      shuffled_batches(train_set, o.batch_size), [](nn::Module& m, const Seq2seqBatch& b) -> train::StepResult {
        return {static_cast<models::Seq2seq&>(m).loss(b.source, b.decoder_input, b.decoder_target)};
      });
  if (!result.epochs.empty()) r.train_loss = result.epochs.back().train_loss;
  r.seconds_per_epoch = result.epochs_run > 0 ? result.train_seconds / static_cast<double>(result.epochs_run) : 0;
  model.eval();
  return last ? *last : evaluate(model, validation, data.validation, vocab);  // a resumed run that was complete
}

// The model a run directory's model.safetensors holds, checked against the task it is asked to answer.
std::unique_ptr<models::Seq2seq> load_model(const std::string& path, const std::string& task,
                                            const models::Seq2seqData& data, const models::CharVocabulary& vocab,
                                            std::string& variant) {
  const io::SafetensorsFile file = io::load_safetensors(path);
  auto field = [&](const char* key) {
    const auto it = file.metadata.find(key);
    if (it == file.metadata.end()) throw IOError(path + ": not a seq2seq model (no '" + key + "' in its metadata)");
    return it->second;
  };
  if (field("task") != task) throw Error(path + ": a model for '" + field("task") + "', not for --data " + task);
  if (field("vocabulary") != vocab.characters())
    throw Error(path + ": its vocabulary differs from the task's (generated with another --seed or sizes?)");
  variant = field("variant");
  auto model = std::make_unique<models::Seq2seq>(model_options_for(
      variant, vocab.size(), std::stoll(field("embedding")), std::stoll(field("hidden")), data));
  model->load_state_dict(file.tensors);
  model->eval();
  return model;
}

// Trains one variant (or, with --model-file, loads a trained model) and scores it on the validation set.
RunResult run_one(const Seq2seqOptions& o, const SharedOptions& shared, std::string variant,
                  const models::Seq2seqData& data, const models::CharVocabulary& vocab, const std::filesystem::path& dir) {
  manual_seed(shared.seed);  // each variant from the same start, so --compare's rows differ by their model alone
  const Seq2seqBatch validation = encode_seq2seq(data.validation, vocab, data.source_length, data.target_length);
  std::unique_ptr<models::Seq2seq> model;
  RunResult r;
  Evaluation last;
  if (!o.model_file.empty()) {
    model = load_model(o.model_file, o.data, data, vocab, variant);
    last = evaluate(*model, validation, data.validation, vocab);
  } else {
    model = std::make_unique<models::Seq2seq>(model_options_for(variant, vocab.size(), o.embedding, o.hidden, data));
    const Seq2seqBatch train_set = encode_seq2seq(data.train, vocab, data.source_length, data.target_length);
    last = fit(*model, o, shared, variant, train_set, validation, data, vocab, dir, r);
  }
  r.variant = variant;
  r.parameters = model->parameter_count();
  r.hidden = model->options.hidden_size;
  r.accuracy = last.accuracy;
  r.bleu = last.bleu;
  if (o.beam_width > 1)
    r.beam_accuracy = beam_accuracy(*model, validation, data.validation, vocab, o.beam_width, o.beam_examples);

  std::filesystem::create_directories(dir);
  if (o.model_file.empty())
    io::save_safetensors((dir / "model.safetensors").string(), model->state_dict(),
                         {{"task", o.data}, {"variant", variant}, {"vocabulary", vocab.characters()},
                          {"hidden", std::to_string(o.hidden)}, {"embedding", std::to_string(o.embedding)}});
  if (model->options.decoder == models::Seq2seqDecoder::attention)
    write_heatmaps(*model, validation, data.validation, vocab, o.heatmaps, dir);
  // A few answers, to see what the model gets wrong.
  for (size_t i = 0; i < std::min<size_t>(3, data.validation.size()); ++i)
    std::cout << "  " << data.validation[i].source << " -> " << last.predictions[i]
              << (last.predictions[i] == data.validation[i].target ? "" : "  (wrong: " + data.validation[i].target + ")")
              << "\n";
  return r;
}

nlohmann::json as_json(const Seq2seqOptions& o, const RunResult& r) {
  nlohmann::json j = {{"task", o.data},
                      {"variant", r.variant},
                      {"epochs", o.epochs},
                      {"hidden", r.hidden},
                      {"batch_size", o.batch_size},
                      {"parameters", r.parameters},
                      {"train_loss", r.train_loss},
                      {"val_exact_match", r.accuracy},
                      {"val_bleu", r.bleu},
                      {"seconds_per_epoch", r.seconds_per_epoch}};
  if (!o.model_file.empty()) {  // scored, not trained
    for (const char* key : {"epochs", "batch_size", "train_loss", "seconds_per_epoch"}) j.erase(key);
    j["model_file"] = o.model_file;
  }
  if (r.beam_accuracy >= 0) {
    j["beam_width"] = o.beam_width;
    j["beam_exact_match"] = r.beam_accuracy;
    j["beam_examples"] = std::min(o.beam_examples, o.validation_size);
  }
  return j;
}

// Options that would change nothing in the combination given are refused rather than ignored.
// (--model-file and --compare are compared by value, not with CLI11's excludes, because a run's
// config.toml gives --compare, false, to every run.)
void refuse_unused_seq2seq_options(const Seq2seqOptions& o) {
  if (!o.model_file.empty() && o.compare)
    throw CLI::ExcludesError("--model-file excludes --compare: it scores one trained model", CLI::ExitCodes::ExcludesError);
  if (o.beam_width == 0 && o.beam_examples != Seq2seqOptions{}.beam_examples)
    refuse_unused("--beam-examples", "without --beam-width: no beam search is run");
  const bool attends = o.compare || !o.model_file.empty() || o.variant.find("attention") != std::string::npos;
  if (!attends && o.heatmaps != Seq2seqOptions{}.heatmaps)
    refuse_unused("--heatmaps", "for --variant " + o.variant + ": it has no attention to draw");
}

void add_seq2seq_options(CLI::App& app, Seq2seqOptions& o) {
  app.add_option("--data", o.data, "task: addition (\"16+75\" -> \"91\") or dates (\"Tue 27 Sep 1994\" -> \"1994-09-27\")")
      ->check(CLI::IsMember({"addition", "dates"}));
  app.add_option("--variant", o.variant, "model: plain, reverse, peeky, reverse-peeky, attention, reverse-attention")
      ->check(CLI::IsMember({"plain", "reverse", "peeky", "reverse-peeky", "attention", "reverse-attention"}));
  app.add_flag("--compare", o.compare,
               "train plain, reverse, peeky, reverse-peeky and attention in turn and print a Markdown table");
  app.add_option("--epochs", o.epochs, "training epochs")->check(positive(o.epochs));
  app.add_option("--batch-size", o.batch_size, "questions per batch")->check(positive(o.batch_size));
  app.add_option("--hidden", o.hidden, "hidden width of the encoder and decoder LSTMs")->check(positive(o.hidden));
  app.add_option("--embedding", o.embedding, "character embedding size")->check(positive(o.embedding));
  app.add_option("--lr", o.lr, "Adam's learning rate")->check(positive(o.lr));
  app.add_option("--clip", o.clip, "gradient norm clipping")->check(positive(o.clip));
  app.add_option("--train-size", o.train_size, "training questions")->check(positive(o.train_size));
  app.add_option("--val-size", o.validation_size, "validation questions")->check(positive(o.validation_size));
  app.add_option("--beam-width", o.beam_width, "also score the final model with beam search of this width (0: no)")
      ->check(non_negative(o.beam_width));
  app.add_option("--beam-examples", o.beam_examples, "validation questions scored with beam search")
      ->check(positive(o.beam_examples));
  app.add_option("--heatmaps", o.heatmaps, "attention heat maps of the first validation questions")
      ->check(non_negative(o.heatmaps));
  app.add_flag("--resume", o.resume, "continue the run in --out (each variant's, with --compare) from its checkpoint");
  app.add_option("--model-file", o.model_file,
                 "score this model.safetensors of an earlier run on the validation questions instead of training")
      ->check(CLI::ExistingFile)
      ->excludes("--resume");
}

int run_seq2seq(const Seq2seqOptions& o, const SharedOptions& shared) {
  const models::Seq2seqData data = models::make_seq2seq_data(o.data, o.train_size, o.validation_size, shared.seed);
  // The task's characters, from both splits: the vocabulary belongs to the task, not to training.
  std::vector<models::Seq2seqExample> everything = data.train;
  everything.insert(everything.end(), data.validation.begin(), data.validation.end());
  const models::CharVocabulary vocab(everything);
  std::cout << o.data << ": " << data.train.size() << " training and " << data.validation.size()
            << " validation questions, " << vocab.size() << " ids, e.g. \"" << data.train[0].source << "\" -> \""
            << data.train[0].target << "\"" << std::endl;

  const std::filesystem::path out(shared.out);
  if (!o.compare) {
    const RunResult r = run_one(o, shared, o.variant, data, vocab, out);
    std::cout << as_json(o, r).dump() << std::endl;
    return 0;
  }
  std::vector<RunResult> results;
  for (const std::string& variant : kCompared) {
    results.push_back(run_one(o, shared, variant, data, vocab, out / variant));
    std::cout << as_json(o, results.back()).dump() << std::endl;
  }
  std::ostringstream table;
  table << "\n| " << o.data << ", " << o.epochs << (o.epochs == 1 ? " epoch" : " epochs") << ", hidden " << o.hidden
        << " | val exact match | val BLEU-4 | parameters | s / epoch |\n|---|---:|---:|---:|---:|\n";
  for (const RunResult& r : results)
    table << "| " << r.variant << " | " << std::fixed << std::setprecision(4) << r.accuracy << " | " << r.bleu
          << " | " << r.parameters << " | " << std::setprecision(1) << r.seconds_per_epoch << " |\n";
  std::cout << table.str() << std::flush;
  return 0;
}

}  // namespace

Command seq2seq_command() {
  auto options = std::make_shared<Seq2seqOptions>();
  return {.name = "seq2seq",
          .help = "train seq2seq models on addition or date questions",
          .shared = {.seed = "data, weights, shuffling",
                     .threads = true,
                     .out = OutputOption{.help = "run directory, with config.toml (with --compare, one sub-directory per variant)",
                                         .run_name = [] { return "seq2seq"; }},
                     .progress = true},
          .add_options = [options](CLI::App& app) { add_seq2seq_options(app, *options); },
          .run = [options](const SharedOptions& shared) { return run_seq2seq(*options, shared); },
          .check = [options](const SharedOptions&) { refuse_unused_seq2seq_options(*options); }};
}

}  // namespace nabla::cli
