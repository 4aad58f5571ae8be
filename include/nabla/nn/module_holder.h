// ModuleHolder<M>: a shared handle to a child module that calls like PyTorch, `fc1(x)`, with the
// forward hooks and a compile-time check of the arguments (the PyTorch C++ frontend's ModuleHolder).
// `fc1->weight` and `fc1->forward(x)` reach the module itself; the latter skips the hooks, as
// PyTorch's module.forward(x) does.
//
//   class Net : public nn::UnaryModule {
//    public:
//     Net() { fc1 = register_module("fc1", std::make_shared<nn::Linear>(4, 8)); }
//     Tensor forward(const Tensor& x) override { return relu(fc1(x)); }
//     nn::ModuleHolder<nn::Linear> fc1;
//   };
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <memory>
#include <type_traits>
#include <utility>

#include "nabla/nn/module.h"

namespace nabla::nn {

template <class M>
class ModuleHolder {
 public:
  ModuleHolder() = default;
  // Implicit, so `fc1 = register_module("fc1", std::make_shared<Linear>(...))` reads naturally; a
  // module of a derived type may be held as its base (a UnaryModule head that is Linear or tied).
  template <class Derived>
    requires std::is_convertible_v<Derived*, M*>
  ModuleHolder(std::shared_ptr<Derived> module) : module_(std::move(module)) {}

  // nn::call(*module, args...): M's own forward for these arguments, then the hooks.
  template <class... Args>
    requires requires(M& m, Args&&... args) { m.forward(std::forward<Args>(args)...); }
  decltype(auto) operator()(Args&&... args) const {
    return call(*module_, std::forward<Args>(args)...);
  }

  M* operator->() const { return module_.get(); }
  M& operator*() const { return *module_; }
  M* get() const { return module_.get(); }
  explicit operator bool() const { return module_ != nullptr; }
  const std::shared_ptr<M>& ptr() const { return module_; }
  // Wherever a shared_ptr to M or to one of its bases is wanted (ModulePtr, a Sequential's list).
  template <class Base>
    requires std::is_convertible_v<M*, Base*>
  operator std::shared_ptr<Base>() const {
    return module_;
  }

 private:
  std::shared_ptr<M> module_;
};

}  // namespace nabla::nn
