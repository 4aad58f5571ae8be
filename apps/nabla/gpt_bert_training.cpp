// The shared training recipe of `nabla gpt` and `nabla bert`; see gpt_bert_training.h.
#include "gpt_bert_training.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <numeric>

#include "nabla/optim/optimizer.h"
#include "nabla/optim/scheduler.h"
#include "nabla/optim/weight_decay_groups.h"

namespace nabla::cli {

train::FitResult train_language_model(nn::Module& model, const LanguageModelTraining& o, const TrainingLoss& loss,
                                      const Validation& validate) {
  const int64_t batches_per_epoch = o.batches_per_epoch();
  if (o.epochs < 0 || batches_per_epoch <= 0)
    throw Error("training: needs at least one batch per epoch, got " + std::to_string(batches_per_epoch));
  optim::AdamWOptions adamw;
  adamw.lr = o.lr;
  adamw.beta2 = 0.99;  // the usual choice for small Transformers (nanoGPT): quicker to adapt than 0.999
  adamw.weight_decay = o.weight_decay;
  optim::AdamW optimizer(optim::weight_decay_groups(model, o.weight_decay), adamw);
  const int64_t total_steps = std::max<int64_t>(1, o.epochs * batches_per_epoch);
  const int64_t warmup = std::clamp<int64_t>(o.warmup_steps, 1, std::max<int64_t>(1, total_steps / 10));
  optim::LinearWarmup schedule(
      optimizer, warmup, 1.0 / static_cast<double>(warmup),
      std::make_unique<optim::CosineAnnealingLR>(optimizer, std::max<int64_t>(1, total_steps - warmup), o.lr / 10));

  // A batch is the indices of its examples, taken in turn from the epoch's order.
  using BatchRows = std::vector<int64_t>;
  train::Batches<BatchRows> batches;
  batches.count = batches_per_epoch;
  batches.generator = o.data_generator;
  batches.for_each = [&](int64_t epoch, const std::function<void(const BatchRows&)>& visit) {
    std::vector<int64_t> order(static_cast<size_t>(o.examples));
    std::iota(order.begin(), order.end(), 0);
    Generator shuffler(o.seed * 1000003 + static_cast<uint64_t>(epoch));
    shuffle(order, shuffler);
    for (int64_t b = 0; b < batches_per_epoch; ++b)
      visit(BatchRows(order.begin() + b * o.batch_size, order.begin() + (b + 1) * o.batch_size));
  };
  train::Trainer trainer(model, optimizer,
                         {.epochs = o.epochs, .out_dir = o.out, .resume = o.resume, .progress = o.progress,
                          .clip_grad_norm = o.clip_norm,
                          .validate = [&](nn::Module&) { return validate(); },
                          .report = [](const train::EpochRecord& e) {
                            std::cerr << "epoch " << e.epoch << ": train_loss " << e.train_loss;
                            for (const auto& [name, value] : e.validation) std::cerr << " " << name << " " << value;
                            std::cerr << " (" << e.seconds << " s)\n";
                          }});
  trainer.set_scheduler(&schedule, train::Trainer::ScheduleEvery::step);
  const train::FitResult result = trainer.fit<BatchRows>(
      batches, [&](nn::Module&, const BatchRows& rows) -> train::StepResult { return {loss(rows)}; });
  model.eval();
  return result;
}

}  // namespace nabla::cli
