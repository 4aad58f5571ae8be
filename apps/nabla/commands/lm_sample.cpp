// `nabla lm-sample`: more samples from a model saved by `nabla lm`, continuing a prompt.
#include <iostream>
#include <memory>

#include "command.h"
#include "language_model_files.h"
#include "nabla/data/text.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/language_model.h"
#include "nabla/nabla.h"
#include "nabla/random.h"

namespace nabla::cli {
namespace {

struct LanguageModelSampleOptions {
  std::string model_file;  // model.safetensors of a run of `nabla lm`, vocabulary.json beside it
  std::string prompt;
  int64_t tokens = 40;
  double temperature = 0.8;
  int64_t top_k = 20;
  int64_t samples = 3;
};

void add_lm_sample_options(CLI::App& app, LanguageModelSampleOptions& o) {
  app.add_option("--model-file", o.model_file, "model.safetensors written by `nabla lm` (vocabulary.json beside it)")
      ->check(CLI::ExistingFile)
      ->required();
  app.add_option("--prompt", o.prompt, "text to continue (default: the start of a gloss)");
  app.add_option("--tokens", o.tokens, "tokens per sample")->check(positive(o.tokens));
  app.add_option("--temperature", o.temperature, "sampling temperature")->check(positive(o.temperature));
  app.add_option("--top-k", o.top_k, "sample among the k most likely tokens (0: all, 1: greedy)")
      ->check(non_negative(o.top_k));
  app.add_option("--samples", o.samples, "how many samples")->check(positive(o.samples));
}

int run_lm_sample(const LanguageModelSampleOptions& o, const SharedOptions& shared) {
  const std::string& model_file = o.model_file;
  const io::SafetensorsFile file = io::load_safetensors(model_file);
  const auto level = file.metadata.find("level");
  if (level == file.metadata.end() || (level->second != "word" && level->second != "char"))
    throw IOError("lm-sample: " + model_file + " has no word/char 'level' in its metadata (not written by nabla lm?)");
  const data::Vocabulary vocab = data::Vocabulary::load(sibling_file(model_file, "vocabulary.json"));
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
  Generator generator(shared.seed);
  for (int64_t s = 0; s < o.samples; ++s) {
    const auto sample = models::sample_continuation(model, prompt, o.tokens,
                                                {.temperature = o.temperature, .top_k = o.top_k}, generator);
    std::cout << "--- sample " << s + 1 << "\n"
              << (o.prompt.empty() ? "" : o.prompt + (words ? " " : "")) << render(vocab, sample, words) << "\n";
  }
  return 0;
}

}  // namespace

Command lm_sample_command() {
  auto options = std::make_shared<LanguageModelSampleOptions>();
  return {.name = "lm-sample",
          .help = "sample text from a model saved by `nabla lm`",
          .shared = {.seed = "of the draws"},
          .add_options = [options](CLI::App& app) { add_lm_sample_options(app, *options); },
          .run = [options](const SharedOptions& shared) { return run_lm_sample(*options, shared); }};
}

}  // namespace nabla::cli
