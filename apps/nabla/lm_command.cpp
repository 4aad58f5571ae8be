// `nabla lm`: an LSTM language model over WordNet's glosses, word by word or character by
// character, trained with truncated back-propagation through time over one continuous stream
// (each gloss followed by <eos>); reports validation perplexity each epoch, saves the model and
// prints a sample. `nabla lm-sample` draws more samples from a saved model.
//
// Writes to --out: model.safetensors (settings in the metadata) and vocabulary.json.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "nabla/autograd.h"
#include "nabla/data/text.h"
#include "nabla/functional.h"
#include "nabla/io/safetensors.h"
#include "nabla/nabla.h"
#include "nabla/models/language_model.h"
#include "nabla/optim/clip.h"
#include "nabla/optim/optimizer.h"
#include "nabla/parallel.h"
#include "text_commands.h"

namespace nabla::cli {
namespace {

namespace F = functional;
using Clock = std::chrono::steady_clock;
constexpr int64_t kEos = 1;  // the first special: the end of a gloss

data::TokenizerMode mode_of(const std::string& level) {
  return level == "char" ? data::TokenizerMode::character : data::TokenizerMode::word;
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

// Tokens as text: words joined by spaces, characters as they are, <eos> as a line break.
std::string render(const data::Vocabulary& vocab, const std::vector<int64_t>& ids, bool words) {
  std::string text;
  for (int64_t id : ids) {
    if (id == kEos) {
      text += "\n";
      continue;
    }
    if (words && !text.empty() && text.back() != '\n') text += " ";
    text += vocab.token(id);
  }
  return text;
}

std::vector<int64_t> prompt_ids(const data::Vocabulary& vocab, const std::string& prompt, data::TokenizerMode mode) {
  if (prompt.empty()) return {kEos};  // as if a gloss had just ended
  return vocab.encode(data::tokenize(prompt, mode));
}

std::map<std::string, std::string> to_metadata(const LanguageModelOptions& o, const models::LanguageModelConfig& c) {
  return {{"model", "lstm-lm"},
          {"level", o.level},
          {"vocab_size", std::to_string(c.vocab_size)},
          {"embedding_dim", std::to_string(c.embedding_dim)},
          {"hidden_size", std::to_string(c.hidden_size)},
          {"num_layers", std::to_string(c.num_layers)},
          {"dropout", std::to_string(c.dropout)},
          {"tie_weights", c.tie_weights ? "1" : "0"}};
}

int64_t metadata_int(const std::map<std::string, std::string>& m, const std::string& key, const std::string& file) {
  const auto it = m.find(key);
  if (it == m.end()) throw IOError("lm-sample: " + file + " has no '" + key + "' in its metadata (not written by nabla lm?)");
  return std::stoll(it->second);
}

}  // namespace

void add_lm_options(CLI::App& app, LanguageModelOptions& o) {
  app.add_option("--level", o.level, "word or char tokens")->check(CLI::IsMember({"word", "char"}));
  app.add_option("--embedding", o.embedding, "embedding size (equal to --hidden ties the decoder to it)")->check(CLI::PositiveNumber);
  app.add_option("--hidden", o.hidden, "LSTM hidden size")->check(CLI::PositiveNumber);
  app.add_option("--layers", o.layers, "LSTM layers")->check(CLI::PositiveNumber);
  app.add_option("--dropout", o.dropout, "dropout on embeddings, between layers and before the decoder")->check(CLI::Range(0.0, 0.95));
  app.add_option("--epochs", o.epochs, "passes over the training stream")->check(CLI::PositiveNumber);
  app.add_option("--batch-size", o.batch_size, "parallel rows of the stream")->check(CLI::PositiveNumber);
  app.add_option("--bptt", o.bptt, "time steps per truncated-BPTT window")->check(CLI::PositiveNumber);
  app.add_option("--lr", o.lr, "Adam learning rate")->check(CLI::PositiveNumber);
  app.add_option("--clip", o.clip, "clip the global gradient norm to this (0: no clipping)")->check(CLI::NonNegativeNumber);
  app.add_option("--min-count", o.min_count, "word level: rarer words read as <unk>")->check(CLI::PositiveNumber);
  app.add_option("--max-vocab", o.max_vocab, "word level: at most this many ids (0: no limit)")->check(CLI::NonNegativeNumber);
  app.add_option("--max-documents", o.max_documents, "use N glosses spread evenly over the corpus (0: all)")->check(CLI::NonNegativeNumber);
  app.add_option("--validation-fraction", o.validation_fraction, "glosses held out (seeded)")->check(CLI::Range(0.001, 0.5));
  app.add_option("--seed", o.seed, "random seed (split, initialisation, dropout, sampling)");
  app.add_option("--threads", o.threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--wordnet-dir", o.wordnet_dir, "directory of WordNet's data.noun, data.verb, data.adj, data.adv");
  app.add_option("--out", o.out, "directory for model.safetensors and vocabulary.json");
  app.add_option("--sample-tokens", o.sample_tokens, "tokens to sample after training (0: none)")->check(CLI::NonNegativeNumber);
  app.add_option("--prompt", o.prompt, "text the sample continues (default: the start of a gloss)");
  app.add_option("--temperature", o.temperature, "sampling temperature")->check(CLI::PositiveNumber);
  app.add_option("--top-k", o.top_k, "sample among the k most likely tokens (0: all, 1: greedy)")->check(CLI::NonNegativeNumber);
}

void add_lm_sample_options(CLI::App& app, LanguageModelSampleOptions& o) {
  app.add_option("--model-dir", o.model_dir, "directory written by `nabla lm`")->check(CLI::ExistingDirectory);
  app.add_option("--prompt", o.prompt, "text to continue (default: the start of a gloss)");
  app.add_option("--tokens", o.tokens, "tokens per sample")->check(CLI::PositiveNumber);
  app.add_option("--temperature", o.temperature, "sampling temperature")->check(CLI::PositiveNumber);
  app.add_option("--top-k", o.top_k, "sample among the k most likely tokens (0: all, 1: greedy)")->check(CLI::NonNegativeNumber);
  app.add_option("--samples", o.samples, "how many samples")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "random seed of the draws");
}

int run_lm(const LanguageModelOptions& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  manual_seed(o.seed);
  const data::TokenizerMode mode = mode_of(o.level);
  const bool words = mode == data::TokenizerMode::word;

  std::vector<std::string> glosses = data::load_wordnet_glosses(o.wordnet_dir);
  if (o.max_documents > 0 && o.max_documents < static_cast<int64_t>(glosses.size())) {
    // An even stride keeps nouns, verbs, adjectives and adverbs in their proportions.
    std::vector<std::string> picked;
    const double stride = static_cast<double>(glosses.size()) / static_cast<double>(o.max_documents);
    for (int64_t i = 0; i < o.max_documents; ++i)
      picked.push_back(std::move(glosses[static_cast<size_t>(static_cast<double>(i) * stride)]));
    glosses = std::move(picked);
  }
  const data::DocumentSplit split = data::split_documents(glosses, o.validation_fraction, o.seed);
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

  const auto start = Clock::now();
  double validation_loss = 0;
  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    model.train();
    model.reset_state();  // each epoch reads the stream from its beginning
    double total = 0;
    int64_t tokens = 0;
    for (int64_t k = 0; k < train_batches.size(); ++k) {
      const auto w = train_batches.window(k);
      const Tensor loss = F::cross_entropy(model(w.inputs).reshape({-1, vocab.size()}), w.targets.reshape({-1}));
      adam.zero_grad();
      loss.backward();
      if (o.clip > 0) optim::clip_grad_norm_(model.parameters(), o.clip);
      adam.step();
      total += loss.item() * static_cast<double>(w.targets.numel());
      tokens += w.targets.numel();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    validation_loss = evaluate_loss(model, validation_batches);
    std::cout << "epoch " << epoch + 1 << "/" << o.epochs << "  train perplexity " << std::fixed << std::setprecision(2)
              << std::exp(total / static_cast<double>(tokens)) << "  validation perplexity "
              << std::exp(validation_loss) << "  " << std::setprecision(1) << seconds << " s ("
              << std::setprecision(0) << static_cast<double>(tokens) / seconds << " tokens/s)" << std::endl;
    std::cout.unsetf(std::ios::floatfield);
  }
  const double train_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  const std::filesystem::path dir(o.out);
  std::filesystem::create_directories(dir);
  io::save_safetensors((dir / "model.safetensors").string(), model.state_dict(), to_metadata(o, config));
  vocab.save((dir / "vocabulary.json").string());
  if (o.sample_tokens > 0) {
    Generator generator(o.seed);
    const std::vector<int64_t> prompt = prompt_ids(vocab, o.prompt, mode);
    const auto sample = models::sample_continuation(model, prompt, o.sample_tokens,
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

int run_lm_sample(const LanguageModelSampleOptions& o) {
  const std::string model_file = o.model_dir + "/model.safetensors";
  const io::SafetensorsFile file = io::load_safetensors(model_file);
  const auto level = file.metadata.find("level");
  if (level == file.metadata.end() || (level->second != "word" && level->second != "char"))
    throw IOError("lm-sample: " + model_file + " has no word/char 'level' in its metadata (not written by nabla lm?)");
  const data::Vocabulary vocab = data::Vocabulary::load(o.model_dir + "/vocabulary.json");
  models::LanguageModelConfig config{
      .vocab_size = metadata_int(file.metadata, "vocab_size", model_file),
      .embedding_dim = metadata_int(file.metadata, "embedding_dim", model_file),
      .hidden_size = metadata_int(file.metadata, "hidden_size", model_file),
      .num_layers = metadata_int(file.metadata, "num_layers", model_file),
      .dropout = 0,
      .tie_weights = metadata_int(file.metadata, "tie_weights", model_file) != 0};
  if (config.vocab_size != vocab.size())
    throw IOError("lm-sample: " + model_file + " is for " + std::to_string(config.vocab_size) +
                  " tokens but vocabulary.json has " + std::to_string(vocab.size()));
  models::LSTMLanguageModel model(config);
  model.load_state_dict(file.tensors);
  const data::TokenizerMode mode = mode_of(level->second);
  const bool words = mode == data::TokenizerMode::word;
  const std::vector<int64_t> prompt = prompt_ids(vocab, o.prompt, mode);
  Generator generator(o.seed);
  for (int64_t s = 0; s < o.samples; ++s) {
    const auto sample = models::sample_continuation(model, prompt, o.tokens,
                                                {.temperature = o.temperature, .top_k = o.top_k}, generator);
    std::cout << "--- sample " << s + 1 << "\n"
              << (o.prompt.empty() ? "" : o.prompt + (words ? " " : "")) << render(vocab, sample, words) << "\n";
  }
  return 0;
}

}  // namespace nabla::cli
