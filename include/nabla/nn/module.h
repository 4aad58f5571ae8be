// nn::Module: a named tree of parameters, buffers and submodules (torch.nn.Module).
//
// A layer registers its parameters and children in construction order; names follow PyTorch's
// dotted convention (`0.weight`, `layers.1.bias`), so a state_dict travels between nabla and
// PyTorch unchanged. Modules are held by std::shared_ptr; a parent shares ownership of its
// children. Parameters are ordinary tensors that require grad: a layer keeps a handle in a member
// (`weight`) and the registry keeps another to the same tensor, so loading or converting in place
// updates both.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using StateDict = NamedTensors;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual Tensor forward(const Tensor& input) = 0;
  // forward, then the forward hooks. Composite modules call their children this way, so hooks
  // see every layer.
  Tensor operator()(const Tensor& input);

  // Called after each forward through operator() with the module, its input and its output
  // (torch's register_forward_hook): model summaries and feature-map pictures use them.
  using ForwardHook = std::function<void(const Module&, const Tensor& input, const Tensor& output)>;
  // Returns an id for remove_forward_hook.
  int64_t add_forward_hook(ForwardHook hook);
  void remove_forward_hook(int64_t id);

  // The class name shown by str(), e.g. "Linear".
  virtual std::string type_name() const = 0;
  // What goes between the parentheses of a leaf's repr, e.g. "in_features=4, out_features=2, bias=True".
  virtual std::string extra_repr() const { return ""; }
  // PyTorch's module repr: children indented, one per line, as "(name): ...".
  std::string str() const;

  // ---- parameters, buffers, children (recursive, in registration order, each tensor once) ----
  std::vector<Tensor> parameters() const;
  NamedTensors named_parameters() const;
  NamedTensors named_buffers() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }
  int64_t parameter_count() const;  // total number of parameter elements

  // ---- state --------------------------------------------------------------------------------
  // Per module: its parameters, then its buffers, then each child's entries (PyTorch's order).
  // The tensors are detached handles to the module's own storage, not copies.
  StateDict state_dict() const;
  // Copies values into the existing tensors. strict: a missing or unexpected key is an error;
  // a shape mismatch is always one. Errors name the key and shapes.
  void load_state_dict(const StateDict& state, bool strict = true);

  // ---- modes and housekeeping -----------------------------------------------------------------
  virtual void train(bool on = true);  // this module and all children
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();  // drops every parameter's gradient
  // Converts floating parameters and buffers to `dtype` in place (module.double() in PyTorch).
  void to(DType dtype);

 protected:
  // Registers `value` as a parameter (turning requires_grad on) and returns it for the member.
  Tensor register_parameter(std::string name, Tensor value);
  Tensor register_buffer(std::string name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }
  void add_child(std::string name, std::shared_ptr<Module> module);

 private:
  void collect(const std::string& prefix, bool want_parameters, bool want_buffers,
               NamedTensors& out) const;
  void collect_state(const std::string& prefix, StateDict& out) const;

  NamedTensors parameters_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::vector<std::pair<int64_t, ForwardHook>> forward_hooks_;
  int64_t next_hook_id_ = 0;
  bool training_ = true;
};

using ModulePtr = std::shared_ptr<Module>;

}  // namespace nabla::nn
