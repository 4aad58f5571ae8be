#include "nabla/train/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>

#include "nabla/error.h"

namespace nabla::train {
namespace {

// A stream is only known to be a terminal when it is one of the standard streams; a
// std::ostream carries no file descriptor of its own.
bool stream_is_terminal(const std::ostream& out) {
  if (&out == &std::cout) return ::isatty(STDOUT_FILENO) == 1;
  if (&out == &std::cerr || &out == &std::clog) return ::isatty(STDERR_FILENO) == 1;
  return false;
}

// The terminal's width in columns, or 0 when the stream is not a standard stream or the
// terminal does not say.
int terminal_columns(const std::ostream& out) {
  int fd = -1;
  if (&out == &std::cout) fd = STDOUT_FILENO;
  if (&out == &std::cerr || &out == &std::clog) fd = STDERR_FILENO;
  winsize size{};
  if (fd < 0 || ::ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

std::string format_value(double value) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

std::string format_rate(double per_second) {
  char buffer[48];
  // Fewer decimals as the number grows: the leading digits are the information.
  const int decimals = per_second >= 100 ? 0 : per_second >= 10 ? 1 : 2;
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, per_second);
  return buffer;
}

}  // namespace

SecondsClock steady_seconds_clock() {
  return [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto whole = static_cast<int64_t>(seconds);
  const int64_t hours = whole / 3600, minutes = whole / 60 % 60, secs = whole % 60;
  char buffer[48];
  if (hours > 0) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", static_cast<long long>(hours),
                  static_cast<long long>(minutes), static_cast<long long>(secs));
  } else {
    std::snprintf(buffer, sizeof buffer, "%02lld:%02lld", static_cast<long long>(minutes),
                  static_cast<long long>(secs));
  }
  return buffer;
}

ProgressBar::ProgressBar(int64_t total_batches, std::ostream& out, ProgressOptions options,
                         SecondsClock clock)
    : total_batches_(total_batches), out_(out), options_(std::move(options)),
      clock_(std::move(clock)) {
  if (total_batches < 0) {
    throw Error("ProgressBar: total_batches must not be negative, got " +
                std::to_string(total_batches));
  }
  if (!(options_.plain_step > 0 && options_.plain_step <= 1)) {
    throw Error("ProgressBar: plain_step must be in (0, 1], got " +
                std::to_string(options_.plain_step));
  }
  options_.bar_width = std::max(options_.bar_width, 0);
  interactive_ = options_.interactive.value_or(stream_is_terminal(out_));
  if (interactive_) {
    max_width_ = static_cast<size_t>(std::max(options_.max_width.value_or(terminal_columns(out_)), 0));
  }
  start_seconds_ = clock_();
  last_draw_seconds_ = start_seconds_;
}

ProgressBar::ProgressBar(int64_t total_batches, ProgressOptions options)
    : ProgressBar(total_batches, std::cerr, std::move(options)) {}

ProgressBar::~ProgressBar() {
  try {
    finish();
  } catch (...) {
    // A destructor must not throw; a failed final draw only loses a line of output.
  }
}

void ProgressBar::step(int64_t samples, double loss, const std::vector<NamedValue>& extras) {
  loss_sum_ += loss * static_cast<double>(samples);
  loss_samples_ += samples;
  if (!extras.empty()) extras_ = extras;
  step(samples);
}

void ProgressBar::step(int64_t samples) {
  ++batches_done_;
  samples_done_ += samples;
  maybe_draw();
}

double ProgressBar::running_loss() const {
  if (loss_samples_ == 0) return std::numeric_limits<double>::quiet_NaN();
  return loss_sum_ / static_cast<double>(loss_samples_);
}

double ProgressBar::elapsed_seconds() const { return clock_() - start_seconds_; }

std::string ProgressBar::render() const {
  std::string line;
  if (!options_.description.empty()) line += options_.description + " ";

  const bool known_total = total_batches_ > 0;
  const double fraction =
      known_total ? std::min(1.0, static_cast<double>(batches_done_) / total_batches_) : 1.0;
  const int filled = static_cast<int>(fraction * options_.bar_width);
  if (options_.bar_width > 0) {
    line += '[';
    line += std::string(filled, '=');
    if (filled < options_.bar_width) {
      line += '>';
      line += std::string(options_.bar_width - filled - 1, ' ');
    }
    line += "] ";
  }
  // Pad the count to the width of the total so that the line does not jitter as it grows.
  const std::string total = std::to_string(total_batches_);
  const std::string done = std::to_string(batches_done_);
  line += std::string(total.size() > done.size() ? total.size() - done.size() : 0, ' ');
  line += done + "/" + total;
  char percent[16];
  std::snprintf(percent, sizeof percent, " %3d%%", static_cast<int>(fraction * 100));
  line += percent;

  const double elapsed = elapsed_seconds();
  line += " | ";
  line += elapsed > 0 ? format_rate(static_cast<double>(samples_done_) / elapsed) : "-";
  line += " " + options_.unit + "/s";

  if (loss_samples_ > 0 || !extras_.empty()) {
    line += " |";
    if (loss_samples_ > 0) line += " loss " + format_value(running_loss());
    for (const auto& extra : extras_) line += " " + extra.name + " " + format_value(extra.value);
  }

  const double remaining =
      batches_done_ > 0 ? elapsed / static_cast<double>(batches_done_) *
                              static_cast<double>(std::max<int64_t>(total_batches_ - batches_done_, 0))
                        : -1;
  line += " | " + format_duration(elapsed) + "<" + format_duration(remaining);
  return line;
}

void ProgressBar::maybe_draw() {
  if (finished_) return;
  const bool complete = batches_done_ >= total_batches_;
  if (interactive_) {
    const double now = clock_();
    if (!drawn_once_ || complete || now - last_draw_seconds_ >= options_.min_redraw_seconds) draw();
    return;
  }
  // Plain mode: one line per completed `plain_step` of the work. Several steps passed in one
  // batch (few batches) still give a single line.
  if (total_batches_ == 0) return;
  const double fraction = static_cast<double>(batches_done_) / static_cast<double>(total_batches_);
  // The small slack keeps 0.3 / 0.1 from landing at 2.9999 and missing a milestone.
  const auto milestone = static_cast<int64_t>(std::floor(fraction / options_.plain_step + 1e-9));
  if (milestone > last_plain_milestone_ || complete) {
    last_plain_milestone_ = milestone;
    draw();
  }
}

void ProgressBar::draw() {
  std::string line = render();
  if (interactive_) {
    // One column short of the width: writing the last column makes some terminals wrap.
    if (max_width_ > 1 && line.size() >= max_width_) line.resize(max_width_ - 1);
    out_ << '\r' << line;
    // Blank out the tail of a longer previous line (e.g. when the ETA got shorter).
    if (line.size() < last_line_length_) out_ << std::string(last_line_length_ - line.size(), ' ');
    last_line_length_ = line.size();
  } else {
    out_ << line << '\n';
  }
  out_.flush();
  drawn_once_ = true;
  last_draw_seconds_ = clock_();
  batches_at_last_draw_ = batches_done_;
}

void ProgressBar::finish() {
  if (finished_) return;
  if (!drawn_once_ || batches_at_last_draw_ != batches_done_) draw();
  if (interactive_) {
    out_ << '\n';
    out_.flush();
  }
  finished_ = true;
}

}  // namespace nabla::train
