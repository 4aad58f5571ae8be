// Training speed of an LSTM language model: Zaremba et al.'s "medium" model (the course's
// BetterRnnlm), vocab 10000, embedding 650, two LSTM layers of 650 with dropout 0.5 on the
// embeddings, between the layers and before the decoder, Linear to the vocabulary, cross entropy,
// gradient clipping at norm 0.25 and plain SGD, batch 20, 35 time steps per truncated-BPTT window
// with the hidden state carried (detached) from one window to the next.
//
// The tokens are random (training speed does not depend on them; the same in
// bench/torch_lstm_lm.py). Prints one JSON line: per-step seconds of the timed steps, tokens per
// second from their median, the first and last loss. bench/compare_lstm_lm.py runs it next to
// PyTorch.
//
// --lstm-only 1 times just the two LSTM layers' forward and backward on a random window
// (no embedding, decoder, loss or optimizer), to separate the recurrence from the rest.
//
// Usage: lstm_lm_bench [--threads 2] [--steps 20] [--warmup 3] [--vocab 10000] [--hidden 650]
//                      [--batch 20] [--bptt 35] [--lstm-only 0]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"
#include "nabla/optim/clip.h"
#include "nabla/optim/optimizer.h"

using namespace nabla;
namespace F = nabla::functional;

namespace {

struct Args {
  int threads = 2, steps = 20, warmup = 3;
  int64_t vocab = 10000, hidden = 650, batch = 20, bptt = 35;
  bool lstm_only = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const long value = std::atol(argv[i + 1]);
    if (key == "--threads") a.threads = static_cast<int>(value);
    else if (key == "--steps") a.steps = static_cast<int>(value);
    else if (key == "--warmup") a.warmup = static_cast<int>(value);
    else if (key == "--vocab") a.vocab = value;
    else if (key == "--hidden") a.hidden = value;
    else if (key == "--batch") a.batch = value;
    else if (key == "--bptt") a.bptt = value;
    else if (key == "--lstm-only") a.lstm_only = value != 0;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  return a;
}

class LanguageModel : public nn::UnaryModule {
 public:
  LanguageModel(int64_t vocab, int64_t hidden) {
    nn::RecurrentOptions options;
    options.num_layers = 2;
    options.dropout = 0.5;
    embedding = register_module("encoder", std::make_shared<nn::Embedding>(vocab, hidden));
    lstm = register_module("rnn", std::make_shared<nn::LSTM>(hidden, hidden, options));
    decoder = register_module("decoder", std::make_shared<nn::Linear>(hidden, vocab));
    lstm->stateful = true;  // truncated BPTT: each window starts where the last one ended
  }
  // tokens [T, N] -> logits [T, N, vocab]
  Tensor forward(const Tensor& tokens) override {
    const Tensor embedded = F::dropout(embedding(tokens), 0.5, is_training());
    return decoder(F::dropout(lstm(embedded), 0.5, is_training()));
  }
  nn::ModuleHolder<nn::Embedding> embedding;
  nn::ModuleHolder<nn::LSTM> lstm;
  nn::ModuleHolder<nn::Linear> decoder;
};

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  set_num_threads(args.threads);
  manual_seed(0);
  LanguageModel model(args.vocab, args.hidden);
  optim::SGD sgd(model.parameters(), {.lr = 1.0});
  // One long random token stream, cut into consecutive windows as a language-model loader does.
  const int64_t windows = args.steps + args.warmup;
  const Tensor stream = randint(0, args.vocab, {windows * args.bptt + 1, args.batch});

  std::vector<double> seconds;
  double first_loss = 0, last_loss = 0;
  for (int64_t w = 0; w < windows; ++w) {
    const auto start = std::chrono::steady_clock::now();
    const Tensor inputs = slice(stream, 0, w * args.bptt, (w + 1) * args.bptt);
    const Tensor targets = slice(stream, 0, w * args.bptt + 1, (w + 1) * args.bptt + 1);
    Tensor loss;
    if (args.lstm_only) {
      // A leaf, so the backward also computes the input gradient as it does under an embedding.
      Tensor x = randn({args.bptt, args.batch, args.hidden});
      x.requires_grad_();
      loss = mean((*model.lstm)(x));
      loss.backward();
    } else {
      const Tensor logits = model(inputs);
      loss = F::cross_entropy(logits.reshape({-1, args.vocab}), targets.reshape({-1}));
      sgd.zero_grad();
      loss.backward();
      optim::clip_grad_norm_(model.parameters(), 0.25);
      sgd.step();
    }
    const double value = loss.item();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (w == 0) first_loss = value;
    last_loss = value;
    if (w >= args.warmup) seconds.push_back(elapsed);
  }
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted.empty() ? 0 : sorted[sorted.size() / 2];
  std::printf("{\"framework\": \"nabla\", \"lstm_only\": %s, \"threads\": %d, \"tokens_per_step\": %ld, "
              "\"median_step_seconds\": %.6f, \"tokens_per_second\": %.1f, \"first_loss\": %.4f, "
              "\"last_loss\": %.4f, \"step_seconds\": [",
              args.lstm_only ? "true" : "false", args.threads, static_cast<long>(args.bptt * args.batch), median,
              median > 0 ? static_cast<double>(args.bptt * args.batch) / median : 0.0, first_loss,
              last_loss);
  for (size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.6f", i ? ", " : "", seconds[i]);
  std::printf("]}\n");
  return 0;
}
