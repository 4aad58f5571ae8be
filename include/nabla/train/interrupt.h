// Ctrl-C during training. The first SIGINT asks the loop to stop after the step it is in: the
// Trainer then writes a checkpoint and throws Interrupted, whose message says where it stopped.
// A second SIGINT ends the process at once, as SIGINT normally does (the handler is one-shot).
// The handler is installed only while an InterruptGuard lives (during Trainer::fit), so Ctrl-C
// anywhere else keeps its usual meaning.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <string>

#include "nabla/error.h"

namespace nabla::train {

// Thrown by Trainer::fit after an interrupt, once the checkpoint is on disk.
class Interrupted : public Error {
 public:
  Interrupted(const std::string& message, std::string checkpoint)
      : Error(message), checkpoint_(std::move(checkpoint)) {}
  // The checkpoint a resumed run continues from; empty when the run had no output directory.
  const std::string& checkpoint() const { return checkpoint_; }

 private:
  std::string checkpoint_;
};

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handler; nested guards share the outermost one's
  ~InterruptGuard();  // puts back the disposition that was there before
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Whether a stop was asked for since the outermost guard was made.
  static bool requested();
  // What the first SIGINT does; also for a program embedding the Trainer (a GUI's stop button).
  static void request();
};

}  // namespace nabla::train
