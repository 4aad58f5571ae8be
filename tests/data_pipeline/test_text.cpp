// The text pipeline: tokenizer, vocabulary (min count, specials, unknown tokens, save/load),
// Mikolov subsampling statistics, the WordNet gloss loader on small files in WordNet's format
// (and its errors), the seeded split, and the [N, T] windows of a token stream.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "nabla/data/text.h"
#include "nabla/nabla.h"

namespace nabla::data {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

TEST(Tokenize, LowercasesWordsAndSplitsPunctuation) {
  EXPECT_EQ(tokenize("The cat's well-known (furry) pet; \"Hello\", 42 -x"),
            (Strings{"the", "cat's", "well-known", "(", "furry", ")", "pet", ";", "\"", "hello", "\"", ",",
                     "42", "-", "x"}));
  EXPECT_TRUE(tokenize("   \t\n").empty());
  EXPECT_EQ(tokenize("end-", TokenizerMode::word), (Strings{"end", "-"}));
}

TEST(Tokenize, CharacterModeKeepsEveryByte) {
  EXPECT_EQ(tokenize("Ab c", TokenizerMode::character), (Strings{"A", "b", " ", "c"}));
}

TEST(Vocabulary, OrdersByCountAndMapsRareAndUnknownTokensToUnk) {
  const TokenCounts counts = count_tokens({"b a b c", "a b d"});  // b:3 a:2 c:1 d:1
  const Vocabulary vocab = Vocabulary::from_counts(counts, {.min_count = 2, .specials = {"<eos>"}});
  EXPECT_EQ(vocab.tokens(), (Strings{"<unk>", "<eos>", "b", "a"}));
  EXPECT_EQ(vocab.counts(), (std::vector<int64_t>{2, 0, 3, 2}));  // <unk> stands for c and d
  EXPECT_EQ(vocab.total_count(), 7);
  EXPECT_EQ(vocab.encode({"a", "c", "zebra", "b"}), (std::vector<int64_t>{3, 0, 0, 2}));
  EXPECT_EQ(vocab.decode({2, 3, 1}), (Strings{"b", "a", "<eos>"}));
  EXPECT_EQ(vocab.decode_text({2, 3}, " "), "b a");
  EXPECT_TRUE(vocab.contains("a"));
  EXPECT_FALSE(vocab.contains("c"));
  EXPECT_THROW(vocab.token(4), IndexError);
  EXPECT_THROW(vocab.token(-1), IndexError);
}

TEST(Vocabulary, TiesAreInByteOrderAndMaxSizeCaps) {
  const Vocabulary vocab = Vocabulary::from_counts({{"z", 5}, {"m", 5}, {"a", 1}}, {.max_size = 3});
  EXPECT_EQ(vocab.tokens(), (Strings{"<unk>", "m", "z"}));
  EXPECT_EQ(vocab.count(0), 1);
}

TEST(Vocabulary, RejectsBadOptions) {
  EXPECT_THROW(Vocabulary::from_counts({{"a", 1}}, {.min_count = 0}), Error);
  EXPECT_THROW(Vocabulary::from_counts({{"a", 1}}, {.specials = {"<unk>"}}), Error);
  EXPECT_THROW(Vocabulary::from_counts({{"a", 1}}, {.specials = {"<s>", "<s>"}}), Error);
  EXPECT_THROW(Vocabulary({"a", "a"}, {1, 1}), Error);
}

TEST(Vocabulary, SavesAndLoads) {
  const fs::path path = fs::temp_directory_path() / "nabla_test_vocab.json";
  const Vocabulary vocab = Vocabulary::from_counts(count_tokens({"x y y \" z"}), {.specials = {"<eos>"}});
  vocab.save(path.string());
  const Vocabulary back = Vocabulary::load(path.string());
  EXPECT_EQ(back.tokens(), vocab.tokens());
  EXPECT_EQ(back.counts(), vocab.counts());
  std::ofstream(path) << "not json";
  EXPECT_THROW(Vocabulary::load(path.string()), IOError);
  fs::remove(path);
  EXPECT_THROW(Vocabulary::load(path.string()), IOError);
}

TEST(Subsampling, KeepsEachWordAtMikolovsRate) {
  // "the" is 90% of the corpus, "rare" 0.1%.
  const Vocabulary vocab = Vocabulary::from_counts({{"the", 9000}, {"cat", 990}, {"rare", 10}});
  const double t = 1e-3;
  const std::vector<double> keep = subsampling_keep_probabilities(vocab, t);
  const double f_the = 0.9;
  EXPECT_NEAR(keep[static_cast<size_t>(vocab.id("the"))], (std::sqrt(f_the / t) + 1) * t / f_the, 1e-12);
  EXPECT_DOUBLE_EQ(keep[static_cast<size_t>(vocab.id("rare"))], 1.0);
  EXPECT_DOUBLE_EQ(keep[0], 1.0);  // <unk> has count 0 here

  std::vector<int64_t> tokens(200000, vocab.id("the"));
  tokens.insert(tokens.end(), 1000, vocab.id("rare"));
  Generator generator(3);
  const std::vector<int64_t> kept = subsample(tokens, keep, generator);
  const int64_t kept_the = std::count(kept.begin(), kept.end(), vocab.id("the"));
  const double expected = 200000 * keep[static_cast<size_t>(vocab.id("the"))];  // ~6870
  EXPECT_NEAR(static_cast<double>(kept_the), expected, 4 * std::sqrt(expected));
  EXPECT_EQ(std::count(kept.begin(), kept.end(), vocab.id("rare")), 1000);

  Generator again(3);
  EXPECT_EQ(subsample(tokens, keep, again), kept);  // seeded
  EXPECT_THROW(subsampling_keep_probabilities(vocab, 0), Error);
  EXPECT_THROW(subsample({7}, keep, generator), IndexError);
}

// A directory with data.noun/verb/adj/adv in WordNet's layout: a license header of lines that
// start with two spaces (one of them containing " | "), then synset lines "offset ... | gloss".
class WordNetFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("nabla_test_wordnet_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    write("data.noun", "  1 This software | and database is provided\n"
                       "00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which exists  \n"
                       "00002137 03 n 02 abstraction 0 000 | a general concept; \"an abstraction\"  \n");
    write("data.verb", "  1 license\n00001740 29 v 04 breathe 0 | draw air into the lungs  \n");
    write("data.adj", "00001740 00 a 01 able 0 | having the power  \n");
    write("data.adv", "00001740 02 r 01 barely 0 | by a small margin\n");
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; }
  fs::path dir;
};

TEST_F(WordNetFiles, ReadsTheGlossesInFileOrder) {
  EXPECT_EQ(load_wordnet_glosses(dir.string()),
            (Strings{"that which exists", "a general concept; \"an abstraction\"", "draw air into the lungs",
                     "having the power", "by a small margin"}));
}

TEST_F(WordNetFiles, MissingFileIsAnIOErrorNamingIt) {
  fs::remove(dir / "data.adj");
  try {
    load_wordnet_glosses(dir.string());
    FAIL() << "no error";
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find("data.adj"), std::string::npos) << e.what();
  }
}

TEST_F(WordNetFiles, EmptyCorpusIsAnErrorNamingTheDirectory) {
  for (const char* name : {"data.noun", "data.verb", "data.adj", "data.adv"}) write(name, "  license only\n");
  try {
    load_wordnet_glosses(dir.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.string()), std::string::npos) << e.what();
  }
}

TEST(SplitDocuments, IsSeededDisjointAndKeepsOrder) {
  Strings docs;
  for (int i = 0; i < 100; ++i) docs.push_back("doc" + std::to_string(100 + i));
  const DocumentSplit a = split_documents(docs, 0.2, 5), b = split_documents(docs, 0.2, 5);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.validation.size(), 20u);
  EXPECT_EQ(a.train.size(), 80u);
  EXPECT_TRUE(std::is_sorted(a.train.begin(), a.train.end()));
  EXPECT_TRUE(std::is_sorted(a.validation.begin(), a.validation.end()));
  Strings all = a.train;
  all.insert(all.end(), a.validation.begin(), a.validation.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, docs);
  EXPECT_NE(split_documents(docs, 0.2, 6).validation, a.validation);
  EXPECT_EQ(split_documents({"x", "y"}, 0.01, 0).validation.size(), 1u);
  EXPECT_THROW(split_documents(docs, 1.0, 0), Error);
}

TEST(EncodeStream, AppendsTheSeparatorAfterEachDocument) {
  const Vocabulary vocab = Vocabulary::from_counts(count_tokens({"a b"}), {.specials = {"<eos>"}});
  EXPECT_EQ(encode_stream({"a b", "b q"}, vocab, TokenizerMode::word, 1),
            (std::vector<int64_t>{vocab.id("a"), vocab.id("b"), 1, vocab.id("b"), 0, 1}));
}

TEST(StreamBatches, CutsRowsAndShiftsTargetsByOne) {
  std::vector<int64_t> stream(23);
  std::iota(stream.begin(), stream.end(), 0);
  const StreamBatches batches(stream, 2, 4);  // rows 0..10 and 11..21; 22 dropped
  EXPECT_EQ(batches.row_length(), 11);
  ASSERT_EQ(batches.size(), 3);  // 10 input positions per row: windows of 4, 4, 2
  const auto first = batches.window(0);
  EXPECT_EQ(first.inputs.shape(), (Shape{2, 4}));
  EXPECT_EQ(first.inputs.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3, 11, 12, 13, 14}));
  EXPECT_EQ(first.targets.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3, 4, 12, 13, 14, 15}));
  const auto last = batches.window(2);
  EXPECT_EQ(last.inputs.to_vector<int64_t>(), (std::vector<int64_t>{8, 9, 19, 20}));
  EXPECT_EQ(last.targets.to_vector<int64_t>(), (std::vector<int64_t>{9, 10, 20, 21}));
  EXPECT_THROW(batches.window(3), IndexError);
  EXPECT_THROW(StreamBatches(stream, 12, 4), Error);  // rows of one token have no target
  EXPECT_THROW(StreamBatches(stream, 0, 4), Error);
}

}  // namespace
}  // namespace nabla::data
