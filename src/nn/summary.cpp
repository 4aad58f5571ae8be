// nn::summary: a forward hook on every leaf records what ran, in order.
#include "nabla/nn/summary.h"

#include <algorithm>
#include <array>
#include <functional>
#include <sstream>
#include <unordered_set>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/layers.h"

namespace nabla::nn {

namespace {

struct NamedModule {
  std::string name;
  Module* module;
};

// Every module under `module` with its dotted name, parents before children (the root is "").
void collect_modules(Module& module, const std::string& name, std::vector<NamedModule>& out) {
  out.push_back({name, &module});
  for (const auto& [child_name, child] : module.named_children())
    collect_modules(*child, name.empty() ? child_name : name + "." + child_name, out);
}

int64_t own_parameter_count(const Module& module) {
  // A leaf has no children, so its parameters are its own.
  int64_t count = 0;
  for (const Tensor& p : module.parameters()) count += p.numel();
  return count;
}

// 1234567 -> "1,234,567"
std::string with_commas(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return value < 0 ? "-" + digits : digits;
}

std::string shape_text(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::string pad_right(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

// Removes the hooks and restores the training modes even when the forward pass throws.
class SummaryScope {
 public:
  explicit SummaryScope(const std::vector<NamedModule>& modules) : modules_(modules) {
    for (const NamedModule& m : modules_) was_training_.push_back(m.module->is_training());
  }
  ~SummaryScope() {
    for (const auto& [module, id] : hooks_) module->remove_forward_hook(id);
    // Parents come first, so a parent's recursive train() is corrected by its children's own.
    for (size_t i = 0; i < modules_.size(); ++i) modules_[i].module->train(was_training_[i]);
  }
  SummaryScope(const SummaryScope&) = delete;
  SummaryScope& operator=(const SummaryScope&) = delete;
  void hook(Module* module, Module::ForwardHook h) { hooks_.emplace_back(module, module->add_forward_hook(std::move(h))); }

 private:
  const std::vector<NamedModule>& modules_;
  std::vector<bool> was_training_;
  std::vector<std::pair<Module*, int64_t>> hooks_;
};

}  // namespace

int64_t multiply_adds(const Module& layer, const Tensor& input, const Tensor& output) {
  if (const auto* conv = dynamic_cast<const Conv2d*>(&layer)) {
    // Each output element sums (C_in / groups) x kH x kW products.
    return output.numel() * (conv->in_channels / conv->groups) * conv->kernel_size.h * conv->kernel_size.w;
  }
  if (const auto* deconv = dynamic_cast<const ConvTranspose2d*>(&layer)) {
    // Each input element is scattered to (C_out / groups) x kH x kW outputs.
    return input.numel() * (deconv->out_channels / deconv->groups) * deconv->kernel_size.h *
           deconv->kernel_size.w;
  }
  if (const auto* linear = dynamic_cast<const Linear*>(&layer)) return output.numel() * linear->in_features;
  return 0;
}

ModelSummary summary(Module& model, const Shape& input_shape, DType dtype) {
  if (input_shape.empty() || input_shape[0] <= 0)
    throw ShapeError("summary: the input shape needs a positive batch dimension first, got " +
                     to_string(input_shape));
  const int64_t batch = input_shape[0];
  std::vector<NamedModule> modules;
  collect_modules(model, "", modules);

  ModelSummary result;
  result.input_shape = input_shape;
  {
    SummaryScope scope(modules);
    std::unordered_set<const Module*> seen;  // a layer called twice counts its parameters once
    for (const NamedModule& m : modules) {
      if (!m.module->named_children().empty()) continue;
      const std::string name = m.name.empty() ? m.module->type_name() : m.name;
      // Calls of any signature: the row shows the first output (an LSTM's sequence, not its state).
      scope.hook(m.module, [&result, &seen, name, batch](const Module& layer, const std::vector<Tensor>& inputs,
                                                          const std::vector<Tensor>& outputs) {
        if (outputs.empty()) return;
        LayerSummary row;
        row.name = name;
        row.type = layer.type_name();
        row.output_shape = outputs.front().shape();
        row.params = seen.insert(&layer).second ? own_parameter_count(layer) : 0;
        row.flops = inputs.empty() ? 0 : 2 * multiply_adds(layer, inputs.front(), outputs.front()) / batch;
        result.layers.push_back(std::move(row));
      });
    }
    model.eval();
    NoGradGuard no_grad;
    model(zeros(input_shape, dtype));
  }
  for (const Tensor& p : model.parameters()) {
    result.total_params += p.numel();
    if (p.requires_grad()) result.trainable_params += p.numel();
  }
  for (const LayerSummary& row : result.layers) result.flops += row.flops;
  return result;
}

std::string ModelSummary::str() const {
  const std::string h_layer = "Layer (type)", h_shape = "Output shape", h_params = "Params",
                    h_flops = "FLOPs";
  size_t w_layer = h_layer.size(), w_shape = h_shape.size(), w_params = h_params.size(),
         w_flops = h_flops.size();
  std::vector<std::array<std::string, 4>> cells;
  for (const LayerSummary& row : layers) {
    cells.push_back({row.name + " (" + row.type + ")", shape_text(row.output_shape),
                     row.params ? with_commas(row.params) : "-", row.flops ? with_commas(row.flops) : "-"});
    w_layer = std::max(w_layer, cells.back()[0].size());
    w_shape = std::max(w_shape, cells.back()[1].size());
    w_params = std::max(w_params, cells.back()[2].size());
    w_flops = std::max(w_flops, cells.back()[3].size());
  }
  const size_t width = w_layer + w_shape + w_params + w_flops + 6;
  std::ostringstream out;
  out << pad_right(h_layer, w_layer) << "  " << pad_right(h_shape, w_shape) << "  " << pad_left(h_params, w_params)
      << "  " << pad_left(h_flops, w_flops) << "\n"
      << std::string(width, '=') << "\n";
  for (const auto& c : cells)
    out << pad_right(c[0], w_layer) << "  " << pad_right(c[1], w_shape) << "  " << pad_left(c[2], w_params) << "  "
        << pad_left(c[3], w_flops) << "\n";
  out << std::string(width, '=') << "\n";
  std::ostringstream mflops;
  mflops.precision(3);
  mflops << std::fixed << static_cast<double>(flops) / 1e6;
  out << "Input shape: " << shape_text(input_shape) << "\n"
      << "Total params: " << with_commas(total_params) << "\n"
      << "Trainable params: " << with_commas(trainable_params) << "\n"
      << "Forward FLOPs per sample: " << with_commas(flops) << " (" << mflops.str() << " MFLOP)\n"
      << "FLOPs: 2 x multiply-adds of Conv2d, ConvTranspose2d and Linear layers, per sample; bias adds,\n"
      << "activations, normalisation, pooling and elementwise ops are not counted.\n";
  return out.str();
}

}  // namespace nabla::nn
