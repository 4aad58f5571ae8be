// The training event log: one JSON object per line (JSON Lines), appended as things happen, so a
// run can be followed with `tail -f` and read by any tool line by line even while it is written
// or after a crash. Every event has "event" (start, step, epoch, interrupted, done) and "time"
// (seconds since the Unix epoch); the rest are its figures. NaN (a figure that is missing) is
// written as null.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace nabla::train {

using EventFields = std::vector<std::pair<std::string, double>>;

class EventLog {
 public:
  // Appends to `path` (a resumed run continues its log); creates it when missing.
  explicit EventLog(const std::filesystem::path& path);
  // Writes and flushes one line: {"event": event, "time": now, fields...}.
  void write(const std::string& event, const EventFields& fields = {});
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace nabla::train
