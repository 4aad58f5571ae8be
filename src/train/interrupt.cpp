#include "nabla/train/interrupt.h"

#include <unistd.h>

#include <csignal>
#include <cstring>

namespace nabla::train {
namespace {

volatile std::sig_atomic_t g_requested = 0;
int g_guards = 0;
struct sigaction g_previous {};

// Only async-signal-safe calls here: a flag and write(2).
extern "C" void on_sigint(int) {
  g_requested = 1;
  constexpr char kNotice[] =
      "\ninterrupt: finishing the current step and writing a checkpoint (Ctrl-C again to quit at once)\n";
  if (write(STDERR_FILENO, kNotice, sizeof kNotice - 1) < 0) return;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  if (g_guards++ > 0) return;
  g_requested = 0;
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // one-shot: the second SIGINT gets the default action
  sigaction(SIGINT, &action, &g_previous);
}

InterruptGuard::~InterruptGuard() {
  if (--g_guards > 0) return;
  sigaction(SIGINT, &g_previous, nullptr);
}

bool InterruptGuard::requested() { return g_requested != 0; }
void InterruptGuard::request() { g_requested = 1; }

}  // namespace nabla::train
