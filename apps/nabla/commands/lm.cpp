// `nabla lm`: an LSTM language model over WordNet's glosses, word by word or character by
// character, trained with truncated back-propagation through time over one continuous stream
// (each gloss followed by <eos>); reports validation perplexity each epoch, saves the model and
// prints a sample. `nabla lm-sample` draws more samples from a saved model.
//
// Writes to --out: model.safetensors (settings in the metadata) and vocabulary.json.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

#include "command.h"
#include "language_model_files.h"
#include "nabla/autograd.h"
#include "nabla/data/text.h"
#include "nabla/functional.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/language_model.h"
#include "nabla/nabla.h"
#include "nabla/optim/optimizer.h"
#include "nabla/random.h"
#include "nabla/train/trainer.h"

namespace nabla::cli {
namespace {

namespace F = functional;
using Clock = std::chrono::steady_clock;

struct LanguageModelOptions {
  std::string level = "word";     // word, char
  int64_t embedding = 256;
  int64_t hidden = 256;
  int64_t layers = 2;
  double dropout = 0.3;
  int64_t epochs = 3;
  int64_t batch_size = 32;
  int64_t bptt = 35;
  double lr = 2e-3;               // Adam
  double clip = 0.25;             // global gradient norm
  int64_t min_count = 3;          // word level: rarer words read as <unk>
  int64_t max_vocab = 10000;      // word level: ids kept, specials included
  int64_t max_documents = 0;      // use the first N glosses only (0: all 117,659)
  double val_fraction = 0.05;
  int64_t tokens = 40;            // printed after training from --prompt
  std::string prompt;             // empty: start after an end of gloss
  double temperature = 0.8;
  int64_t top_k = 20;
  bool resume = false;            // continue the run in --out from its checkpoint
};

// Options that would change nothing in the combination given are refused rather than ignored.
void refuse_unused_lm_options(const LanguageModelOptions& o) {
  const LanguageModelOptions defaults;
  refuse_sampling_without_sample(o, defaults);
  if (o.level == "char") {
    const std::string why = "at --level char: every character seen is kept";
    if (o.min_count != defaults.min_count) refuse_unused("--min-count", why);
    if (o.max_vocab != defaults.max_vocab) refuse_unused("--max-vocab", why);
  }
}

// Mean cross entropy per token over every window of `batches`, from a zero state, without dropout.
double evaluate_loss(models::LSTMLanguageModel& model, const data::StreamBatches& batches) {
  model.eval();
  model.reset_state();
  NoGradGuard no_grad;
  double total = 0;
  int64_t tokens = 0;
  for (int64_t k = 0; k < batches.size(); ++k) {
    const auto w = batches.window(k);
    const Tensor loss = F::cross_entropy(model(w.inputs).reshape({-1, model.config.vocab_size}),
                                         w.targets.reshape({-1}), {.reduction = F::Reduction::sum});
    total += loss.item();
    tokens += w.targets.numel();
  }
  model.reset_state();
  return total / static_cast<double>(tokens);
}

void add_lm_options(CLI::App& app, LanguageModelOptions& o) {
  app.add_option("--level", o.level, "word or char tokens")->check(CLI::IsMember({"word", "char"}));
  app.add_option("--embedding", o.embedding, "embedding size (equal to --hidden ties the decoder to it)")
      ->check(positive(o.embedding));
  app.add_option("--hidden", o.hidden, "hidden width of the LSTM, the same in every layer")->check(positive(o.hidden));
  app.add_option("--layers", o.layers, "LSTM layers")->check(positive(o.layers));
  app.add_option("--dropout", o.dropout, "dropout on embeddings, between layers and before the decoder")
      ->check(between(o.dropout, 0.0, 0.95));
  app.add_option("--epochs", o.epochs, "passes over the training stream")->check(positive(o.epochs));
  app.add_option("--batch-size", o.batch_size, "parallel rows of the stream")->check(positive(o.batch_size));
  app.add_option("--bptt", o.bptt, "time steps per truncated-BPTT window")->check(positive(o.bptt));
  app.add_option("--lr", o.lr, "Adam learning rate")->check(positive(o.lr));
  app.add_option("--clip", o.clip, "clip the global gradient norm to this (0: no clipping)")
      ->check(non_negative(o.clip));
  app.add_option("--min-count", o.min_count, "word level: rarer words read as <unk>")->check(positive(o.min_count));
  app.add_option("--max-vocab", o.max_vocab, "word level: at most this many ids (0: no limit)")
      ->check(non_negative(o.max_vocab));
  app.add_option("--max-documents", o.max_documents, "use N glosses spread evenly over the corpus (0: all)")
      ->check(non_negative(o.max_documents));
  app.add_option("--val-fraction", o.val_fraction, "glosses held out (seeded)")
      ->check(between(o.val_fraction, 0.001, 0.5));
  app.add_option("--tokens", o.tokens, "tokens to sample after training (0: none)")->check(non_negative(o.tokens));
  app.add_option("--prompt", o.prompt, "text the sample continues (default: the start of a gloss)");
  app.add_option("--temperature", o.temperature, "sampling temperature")->check(positive(o.temperature));
  app.add_option("--top-k", o.top_k, "sample among the k most likely tokens (0: all, 1: greedy)")
      ->check(non_negative(o.top_k));
  app.add_flag("--resume", o.resume, "continue the run in --out from its checkpoint");
}

int run_lm(const LanguageModelOptions& o, const SharedOptions& shared) {
  const data::TokenizerMode mode = mode_of(o.level);
  const bool words = mode == data::TokenizerMode::word;

  std::vector<std::string> glosses = data::load_wordnet_glosses(shared.data_dir);
  if (o.max_documents > 0 && o.max_documents < static_cast<int64_t>(glosses.size())) {
    // An even stride keeps nouns, verbs, adjectives and adverbs in their proportions.
    std::vector<std::string> picked;
    const double stride = static_cast<double>(glosses.size()) / static_cast<double>(o.max_documents);
    for (int64_t i = 0; i < o.max_documents; ++i)
      picked.push_back(std::move(glosses[static_cast<size_t>(static_cast<double>(i) * stride)]));
    glosses = std::move(picked);
  }
  const data::DocumentSplit split = data::split_documents(glosses, o.val_fraction, shared.seed);
  data::VocabularyOptions vocab_options{.specials = {"<eos>"}};
  if (words) {
    vocab_options.min_count = o.min_count;
    vocab_options.max_size = o.max_vocab;
  }
  const data::Vocabulary vocab = data::Vocabulary::from_counts(data::count_tokens(split.train, mode), vocab_options);
  const std::vector<int64_t> train_stream = data::encode_stream(split.train, vocab, mode, kEos);
  const std::vector<int64_t> validation_stream = data::encode_stream(split.validation, vocab, mode, kEos);
  const data::StreamBatches train_batches(train_stream, o.batch_size, o.bptt);
  const data::StreamBatches validation_batches(validation_stream, std::min<int64_t>(o.batch_size, 10), o.bptt);

  const models::LanguageModelConfig config{.vocab_size = vocab.size(), .embedding_dim = o.embedding,
                                       .hidden_size = o.hidden, .num_layers = o.layers, .dropout = o.dropout};
  models::LSTMLanguageModel model(config);
  optim::Adam adam(model.parameters(), {.lr = o.lr});
  std::cout << "lm (" << o.level << "): " << split.train.size() << " training glosses (" << train_stream.size()
            << " tokens), " << split.validation.size() << " validation (" << validation_stream.size()
            << " tokens), vocabulary " << vocab.size() << ", " << model.parameter_count() << " parameters"
            << (model.tied() ? " (decoder tied to the embedding)" : "") << std::endl;

  // Truncated back-propagation through time: the windows in stream order, the state carried from
  // one to the next and reset when an epoch starts reading the stream from its beginning.
  int64_t epoch_tokens = 0;
  for (int64_t k = 0; k < train_batches.size(); ++k) epoch_tokens += train_batches.window(k).targets.numel();
  train::Batches<data::StreamBatches::Window> windows;
  windows.count = train_batches.size();
  windows.for_each = [&](int64_t, const std::function<void(const data::StreamBatches::Window&)>& visit) {
    model.reset_state();
    for (int64_t k = 0; k < train_batches.size(); ++k) visit(train_batches.window(k));
  };
  double validation_loss = 0;
  train::Trainer trainer(
      model, adam,
      {.epochs = o.epochs, .out_dir = shared.out, .resume = o.resume, .progress = shared.progress,
       .clip_grad_norm = o.clip,
       .validate = [&](nn::Module&) -> train::Metrics {
         validation_loss = evaluate_loss(model, validation_batches);
         return {{"val_loss", validation_loss}, {"val_perplexity", std::exp(validation_loss)}};
       },
       .report = [&](const train::EpochRecord& e) {
         std::cout << "epoch " << e.epoch << "/" << e.epochs << "  train perplexity " << std::fixed
                   << std::setprecision(2) << std::exp(e.train_loss) << "  validation perplexity "
                   << e.metric("val_perplexity") << "  " << std::setprecision(1) << e.seconds << " s ("
                   << std::setprecision(0) << static_cast<double>(epoch_tokens) / e.seconds << " tokens/s)"
                   << std::endl;
         std::cout.unsetf(std::ios::floatfield);
       }});
  const train::FitResult fitted = trainer.fit<data::StreamBatches::Window>(
      windows, [&](nn::Module&, const data::StreamBatches::Window& w) -> train::StepResult {
        return {F::cross_entropy(model(w.inputs).reshape({-1, vocab.size()}), w.targets.reshape({-1})),
                w.targets.numel()};
      });
  model.eval();
  if (!fitted.epochs.empty()) validation_loss = fitted.epochs.back().metric("val_loss");
  const double train_seconds = fitted.train_seconds;

  const std::filesystem::path dir(shared.out);
  std::filesystem::create_directories(dir);
  io::save_safetensors((dir / "model.safetensors").string(), model.state_dict(), to_metadata(o.level, config));
  vocab.save((dir / "vocabulary.json").string());
  if (o.tokens > 0) {
    Generator generator(shared.seed);
    const std::vector<int64_t> prompt = prompt_ids(vocab, o.prompt, mode);
    const auto sample = models::sample_continuation(model, prompt, o.tokens,
                                                {.temperature = o.temperature, .top_k = o.top_k}, generator);
    std::cout << "sample (temperature " << o.temperature << ", top-k " << o.top_k << "):\n"
              << (o.prompt.empty() ? "" : o.prompt + (words ? " " : "")) << render(vocab, sample, words) << "\n";
  }
  const nlohmann::json summary = {{"level", o.level},
                                  {"validation_perplexity", std::exp(validation_loss)},
                                  {"train_seconds", train_seconds},
                                  {"epochs", o.epochs},
                                  {"params", model.parameter_count()},
                                  {"vocab", vocab.size()},
                                  {"train_tokens", train_stream.size()}};
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace

Command lm_command() {
  auto options = std::make_shared<LanguageModelOptions>();
  return {.name = "lm",
          .help = "train an LSTM language model (word or char) on WordNet's glosses",
          .shared = {.seed = "split, initialisation, dropout, sampling",
                     .threads = true,
                     .out = OutputOption{.help = "run directory: model.safetensors, vocabulary.json, config.toml",
                                         .run_name = [] { return "lm"; }},
                     .progress = true,
                     .data = DataSource::wordnet},
          .add_options = [options](CLI::App& app) { add_lm_options(app, *options); },
          .run = [options](const SharedOptions& shared) { return run_lm(*options, shared); },
          .check = [options](const SharedOptions&) { refuse_unused_lm_options(*options); }};
}

}  // namespace nabla::cli
