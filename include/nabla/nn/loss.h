// Loss modules over nabla::functional. They are called with (input, target).
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
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  // A loss needs a target; the one-argument form is an error that says so.
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  Reduction reduction;
};

class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(Reduction reduction = Reduction::mean, double label_smoothing = 0.0,
                            int64_t ignore_index = -100)
      : Loss(reduction), label_smoothing(label_smoothing), ignore_index(ignore_index) {}
  using Loss::forward;
  Tensor forward(const Tensor& logits, const Tensor& target) override;
  std::string type_name() const override { return "CrossEntropyLoss"; }
  double label_smoothing;
  int64_t ignore_index;
};

class NLLLoss : public Loss {
 public:
  explicit NLLLoss(Reduction reduction = Reduction::mean, int64_t ignore_index = -100)
      : Loss(reduction), ignore_index(ignore_index) {}
  using Loss::forward;
  Tensor forward(const Tensor& log_probs, const Tensor& target) override;
  std::string type_name() const override { return "NLLLoss"; }
  int64_t ignore_index;
};

class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(Reduction reduction = Reduction::mean, Tensor pos_weight = Tensor())
      : Loss(reduction), pos_weight(std::move(pos_weight)) {}
  using Loss::forward;
  Tensor forward(const Tensor& logits, const Tensor& target) override;
  std::string type_name() const override { return "BCEWithLogitsLoss"; }
  Tensor pos_weight;
};

class MSELoss : public Loss {
 public:
  explicit MSELoss(Reduction reduction = Reduction::mean) : Loss(reduction) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string type_name() const override { return "MSELoss"; }
};

class HuberLoss : public Loss {
 public:
  explicit HuberLoss(Reduction reduction = Reduction::mean, double delta = 1.0)
      : Loss(reduction), delta(delta) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string type_name() const override { return "HuberLoss"; }
  double delta;
};

}  // namespace nabla::nn
