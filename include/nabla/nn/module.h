// nn::Module: a named tree of parameters, buffers and submodules (torch.nn.Module).
//
// A layer registers its parameters and children in construction order; names follow PyTorch's
// dotted convention (`0.weight`, `layers.1.bias`), so a state_dict travels between nabla and
// PyTorch unchanged. Modules are held by std::shared_ptr; a parent shares ownership of its
// children. Parameters are ordinary tensors that require grad: a layer keeps a handle in a member
// (`weight`) and the registry keeps another to the same tensor, so loading or converting in place
// updates both.
//
// A module's forward may take and return anything: Linear has `Tensor forward(const Tensor&)`, an
// LSTM also `RecurrentOutput forward(const Tensor&, const RecurrentState&)`, a decoder layer
// `forward(tgt, memory, masks...)`. The base class declares no forward: nn::call (below) resolves
// a call on the module's own type, so a wrong argument list does not compile, and runs the forward
// hooks with the call's tensors. Calling, as PyTorch reads:
//
//   fc1(x)                  fc1 a ModuleHolder<Linear> member (nn/module_holder.h): forward + hooks
//   model(x), seq2seq(s, t) a module itself: a UnaryModule (one tensor in, one out) or a
//                           CallableModule<Self> (any other forward), forward + hooks
//   fc1->forward(x)         forward alone, without hooks, as PyTorch's module.forward(x)
//
// Why `fc1(x)` through a holder rather than `fc1->forward(x)` with hooks: C++ cannot run code
// around a member function that each class declares with its own signature, short of making every
// module write a second function (forward_impl) for the framework to wrap, and deducing `this` (to
// give the base class one call operator for every signature) is C++23. A holder's operator() can:
// it is a template over the arguments, so it passes any signature through and checks it at compile
// time. The price is the one PyTorch pays: ->forward() stays the raw call, and skips the hooks.
//
// Code that holds any model as Module& and feeds it one tensor (the Trainer, summary, the CLI)
// calls module(x): Module::operator() reaches a UnaryModule's forward through that interface; any
// other module says so in an Error (the one type-erased path, checked at run time as PyTorch's
// AnyModule checks its arguments).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using StateDict = NamedTensors;

class Module;

// What a forward hook receives (torch's register_forward_hook): the module and the call's tensors,
// inputs and outputs each flattened in order (see flatten_tensors), as PyTorch's hooks receive
// tuples. Two forms: hook(module, inputs, outputs) sees every tensor; hook(module, input, output)
// sees the first of each, for layers of one tensor in and one out.
class ForwardHook {
 public:
  using Tensors = std::vector<Tensor>;
  template <class F>
    requires std::invocable<F&, const Module&, const Tensors&, const Tensors&>
  ForwardHook(F hook) : hook_(std::move(hook)) {}
  template <class F>
    requires(std::invocable<F&, const Module&, const Tensor&, const Tensor&> &&
             !std::invocable<F&, const Module&, const Tensors&, const Tensors&>)
  ForwardHook(F hook)
      : hook_([hook = std::move(hook)](const Module& module, const Tensors& inputs, const Tensors& outputs) mutable {
          hook(module, inputs.empty() ? Tensor() : inputs.front(), outputs.empty() ? Tensor() : outputs.front());
        }) {}
  void operator()(const Module& module, const Tensors& inputs, const Tensors& outputs) const {
    hook_(module, inputs, outputs);
  }

 private:
  std::function<void(const Module&, const Tensors&, const Tensors&)> hook_;
};

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The type-erased call for code that holds any model: forward(input) with hooks when this is a
  // UnaryModule, else an Error naming the module (its forward wants other arguments; call it with
  // nn::call or through a ModuleHolder, where they are checked at compile time).
  Tensor operator()(const Tensor& input);

  using ForwardHook = nn::ForwardHook;
  // Called after each forward made through nn::call (a holder's operator(), module(x)). Returns an
  // id for remove_forward_hook.
  int64_t add_forward_hook(ForwardHook hook);
  void remove_forward_hook(int64_t id);
  bool has_forward_hooks() const { return !forward_hooks_.empty(); }
  void run_forward_hooks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs) const;

  // The class name shown by str() and summary(): by default the dynamic type's name without its
  // namespaces ("Linear", "GPT"); a module overrides it only where PyTorch's name differs.
  virtual std::string type_name() const;
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

// A module whose forward takes one tensor and gives one: what Sequential runs and what generic
// code (the Trainer, summary, the model zoo) feeds a batch. It may declare other forwards beside.
class UnaryModule : public Module {
 public:
  virtual Tensor forward(const Tensor& input) = 0;
  // forward with hooks, resolved statically (no look-up through Module's type-erased call).
  Tensor operator()(const Tensor& input);
};

// ---- flattening a call's arguments and results for the hooks ------------------------------------
// A Tensor is itself; tuples, pairs and vectors are their elements in order; a struct of tensors
// takes part by declaring `tensors_of(const S&)` beside it (found by argument-dependent lookup)
// that returns std::tie of its members; anything else (flags, sizes, options) holds no tensor.
// Undefined tensors (absent optional inputs) are left out.
template <class T>
void append_tensors(std::vector<Tensor>& out, const T& value) {
  if constexpr (std::is_same_v<T, Tensor>) {
    if (value.defined()) out.push_back(value);
  } else if constexpr (requires { std::tuple_size<T>::value; }) {
    std::apply([&out](const auto&... element) { (append_tensors(out, element), ...); }, value);
  } else if constexpr (requires { tensors_of(value); }) {
    append_tensors(out, tensors_of(value));
  } else if constexpr (requires { value.begin(); value.end(); }) {
    for (const auto& element : value) append_tensors(out, element);
  }
}

template <class... Values>
std::vector<Tensor> flatten_tensors(const Values&... values) {
  std::vector<Tensor> out;
  (append_tensors(out, values), ...);
  return out;
}

// Calls module.forward(args...) as the module's own type declares it (a wrong argument list does
// not compile), then its forward hooks with the call's inputs and outputs.
template <class M, class... Args>
  requires std::derived_from<M, Module> && requires(M& m, Args&&... args) { m.forward(std::forward<Args>(args)...); }
decltype(auto) call(M& module, Args&&... args) {
  if (!module.has_forward_hooks()) return module.forward(std::forward<Args>(args)...);
  std::vector<Tensor> inputs = flatten_tensors(args...);
  auto output = module.forward(std::forward<Args>(args)...);
  module.run_forward_hooks(inputs, flatten_tensors(output));
  return output;
}

// The base of a module whose forward is not one tensor in, one out: `module(args...)` calls
// Self::forward(args...) through nn::call, and hides Module's type-erased one-tensor call, so
// model(x) on a module that wants more does not compile.
template <class Self>
class CallableModule : public Module {
 public:
  // Constrained through the return type, which is looked at only where the call is made (Self is
  // complete there): clang before 16 checks a requires-clause naming Self while Self is still
  // being defined, and keeps that (failed) answer.
  template <class... Args>
  auto operator()(Args&&... args) -> decltype(call(std::declval<Self&>(), std::forward<Args>(args)...)) {
    return call(static_cast<Self&>(*this), std::forward<Args>(args)...);
  }
};

}  // namespace nabla::nn
