// Loss modules over nabla::functional. They are called with (input, target); a call with the
// input alone does not compile.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include "nabla/functional.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

using functional::Reduction;

class Loss : public Module {
 public:
  explicit Loss(Reduction reduction) : reduction(reduction) {}
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  // forward with hooks; it hides Module's one-tensor call, so loss(x) does not compile.
  Tensor operator()(const Tensor& input, const Tensor& target) { return call(*this, input, target); }
  std::string extra_repr() const override;
  Reduction reduction;
};

// `weight`: class weights [C] or undefined, a buffer (in the state_dict when defined), as PyTorch's.
class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(Reduction reduction = Reduction::mean, double label_smoothing = 0.0,
                            int64_t ignore_index = -100, Tensor weight = Tensor())
      : Loss(reduction), label_smoothing(label_smoothing), ignore_index(ignore_index),
        weight(register_buffer("weight", std::move(weight))) {}
  Tensor forward(const Tensor& logits, const Tensor& target) override;
  double label_smoothing;
  int64_t ignore_index;
  Tensor weight;
};

class NLLLoss : public Loss {
 public:
  explicit NLLLoss(Reduction reduction = Reduction::mean, int64_t ignore_index = -100,
                   Tensor weight = Tensor())
      : Loss(reduction), ignore_index(ignore_index), weight(register_buffer("weight", std::move(weight))) {}
  Tensor forward(const Tensor& log_probs, const Tensor& target) override;
  int64_t ignore_index;
  Tensor weight;
};

class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(Reduction reduction = Reduction::mean, Tensor pos_weight = Tensor())
      : Loss(reduction), pos_weight(std::move(pos_weight)) {}
  Tensor forward(const Tensor& logits, const Tensor& target) override;
  Tensor pos_weight;
};

class MSELoss : public Loss {
 public:
  explicit MSELoss(Reduction reduction = Reduction::mean) : Loss(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

class HuberLoss : public Loss {
 public:
  explicit HuberLoss(Reduction reduction = Reduction::mean, double delta = 1.0)
      : Loss(reduction), delta(delta) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  double delta;
};

}  // namespace nabla::nn
