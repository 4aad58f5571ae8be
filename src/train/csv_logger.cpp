#include "nabla/train/csv_logger.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "nabla/error.h"

namespace nabla::train {
namespace {

std::string quote_if_needed(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';  // RFC 4180: a quote inside a quoted field is doubled
    quoted += c;
  }
  return quoted + "\"";
}

std::string join(const std::vector<std::string>& names) {
  std::string joined = "[";
  for (size_t i = 0; i < names.size(); ++i) joined += (i ? ", " : "") + names[i];
  return joined + "]";
}

// Splits CSV text into records, honouring quoted fields that hold commas, quotes and newlines.
// `path` is only for error messages.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& path) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string cell;
  bool in_quotes = false, cell_started = false;
  int64_t line = 1, quote_line = 0;
  auto end_record = [&] {
    record.push_back(std::move(cell));
    cell.clear();
    records.push_back(std::move(record));
    record.clear();
    cell_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty()) {
      in_quotes = true;
      cell_started = true;
      quote_line = line;
    } else if (c == ',') {
      record.push_back(std::move(cell));
      cell.clear();
      cell_started = true;
    } else if (c == '\n') {
      ++line;
      end_record();
    } else if (c != '\r') {
      cell += c;
      cell_started = true;
    }
  }
  if (in_quotes) {
    throw IOError(path + ": line " + std::to_string(quote_line) + ": unterminated quoted field");
  }
  if (cell_started || !record.empty()) end_record();  // a last line without its newline
  return records;
}

}  // namespace

std::string CsvValue::to_csv() const {
  if (const auto* integer = std::get_if<int64_t>(&value_)) return std::to_string(*integer);
  if (const auto* number = std::get_if<double>(&value_)) {
    if (std::isnan(*number)) return "nan";
    if (std::isinf(*number)) return *number > 0 ? "inf" : "-inf";
    // The shortest text that reads back to the same double: 0.1 stays "0.1", not 0.1000000000001.
    // Plain decimals for everyday magnitudes (a learning rate reads 0.0005, not 5e-04), as
    // Python's repr does; exponents only for the very small and very large.
    const double magnitude = std::abs(*number);
    const bool everyday = magnitude == 0 || (magnitude >= 1e-5 && magnitude < 1e16);
    char buffer[512];
    const auto result = everyday
        ? std::to_chars(buffer, buffer + sizeof buffer, *number, std::chars_format::fixed)
        : std::to_chars(buffer, buffer + sizeof buffer, *number, std::chars_format::scientific);
    return std::string(buffer, result.ptr);
  }
  return quote_if_needed(std::get<std::string>(value_));
}

std::vector<std::string> split_csv_line(const std::string& line) {
  auto records = parse_csv(line, "csv line");
  if (records.empty()) return {""};
  return std::move(records.front());
}

int64_t CsvTable::column_index(const std::string& name) const {
  const auto found = std::find(columns.begin(), columns.end(), name);
  return found == columns.end() ? -1 : found - columns.begin();
}

CsvTable read_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError(path.string() + ": cannot open for reading");
  std::ostringstream content;
  content << in.rdbuf();
  auto records = parse_csv(content.str(), path.string());
  CsvTable table;
  if (records.empty()) return table;
  table.columns = std::move(records.front());
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() == 1 && records[r][0].empty()) continue;  // a blank line
    if (records[r].size() != table.columns.size()) {
      throw IOError(path.string() + ": record " + std::to_string(r + 1) + " has " +
                    std::to_string(records[r].size()) + " cells, the header has " +
                    std::to_string(table.columns.size()));
    }
    table.rows.push_back(std::move(records[r]));
  }
  return table;
}

CsvLogger::CsvLogger(std::filesystem::path path, Mode mode) : path_(std::move(path)) {
  std::error_code ignored;
  const bool resuming = mode == Mode::append && std::filesystem::exists(path_, ignored) &&
                        std::filesystem::file_size(path_, ignored) > 0;
  bool needs_newline = false;
  if (resuming) {
    const CsvTable existing = read_csv(path_);
    columns_ = existing.columns;
    rows_ = static_cast<int64_t>(existing.rows.size());
    // A run killed in the middle of a write can leave a last line without its newline.
    std::ifstream tail(path_, std::ios::binary | std::ios::ate);
    tail.seekg(-1, std::ios::end);
    needs_newline = tail.get() != '\n';
  } else if (path_.has_parent_path()) {
    std::filesystem::create_directories(path_.parent_path(), ignored);
  }
  out_.open(path_, resuming ? std::ios::app | std::ios::binary : std::ios::trunc | std::ios::binary);
  if (!out_) throw IOError(path_.string() + ": cannot open for writing");
  if (needs_newline) out_ << '\n';
}

void CsvLogger::write(const CsvRow& row) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : row) keys.push_back(key);
  std::set<std::string> unique(keys.begin(), keys.end());
  if (unique.size() != keys.size()) {
    throw IOError(path_.string() + ": a row names a column twice: " + join(keys));
  }

  if (columns_.empty()) {  // a new file: this row fixes the header
    columns_ = keys;
    std::string header;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i) header += ',';
      header += quote_if_needed(columns_[i]);
    }
    out_ << header << '\n';
    header_checked_ = true;
  } else if (!header_checked_) {
    // The first row after resuming must carry exactly the existing columns (in any order).
    std::set<std::string> existing(columns_.begin(), columns_.end());
    if (existing != unique) {
      throw IOError(path_.string() + ": columns " + join(keys) +
                    " do not match the existing header " + join(columns_));
    }
    header_checked_ = true;
  }

  std::vector<std::string> cells(columns_.size());
  for (const auto& [key, value] : row) {
    const auto column = std::find(columns_.begin(), columns_.end(), key);
    if (column == columns_.end()) {
      throw IOError(path_.string() + ": column '" + key + "' is not in the header " +
                    join(columns_));
    }
    cells[column - columns_.begin()] = value.to_csv();
  }
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ',';
    line += cells[i];
  }
  out_ << line << '\n';
  out_.flush();
  if (!out_) throw IOError(path_.string() + ": write failed");
  ++rows_;
}

}  // namespace nabla::train
