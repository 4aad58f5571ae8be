// Training speed of a character-level Transformer language model, the bar: token
// embedding (vocab 100) plus learned positions, 4 pre-norm encoder layers (d_model 128, 4 heads,
// feed-forward 512, GELU, dropout 0.1) under the causal mask, a final LayerNorm and a Linear to
// the vocabulary; cross entropy over every position, Adam 3e-4; batch 32, context 128 (4,096
// tokens a step). The same model in PyTorch is bench/torch_transformer.py.
//
// The tokens are random (training speed does not depend on them). Prints one JSON line: per-step
// seconds of the timed steps, tokens per second from their median, the first and last loss.
// bench/compare_transformer.py runs it next to PyTorch.
//
// Usage: transformer_bench [--threads 2] [--steps 10] [--warmup 2] [--vocab 100] [--d-model 128]
//                          [--heads 4] [--ff 512] [--layers 4] [--context 128] [--batch 32]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"
#include "nabla/optim/optimizer.h"

using namespace nabla;
namespace F = nabla::functional;

namespace {

struct Args {
  int threads = 2, steps = 10, warmup = 2;
  int64_t vocab = 100, d_model = 128, heads = 4, ff = 512, layers = 4, context = 128, batch = 32;
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
    else if (key == "--d-model") a.d_model = value;
    else if (key == "--heads") a.heads = value;
    else if (key == "--ff") a.ff = value;
    else if (key == "--layers") a.layers = value;
    else if (key == "--context") a.context = value;
    else if (key == "--batch") a.batch = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  return a;
}

class CharTransformer : public nn::UnaryModule {
 public:
  explicit CharTransformer(const Args& a) {
    nn::TransformerLayerOptions o;
    o.dim_feedforward = a.ff;
    o.dropout = 0.1;
    o.activation = "gelu";
    o.batch_first = true;
    o.norm_first = true;
    embedding = register_module("embedding", std::make_shared<nn::Embedding>(a.vocab, a.d_model));
    positions = register_module("positions", std::make_shared<nn::LearnedPositionalEmbedding>(a.context, a.d_model));
    encoder = register_module("encoder", std::make_shared<nn::TransformerEncoder>(a.d_model, a.heads, a.layers, o, true));
    head = register_module("head", std::make_shared<nn::Linear>(a.d_model, a.vocab));
  }
  // tokens [N, L] -> logits [N, L, vocab]
  Tensor forward(const Tensor& tokens) override {
    const Tensor x = F::dropout(positions(embedding(tokens)), 0.1, is_training());
    return head(encoder(x, Tensor(), Tensor(), true));
  }
  nn::ModuleHolder<nn::Embedding> embedding;
  nn::ModuleHolder<nn::LearnedPositionalEmbedding> positions;
  nn::ModuleHolder<nn::TransformerEncoder> encoder;
  nn::ModuleHolder<nn::Linear> head;
};

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  set_num_threads(args.threads);
  manual_seed(0);
  CharTransformer model(args);
  optim::Adam adam(model.parameters(), {.lr = 3e-4});
  const int64_t steps = args.steps + args.warmup;
  const Tensor stream = randint(0, args.vocab, {steps, args.batch, args.context + 1});

  std::vector<double> seconds;
  double first_loss = 0, last_loss = 0;
  for (int64_t s = 0; s < steps; ++s) {
    const auto start = std::chrono::steady_clock::now();
    const Tensor window = select(stream, 0, s);
    const Tensor inputs = slice(window, 1, 0, args.context).contiguous();
    const Tensor targets = slice(window, 1, 1, args.context + 1).contiguous();
    const Tensor logits = model(inputs);
    const Tensor loss = F::cross_entropy(logits.reshape({-1, args.vocab}), targets.reshape({-1}));
    adam.zero_grad();
    loss.backward();
    adam.step();
    const double value = loss.item();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s == 0) first_loss = value;
    last_loss = value;
    if (s >= args.warmup) seconds.push_back(elapsed);
  }
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted.empty() ? 0 : sorted[sorted.size() / 2];
  const int64_t tokens = args.batch * args.context;
  std::printf("{\"framework\": \"nabla\", \"threads\": %d, \"tokens_per_step\": %ld, "
              "\"median_step_seconds\": %.6f, \"tokens_per_second\": %.1f, \"first_loss\": %.4f, "
              "\"last_loss\": %.4f, \"step_seconds\": [",
              args.threads, static_cast<long>(tokens), median,
              median > 0 ? static_cast<double>(tokens) / median : 0.0, first_loss, last_loss);
  for (size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.6f", i ? ", " : "", seconds[i]);
  std::printf("]}\n");
  return 0;
}
