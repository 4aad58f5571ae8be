// The CSV training log: header from the first row, resume by appending, header checks on resume,
// and cells that read back as written.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "nabla/train/csv_logger.h"
#include "nabla/error.h"

namespace nabla::train {
namespace {

namespace fs = std::filesystem;

class CsvLoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("nabla_csv_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  static std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path directory_;
};

TEST_F(CsvLoggerTest, WritesHeaderThenRowsAndResumesWithoutSecondHeader) {
  const fs::path path = directory_ / "run" / "log.csv";  // the directory is created
  {
    CsvLogger log(path);
    log.write({{"epoch", 1}, {"train_loss", 0.5}, {"val_loss", 0.25}, {"lr", 1e-3}});
    // Each row is flushed at once: readable while the logger is still open.
    EXPECT_EQ(read_text(path), "epoch,train_loss,val_loss,lr\n1,0.5,0.25,0.001\n");
    log.write({{"epoch", 2}, {"train_loss", 0.1}, {"val_loss", 0.2}, {"lr", 1e-3}});
  }
  {
    CsvLogger resumed(path);  // append is the default
    EXPECT_EQ(resumed.columns(), (std::vector<std::string>{"epoch", "train_loss", "val_loss", "lr"}));
    EXPECT_EQ(resumed.rows_written(), 2);
    // Same columns in another order are put under the right headings.
    resumed.write({{"lr", 5e-4}, {"epoch", 3}, {"val_loss", 0.125}, {"train_loss", 0.0625}});
    EXPECT_EQ(resumed.rows_written(), 3);
  }
  EXPECT_EQ(read_text(path),
            "epoch,train_loss,val_loss,lr\n"
            "1,0.5,0.25,0.001\n"
            "2,0.1,0.2,0.001\n"
            "3,0.0625,0.125,0.0005\n");
}

TEST_F(CsvLoggerTest, ResumeWithOtherColumnsIsAnError) {
  const fs::path path = directory_ / "log.csv";
  CsvLogger(path).write({{"epoch", 1}, {"loss", 0.5}});
  CsvLogger resumed(path);
  try {
    resumed.write({{"epoch", 2}, {"loss", 0.4}, {"accuracy", 0.9}});
    FAIL() << "expected IOError";
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find("do not match the existing header"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(read_text(path), "epoch,loss\n1,0.5\n");  // nothing half-written
}

TEST_F(CsvLoggerTest, OverwriteStartsAFreshFile) {
  const fs::path path = directory_ / "log.csv";
  CsvLogger(path).write({{"epoch", 1}, {"loss", 0.5}});
  CsvLogger(path, CsvLogger::Mode::overwrite).write({{"step", 7}});
  EXPECT_EQ(read_text(path), "step\n7\n");
}

TEST_F(CsvLoggerTest, MissingColumnsAreEmptyUnknownColumnsAreRejected) {
  const fs::path path = directory_ / "log.csv";
  CsvLogger log(path);
  log.write({{"epoch", 1}, {"train_loss", 0.5}, {"val_loss", 0.4}});
  log.write({{"epoch", 2}, {"train_loss", 0.3}});  // no validation this epoch
  EXPECT_THROW(log.write({{"epoch", 3}, {"grad_norm", 1.0}}), IOError);
  EXPECT_THROW(log.write({{"epoch", 3}, {"epoch", 4}}), IOError);
  EXPECT_EQ(read_text(path), "epoch,train_loss,val_loss\n1,0.5,0.4\n2,0.3,\n");
}

TEST_F(CsvLoggerTest, TextIsQuotedAndReadsBack) {
  const fs::path path = directory_ / "log.csv";
  CsvLogger log(path);
  log.write({{"epoch", 1}, {"note", "lr, halved \"twice\""}, {"value", 1.0 / 3.0}});
  log.write({{"epoch", 2}, {"note", "two\nlines"}, {"value", -2.5e-10}});
  const CsvTable table = read_csv(path);
  EXPECT_EQ(table.columns, (std::vector<std::string>{"epoch", "note", "value"}));
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0][1], "lr, halved \"twice\"");
  EXPECT_EQ(std::stod(table.rows[0][2]), 1.0 / 3.0);  // shortest round-trip text is exact
  EXPECT_EQ(table.rows[1][1], "two\nlines");
  EXPECT_EQ(table.rows[1][2], "-2.5e-10");
  EXPECT_EQ(table.column_index("value"), 2);
  EXPECT_EQ(table.column_index("nope"), -1);
}

TEST_F(CsvLoggerTest, ResumeAfterATornLastLine) {
  fs::create_directories(directory_);
  const fs::path path = directory_ / "log.csv";
  std::ofstream(path) << "epoch,loss\n1,0.5\n2,0.4";  // the writer died before the newline
  CsvLogger(path).write({{"epoch", 3}, {"loss", 0.3}});
  EXPECT_EQ(read_text(path), "epoch,loss\n1,0.5\n2,0.4\n3,0.3\n");
}

TEST(CsvParsing, SplitLineHandlesQuotes) {
  EXPECT_EQ(split_csv_line("a,\"b,c\",,\"d\"\"e\""),
            (std::vector<std::string>{"a", "b,c", "", "d\"e"}));
  EXPECT_THROW(split_csv_line("a,\"unterminated"), IOError);
  EXPECT_EQ(CsvValue(true).to_csv(), "1");
  EXPECT_EQ(CsvValue(0.1f).to_csv(), "0.10000000149011612");  // a float's exact double value
  EXPECT_EQ(CsvValue(std::numeric_limits<double>::quiet_NaN()).to_csv(), "nan");
  EXPECT_EQ(CsvValue(5e-4).to_csv(), "0.0005");
  EXPECT_EQ(CsvValue(100.0).to_csv(), "100");
  EXPECT_EQ(CsvValue(1e20).to_csv(), "1e+20");
  EXPECT_EQ(CsvValue(int64_t{-7}).to_csv(), "-7");
}

}  // namespace
}  // namespace nabla::train
