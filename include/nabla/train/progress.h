// A progress bar for training loops:
//
//   epoch 3/10 [===========>              ]  45/100  45% | 1523 samples/s | loss 0.4321 acc 0.912 | 00:12<00:15
//
// It shows batches done / total, a bar, throughput, the running loss (the sample-weighted mean of
// the losses so far, as Keras shows it), any extra named values, the elapsed time and an estimate
// of the time left.
//
// Two output modes, because a bar that redraws itself is only a bar on a terminal:
//   * interactive (a terminal): one line redrawn in place with '\r', at most every
//     `min_redraw_seconds`, so a fast loop does not spend its time printing;
//   * plain (pipes, files, CI logs): one ordinary line each time another `plain_step` of the
//     batches is done (every 10% by default) and at the end. Never a '\r'.
//
// The clock and the stream are injectable so that tests can drive both modes deterministically.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace nabla::train {

// A value shown beside the loss, as given (e.g. a running accuracy or the learning rate).
struct NamedValue {
  std::string name;
  double value = 0;
};

// Seconds on a monotonic clock; only differences matter.
using SecondsClock = std::function<double()>;
SecondsClock steady_seconds_clock();

struct ProgressOptions {
  std::string description{};  // e.g. "epoch 3/10"; printed first when not empty
  int bar_width = 30;
  // nullopt: interactive when the stream is std::cout / std::cerr / std::clog and the
  // corresponding file descriptor is a terminal; any other stream is plain.
  std::optional<bool> interactive;
  double min_redraw_seconds = 0.1;  // interactive mode: at most ~10 redraws a second
  double plain_step = 0.1;          // plain mode: a line every 10% of the batches
  std::string unit = "samples";     // throughput unit
  // Interactive mode: lines are cut to this many columns, because a line that wraps can no longer
  // be redrawn with '\r'. nullopt: the terminal's width when it can be asked; 0: no limit.
  std::optional<int> max_width;
};

class ProgressBar {
 public:
  // total_batches may be 0 (an empty loader): finish() then prints a single complete line.
  ProgressBar(int64_t total_batches, std::ostream& out, ProgressOptions options = {},
              SecondsClock clock = steady_seconds_clock());
  explicit ProgressBar(int64_t total_batches, ProgressOptions options = {});
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  // Ends the line if the loop left without finish() (an exception, a break).
  ~ProgressBar();

  // One batch of `samples` samples is done with mean loss `loss`.
  void step(int64_t samples, double loss, const std::vector<NamedValue>& extras = {});
  // A batch without a loss to report (e.g. evaluation that only counts).
  void step(int64_t samples);
  // Draws the final state and ends the line. Safe to call more than once.
  void finish();

  bool interactive() const { return interactive_; }
  int64_t batches_done() const { return batches_done_; }
  int64_t samples_done() const { return samples_done_; }
  double running_loss() const;  // NaN before the first loss
  double elapsed_seconds() const;
  // The line as it would be drawn now (without '\r' or '\n').
  std::string render() const;

 private:
  void maybe_draw();
  void draw();

  int64_t total_batches_;
  std::ostream& out_;
  ProgressOptions options_;
  SecondsClock clock_;
  bool interactive_ = false;
  double start_seconds_ = 0;
  double last_draw_seconds_ = 0;
  bool drawn_once_ = false;
  bool finished_ = false;
  int64_t batches_done_ = 0;
  int64_t samples_done_ = 0;
  double loss_sum_ = 0;      // sum of loss * samples
  int64_t loss_samples_ = 0;
  std::vector<NamedValue> extras_;
  int64_t last_plain_milestone_ = 0;  // plain mode: how many `plain_step`s were printed
  int64_t batches_at_last_draw_ = -1;
  size_t last_line_length_ = 0;   // interactive mode: blank out what a longer line left behind
  size_t max_width_ = 0;          // interactive mode: 0 = no limit
};

// "mm:ss", or "h:mm:ss" from an hour on; "--:--" for a negative or non-finite duration.
std::string format_duration(double seconds);

}  // namespace nabla::train
