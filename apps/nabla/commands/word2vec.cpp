// `nabla word2vec`: skip-gram or CBOW word vectors with negative sampling on WordNet's glosses,
// trained as word2vec's C code does (rare words dropped, frequent words subsampled afresh each
// epoch, reduced windows, unigram^0.75 noise, a learning rate falling linearly to 1e-4 of its
// start), but in shuffled minibatches instead of one thread per corpus slice. The default
// optimizer is Adam on the batch's mean loss: plain SGD on summed minibatch losses (word2vec's
// per-example rule, batched) adds up dozens of updates to a frequent word's row in one step, and
// at batch 4096 every vector was measured to collapse into one direction (cosines of 0.999).
//
// Writes to --out: model.safetensors (input_embedding.weight [V, D] are the word vectors,
// output_embedding.weight the context vectors; the settings in the metadata) and vocabulary.json.
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <numeric>

#include "command.h"
#include "nabla/data/text.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/negative_sampling.h"
#include "nabla/models/word2vec.h"
#include "nabla/nabla.h"
#include "nabla/optim/optimizer.h"
#include "nabla/random.h"
#include "nabla/train/trainer.h"

namespace nabla::cli {
namespace {

struct Word2VecOptions {
  std::string mode = "skipgram";  // skipgram, cbow
  int64_t dim = 100;
  int64_t window = 5;
  int64_t negatives = 5;
  int64_t min_count = 5;
  double subsample = 1e-4;        // Mikolov's threshold t; 0 turns subsampling off
  int64_t epochs = 5;
  int64_t batch_size = 4096;      // examples per step
  std::string optimizer = "adam"; // adam (mean loss) or sgd (summed loss, word2vec's rule)
  double lr = 0;                  // 0: 3e-3 for adam; word2vec's 0.025 (skip-gram), 0.05 (CBOW) for sgd
  bool resume = false;            // continue the run in --out from its checkpoint
};

// One step's examples: centre ids [n]; skip-gram: one context id each [n]; CBOW: the contexts and
// their mask [n, width]; noise ids [n, negatives].
struct Word2VecBatch {
  Tensor centers, contexts, mask, noise;
};

// The rows [begin, end) of `order` picked out of a row-major table `width` wide.
template <class T>
std::vector<T> gather_rows(const std::vector<T>& table, const std::vector<int64_t>& order, int64_t begin,
                           int64_t end, int64_t width) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>((end - begin) * width));
  for (int64_t i = begin; i < end; ++i) {
    const auto row = table.begin() + order[static_cast<size_t>(i)] * width;
    out.insert(out.end(), row, row + width);
  }
  return out;
}

void add_word2vec_options(CLI::App& app, Word2VecOptions& o) {
  app.add_option("--mode", o.mode, "skipgram (predict each context word) or cbow (predict the centre)")
      ->check(CLI::IsMember({"skipgram", "cbow"}));
  app.add_option("--dim", o.dim, "vector size")->check(positive(o.dim));
  app.add_option("--window", o.window, "largest context radius (each position draws 1..window)")
      ->check(positive(o.window));
  app.add_option("--negatives", o.negatives, "noise words per example")->check(positive(o.negatives));
  app.add_option("--min-count", o.min_count, "words seen fewer times are dropped")->check(positive(o.min_count));
  app.add_option("--subsample", o.subsample, "subsampling threshold t of frequent words (0: off)")
      ->check(non_negative(o.subsample));
  app.add_option("--epochs", o.epochs, "passes over the corpus")->check(positive(o.epochs));
  app.add_option("--batch-size", o.batch_size, "examples per SGD step")->check(positive(o.batch_size));
  app.add_option("--optimizer", o.optimizer, "adam (on the batch's mean loss) or sgd (on its sum, word2vec's rule)")
      ->check(CLI::IsMember({"adam", "sgd"}));
  app.add_option("--lr", o.lr, "starting learning rate (0: 3e-3 for adam; for sgd 0.025 skipgram, 0.05 cbow)")
      ->check(non_negative(o.lr));
  app.add_flag("--resume", o.resume, "continue the run in --out from its checkpoint");
}

int run_word2vec(const Word2VecOptions& o, const SharedOptions& shared) {
  Generator generator(shared.seed);
  const bool skipgram = o.mode == "skipgram";
  const double lr = o.lr > 0 ? o.lr : o.optimizer == "adam" ? 3e-3 : (skipgram ? 0.025 : 0.05);

  const std::vector<std::string> glosses = data::load_wordnet_glosses(shared.data_dir);
  const data::Vocabulary vocab = data::Vocabulary::from_counts(data::count_tokens(glosses), {.min_count = o.min_count});
  if (vocab.size() < 2) throw Error("word2vec: no word occurs " + std::to_string(o.min_count) + " times in the corpus");
  // As word2vec, words below min_count are removed, not replaced: <unk> would be the most
  // frequent "word" of all and every window would be full of it.
  std::vector<std::vector<int64_t>> sentences;
  int64_t words = 0;
  for (const std::string& gloss : glosses) {
    std::vector<int64_t> ids = vocab.encode(data::tokenize(gloss));
    std::erase(ids, data::Vocabulary::unknown_id);
    words += static_cast<int64_t>(ids.size());
    sentences.push_back(std::move(ids));
  }
  std::vector<int64_t> counts = vocab.counts();
  counts[data::Vocabulary::unknown_id] = 0;  // never drawn as noise
  const models::UnigramSampler sampler(counts);
  std::vector<double> keep(counts.size(), 1.0);
  if (o.subsample > 0) keep = data::subsampling_keep_probabilities(data::Vocabulary(vocab.tokens(), counts), o.subsample);
  std::cout << "word2vec " << o.mode << ": " << glosses.size() << " glosses, " << words << " words, vocabulary "
            << vocab.size() << " (min count " << o.min_count << ")" << std::endl;

  models::Word2Vec model(vocab.size(), o.dim);
  const bool adam = o.optimizer == "adam";
  std::unique_ptr<optim::Optimizer> optimizer;
  if (adam) optimizer = std::make_unique<optim::Adam>(model.parameters(), optim::AdamOptions{.lr = lr});
  else optimizer = std::make_unique<optim::SGD>(model.parameters(), optim::SGDOptions{.lr = lr});
  // Each epoch draws its own subsampling, context windows, order and noise words from `generator`
  // (which the checkpoint keeps), and, as word2vec, decays the rate linearly with the examples seen.
  int64_t epoch_examples = 0;
  train::Batches<Word2VecBatch> batches;
  batches.count = 0;  // unknown before the epoch draws its windows, so no progress bar
  batches.generator = &generator;
  batches.for_each = [&](int64_t epoch, const std::function<void(const Word2VecBatch&)>& visit) {
    models::ContextWindows windows(o.window);
    for (const auto& sentence : sentences) windows.append(data::subsample(sentence, keep, generator), generator);
    std::vector<int64_t> centers = windows.centers, contexts;
    int64_t width = windows.width;
    if (skipgram) {
      windows.pairs(centers, contexts);
      width = 1;
    }
    const int64_t examples = epoch_examples = static_cast<int64_t>(centers.size());
    std::vector<int64_t> order(static_cast<size_t>(examples));
    std::iota(order.begin(), order.end(), int64_t{0});
    shuffle(order, generator);
    for (int64_t begin = 0; begin < examples; begin += o.batch_size) {
      const int64_t end = std::min(examples, begin + o.batch_size), n = end - begin;
      const double progress = (static_cast<double>(epoch) + static_cast<double>(begin) / static_cast<double>(examples)) /
                              static_cast<double>(o.epochs);
      optimizer->set_lr(lr * std::max(1e-4, 1.0 - progress));
      Word2VecBatch b{from_vector(gather_rows(centers, order, begin, end, 1)), {}, {}, {}};
      b.noise = sampler.sample({n, o.negatives}, generator);
      if (skipgram) {
        b.contexts = from_vector(gather_rows(contexts, order, begin, end, 1));
      } else {
        b.contexts = from_vector(gather_rows(windows.contexts, order, begin, end, width), {n, width});
        b.mask = from_vector(gather_rows(windows.mask, order, begin, end, width), {n, width});
      }
      visit(b);
    }
  };
  train::Trainer trainer(
      model, *optimizer,
      {.epochs = o.epochs, .out_dir = shared.out, .resume = o.resume, .progress = false,
       .report = [&](const train::EpochRecord& e) {
         std::cout << "epoch " << e.epoch << "/" << e.epochs << "  loss " << std::fixed << std::setprecision(4)
                   << e.train_loss << "  examples " << epoch_examples << "  " << std::setprecision(1) << e.seconds
                   << " s  (" << std::setprecision(0) << static_cast<double>(epoch_examples) / e.seconds
                   << " examples/s)" << std::endl;
         std::cout.unsetf(std::ios::floatfield);
       }});
  const train::FitResult fitted = trainer.fit<Word2VecBatch>(
      batches, [&](nn::Module&, const Word2VecBatch& b) -> train::StepResult {
        const int64_t n = b.centers.size(0);
        const Tensor loss = skipgram ? model.skipgram_loss(b.centers, b.contexts, b.noise)
                                     : model.cbow_loss(b.contexts, b.mask, b.centers, b.noise);
        // Adam follows the batch's mean loss, SGD its sum (word2vec's rule); the epoch reports the
        // mean per example either way.
        return {adam ? loss / static_cast<double>(n) : loss, n, std::nullopt, loss.item() / static_cast<double>(n)};
      });
  const double train_seconds = fitted.train_seconds;

  const std::filesystem::path dir(shared.out);
  std::filesystem::create_directories(dir);
  io::save_safetensors((dir / "model.safetensors").string(), model.state_dict(),
                       {{"model", "word2vec"}, {"mode", o.mode}, {"dim", std::to_string(o.dim)},
                        {"window", std::to_string(o.window)}, {"negatives", std::to_string(o.negatives)},
                        {"min_count", std::to_string(o.min_count)}, {"epochs", std::to_string(o.epochs)},
                        {"seed", std::to_string(shared.seed)}});
  vocab.save((dir / "vocabulary.json").string());
  std::cout << "trained in " << std::fixed << std::setprecision(1) << train_seconds << " s; wrote "
            << (dir / "model.safetensors").string() << " and " << (dir / "vocabulary.json").string() << std::endl;
  return 0;
}

}  // namespace

Command word2vec_command() {
  auto options = std::make_shared<Word2VecOptions>();
  return {.name = "word2vec",
          .help = "train skip-gram or CBOW word vectors on WordNet's glosses",
          .shared = {.seed = "initialisation, subsampling, windows, noise, order",
                     .threads = true,
                     .out = OutputOption{.help = "run directory: model.safetensors, vocabulary.json, config.toml",
                                         .run_name = [] { return "word2vec"; }},
                     .data = DataSource::wordnet},
          .add_options = [options](CLI::App& app) { add_word2vec_options(app, *options); },
          .run = [options](const SharedOptions& shared) { return run_word2vec(*options, shared); }};
}

}  // namespace nabla::cli
