// The shared training loop of `nabla gpt` and `nabla bert`; see gpt_bert_training.h.
#include "gpt_bert_training.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "nabla/autograd.h"
#include "nabla/optim/clip.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/scheduler.h"
#include "nabla/train/csv_logger.h"
#include "nabla/train/progress.h"

namespace nabla::cli {

std::vector<EpochMetrics> train_language_model(nn::Module& model, const LanguageModelTraining& o,
                                               const TrainingLoss& loss, const Validation& validate) {
  if (o.epochs < 0 || o.batches_per_epoch <= 0)
    throw Error("training: needs at least one batch per epoch, got " + std::to_string(o.batches_per_epoch));
  optim::AdamWOptions adamw;
  adamw.lr = o.lr;
  adamw.beta2 = 0.99;  // the usual choice for small Transformers (nanoGPT): quicker to adapt than 0.999
  adamw.weight_decay = o.weight_decay;
  optim::AdamW optimizer(model.parameters(), adamw);
  const int64_t total_steps = std::max<int64_t>(1, o.epochs * o.batches_per_epoch);
  const int64_t warmup = std::clamp<int64_t>(o.warmup_steps, 1, std::max<int64_t>(1, total_steps / 10));
  optim::LinearWarmup schedule(
      optimizer, warmup, 1.0 / static_cast<double>(warmup),
      std::make_unique<optim::CosineAnnealingLR>(optimizer, std::max<int64_t>(1, total_steps - warmup), o.lr / 10));

  std::unique_ptr<train::CsvLogger> log;
  if (!o.out.empty()) {
    std::filesystem::create_directories(o.out);
    log = std::make_unique<train::CsvLogger>(std::filesystem::path(o.out) / "metrics.csv",
                                             train::CsvLogger::Mode::overwrite);
  }
  std::vector<EpochMetrics> history;
  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    model.train();
    train::ProgressOptions bar_options;
    bar_options.description = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs);
    bar_options.unit = "batches";
    std::unique_ptr<train::ProgressBar> bar;
    if (o.progress) bar = std::make_unique<train::ProgressBar>(o.batches_per_epoch, bar_options);
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    for (int64_t b = 0; b < o.batches_per_epoch; ++b) {
      const Tensor l = loss(epoch, b);
      optimizer.zero_grad();
      l.backward();
      if (o.clip_norm > 0) optim::clip_grad_norm_(optimizer.params(), o.clip_norm);
      optimizer.step();
      schedule.step();
      const double value = l.item();
      loss_sum += value;
      if (bar) bar->step(1, value, {{"lr", optimizer.lr()}});
    }
    if (bar) bar->finish();
    EpochMetrics m;
    m.epoch = epoch + 1;
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.train_loss = loss_sum / static_cast<double>(o.batches_per_epoch);
    m.lr = optimizer.lr();
    {
      model.eval();
      NoGradGuard no_grad;
      m.validation = validate();
    }
    train::CsvRow row = {{"epoch", m.epoch}, {"train_loss", m.train_loss}};
    std::cerr << "epoch " << m.epoch << ": train_loss " << m.train_loss;
    for (const auto& [name, value] : m.validation) {
      row.emplace_back(name, value);
      std::cerr << " " << name << " " << value;
    }
    row.emplace_back("lr", m.lr);
    row.emplace_back("seconds", m.seconds);
    std::cerr << " (" << m.seconds << " s)\n";
    if (log) log->write(row);
    history.push_back(std::move(m));
  }
  model.eval();
  return history;
}

}  // namespace nabla::cli
