#include "nabla/train/event_log.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "nabla/error.h"

namespace nabla::train {

EventLog::EventLog(const std::filesystem::path& path) : path_(path), out_(path, std::ios::app) {
  if (!out_) throw IOError(path.string() + ": cannot open the event log for writing");
}

void EventLog::write(const std::string& event, const EventFields& fields) {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  nlohmann::ordered_json line = {{"event", event}, {"time", now}};
  for (const auto& [name, value] : fields) {
    if (!std::isfinite(value)) line[name] = nullptr;
    else if (value == std::trunc(value) && std::abs(value) < 9.0e15) line[name] = static_cast<int64_t>(value);
    else line[name] = value;
  }
  out_ << line.dump() << '\n' << std::flush;
  if (!out_) throw IOError(path_.string() + ": writing the event log failed");
}

}  // namespace nabla::train
