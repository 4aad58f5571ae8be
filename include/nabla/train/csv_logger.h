// A CSV training log: one row per epoch, the header taken from the first row's keys.
//
//   CsvLogger log("runs/mnist/log.csv");
//   log.write({{"epoch", 1}, {"train_loss", 0.41}, {"val_loss", 0.27}, {"lr", 1e-3}});
//
// Resuming a run appends to the existing file instead of starting a new one: the header is not
// written again, and the first row's columns must match it (a different set of columns would
// silently shift every value under the wrong heading, so that is an IOError instead). Each row is
// flushed as it is written, so a crash loses at most the row being written, and a `tail -f` of
// the file follows training live.
//
// Later rows may leave a column out (validation every few epochs leaves val_* empty) but may not
// add one: the header is fixed by the first row. Numbers are written in the shortest form that
// reads back to the same double; text cells are quoted as RFC 4180 says when they need it.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace nabla::train {

// One cell: an integer, a floating-point number or text. Implicit so that rows read naturally.
class CsvValue {
 public:
  template <std::integral T>
  CsvValue(T value) : value_(static_cast<int64_t>(value)) {}  // NOLINT(google-explicit-constructor)
  template <std::floating_point T>
  CsvValue(T value) : value_(static_cast<double>(value)) {}  // NOLINT
  CsvValue(std::string value) : value_(std::move(value)) {}  // NOLINT
  CsvValue(const char* value) : value_(std::string(value)) {}  // NOLINT
  // The cell as it appears in the file (already quoted if it must be).
  std::string to_csv() const;

 private:
  std::variant<int64_t, double, std::string> value_;
};

using CsvRow = std::vector<std::pair<std::string, CsvValue>>;

class CsvLogger {
 public:
  enum class Mode {
    append,     // keep an existing log and add rows to it (resuming a run)
    overwrite,  // start a fresh file
  };
  explicit CsvLogger(std::filesystem::path path, Mode mode = Mode::append);

  // Writes one row and flushes it. The first row of a new file also writes the header.
  void write(const CsvRow& row);

  const std::filesystem::path& path() const { return path_; }
  // The header: the existing file's when resuming, otherwise fixed by the first write.
  const std::vector<std::string>& columns() const { return columns_; }
  // Data rows in the file, those found on opening included.
  int64_t rows_written() const { return rows_; }

 private:
  std::filesystem::path path_;
  std::ofstream out_;
  std::vector<std::string> columns_;
  bool header_checked_ = false;  // whether the first row's columns were compared with the header
  int64_t rows_ = 0;
};

// A CSV file read back as text: the header and the rows (cells unquoted). Throws IOError when the
// file cannot be read, naming the path and line of a malformed row.
struct CsvTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // The index of a column, or -1.
  int64_t column_index(const std::string& name) const;
};
CsvTable read_csv(const std::filesystem::path& path);

// One line of CSV split into unquoted cells; throws IOError on an unterminated quote.
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace nabla::train
