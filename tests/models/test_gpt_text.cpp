// Character streams for the GPT: the corpus split and vocabulary, windows shifted by one, strict
// prompt encoding, and errors for an empty corpus.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nabla/models/gpt_text.h"
#include "nabla/nabla.h"

namespace nabla::data {
namespace {

std::vector<std::string> documents() {
  std::vector<std::string> d;
  for (int i = 0; i < 40; ++i) d.push_back("gloss number " + std::to_string(i) + " is short");
  return d;
}

TEST(GptText, CorpusStreamsEndEveryDocumentAndShareOneVocabulary) {
  models::CharacterCorpusOptions o;
  o.validation_fraction = 0.1;
  const models::CharacterCorpus c = make_character_corpus(documents(), o);
  const int64_t end = c.vocabulary.id("\n");
  EXPECT_EQ(end, 1) << "<unk> is 0, the end-of-document token the first special";
  EXPECT_EQ(std::count(c.validation.begin(), c.validation.end(), end), 4);
  EXPECT_EQ(std::count(c.train.begin(), c.train.end(), end), 36);
  EXPECT_EQ(c.train.back(), end);
  // The characters decode back to the documents.
  const std::string text = c.vocabulary.decode_text(c.train, "");
  EXPECT_EQ(text.rfind("gloss number ", 0), 0u);
  EXPECT_NE(text.find(" is short\ngloss number "), std::string::npos);
  // Same seed, same split; the sample by max_chars keeps about that many characters.
  EXPECT_EQ(make_character_corpus(documents(), o).validation, c.validation);
  o.max_chars = 200;
  const models::CharacterCorpus small = make_character_corpus(documents(), o);
  const size_t total = small.train.size() + small.validation.size();
  EXPECT_GE(total, 200u);
  EXPECT_LT(total, 200u + 30u);
}

TEST(GptText, WindowsAreInputsAndTargetsShiftedByOne) {
  const std::vector<int64_t> stream = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  EXPECT_EQ(models::window_count(stream, 3), 3);  // starts 0, 3, 6; the third ends at id 9
  EXPECT_EQ(models::window_count(stream, 9), 1);
  EXPECT_EQ(models::window_count(stream, 10), 0);
  const models::NextTokenBatch b = models::stream_windows(stream, {2, 0}, 3);
  EXPECT_EQ(b.inputs.shape(), (Shape{2, 3}));
  EXPECT_EQ(b.inputs.to_vector<int64_t>(), (std::vector<int64_t>{16, 17, 18, 10, 11, 12}));
  EXPECT_EQ(b.targets.to_vector<int64_t>(), (std::vector<int64_t>{17, 18, 19, 11, 12, 13}));
  EXPECT_THROW(models::stream_windows(stream, {3}, 3), IndexError);
  EXPECT_THROW(models::window_count(stream, 0), Error);
}

TEST(GptText, PromptsWithUnknownCharactersAreErrorsThatNameThem) {
  const models::CharacterCorpus c = models::make_character_corpus(documents(), {});
  EXPECT_EQ(c.vocabulary.decode_text(models::encode_characters_strictly("short gloss", c.vocabulary), ""), "short gloss");
  try {
    models::encode_characters_strictly("so Zero", c.vocabulary);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"Z\" at position 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(models::encode_characters_strictly("", c.vocabulary), Error);
}

TEST(GptText, EmptyCorporaAreErrors) {
  EXPECT_THROW(models::make_character_corpus({}, {}), Error);
  EXPECT_THROW(models::make_character_corpus({"only one document"}, {}), Error);  // nothing left to validate on
  // A WordNet directory whose files hold no gloss.
  const auto dir = std::filesystem::temp_directory_path() / "nabla_gpt_text_empty_wordnet";
  std::filesystem::create_directories(dir);
  for (const char* part : {"noun", "verb", "adj", "adv"}) std::ofstream(dir / (std::string("data.") + part)) << "  license line\n";
  EXPECT_THROW(models::make_character_corpus(load_wordnet_glosses(dir.string()), {}), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nabla::data
