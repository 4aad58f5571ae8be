// `nabla similar`: nearest words by cosine in vectors written by `nabla word2vec`, and analogies
// "a:b::c:?" answered by the words nearest to b - a + c (a, b and c themselves excluded), as in
// Mikolov et al.'s "king - man + woman = queen".
#include <iomanip>
#include <iostream>
#include <memory>

#include "command.h"
#include "language_model_files.h"
#include "nabla/data/text.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/word2vec.h"
#include "nabla/nabla.h"

namespace nabla::cli {
namespace {

struct SimilarOptions {
  std::string model_file;         // model.safetensors of a run of `nabla word2vec`, vocabulary.json beside it
  std::string word;               // nearest words to this one, or
  std::string analogy;            // "a:b::c:?" -> the words d with b - a + c nearest
  int64_t top = 10;
};

// The word's id; an Error naming the word, the vocabulary's size and its file when it is not there.
int64_t known_id(const data::Vocabulary& vocab, const std::string& word, const std::string& file) {
  if (word.empty() || word == vocab.token(data::Vocabulary::unknown_id) || !vocab.contains(word))
    throw Error("similar: '" + word + "' is not in the vocabulary of " + std::to_string(vocab.size()) +
                " words (" + file + "); words are lower-case and were kept only if frequent enough");
  return vocab.id(word);
}

// "a:b::c:?" -> {a, b, c}; empty when the text is not written so.
std::vector<std::string> parse_analogy(const std::string& text) {
  const size_t middle = text.find("::");
  const size_t first = text.find(':');
  const size_t last = text.rfind(':');
  if (middle == std::string::npos || first >= middle || last <= middle + 1 || text.substr(last) != ":?") return {};
  return {text.substr(0, first), text.substr(first + 1, middle - first - 1),
          text.substr(middle + 2, last - middle - 2)};
}

// An argument error unless exactly one question is asked, and an analogy is written a:b::c:?.
void check_question(const SimilarOptions& o) {
  if (o.word.empty() && o.analogy.empty())
    throw CLI::RequiredError("similar: give --word WORD or --analogy a:b::c:?", CLI::ExitCodes::RequiredError);
  if (!o.analogy.empty() && parse_analogy(o.analogy).empty())
    throw CLI::ValidationError("--analogy is written a:b::c:? (e.g. man:king::woman:?), got '" + o.analogy + "'",
                               CLI::ExitCodes::ValidationError);
}

void add_similar_options(CLI::App& app, SimilarOptions& o) {
  app.add_option("--model-file", o.model_file, "model.safetensors written by `nabla word2vec` (vocabulary.json beside it)")
      ->check(CLI::ExistingFile)
      ->required();
  auto* word = app.add_option("--word", o.word, "show the words nearest to this one");
  auto* analogy = app.add_option("--analogy", o.analogy, "a:b::c:? - the words d with b - a + c nearest");
  word->excludes(analogy);
  app.add_option("--top", o.top, "how many words to show")->check(positive(o.top));
}

int run_similar(const SimilarOptions& o) {
  const std::string& model_file = o.model_file;
  const std::string vocab_file = sibling_file(model_file, "vocabulary.json");
  const data::Vocabulary vocab = data::Vocabulary::load(vocab_file);
  Tensor embeddings;
  for (const auto& [name, t] : io::load_safetensors(model_file).tensors)
    if (name == "input_embedding.weight") embeddings = t;
  if (!embeddings.defined()) throw IOError("similar: " + model_file + " has no input_embedding.weight");
  if (embeddings.dim() != 2 || embeddings.size(0) != vocab.size())
    throw IOError("similar: " + model_file + " holds vectors " + to_string(embeddings.shape()) + " but " + vocab_file +
                  " has " + std::to_string(vocab.size()) + " words");

  std::vector<int64_t> exclude{data::Vocabulary::unknown_id};
  Tensor query;
  if (!o.word.empty()) {
    const int64_t id = known_id(vocab, o.word, vocab_file);
    exclude.push_back(id);
    query = embeddings.select(0, id);
    std::cout << "nearest to '" << o.word << "':\n";
  } else {
    const std::vector<std::string> words = parse_analogy(o.analogy);
    std::vector<Tensor> unit;  // each vector normalised, so no one word dominates the sum
    for (const std::string& w : words) {
      const int64_t id = known_id(vocab, w, vocab_file);
      exclude.push_back(id);
      const Tensor v = embeddings.select(0, id);
      unit.push_back(v / sqrt(sum(v * v)));
    }
    query = unit[1] - unit[0] + unit[2];
    std::cout << words[0] << " : " << words[1] << " :: " << words[2] << " : ?\n";
  }
  for (const models::Neighbour& n : models::nearest_by_cosine(embeddings, query, o.top, exclude))
    std::cout << "  " << std::left << std::setw(20) << vocab.token(n.id) << std::right << std::fixed
              << std::setprecision(3) << n.cosine << "\n";
  return 0;
}

}  // namespace

Command similar_command() {
  auto options = std::make_shared<SimilarOptions>();
  return {.name = "similar",
          .help = "nearest words and analogies in vectors from `nabla word2vec`",
          .shared = {},
          .add_options = [options](CLI::App& app) { add_similar_options(app, *options); },
          .run = [options](const SharedOptions&) { return run_similar(*options); },
          .check = [options](const SharedOptions&) { check_question(*options); }};
}

}  // namespace nabla::cli
