// The one loop shape every optimizer update uses: independent work per element over contiguous
// buffers, split across OpenMP threads only when the parameter is big enough to pay for the team.
// Each element's arithmetic is the same whichever thread runs it, so results do not depend on the
// thread count.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <cstdint>
#include <string>
#include <type_traits>

#include "nabla/dtype.h"
#include "nabla/error.h"
#include "nabla/optim/optimizer.h"
#include "nabla/tensor.h"

namespace nabla::optim::detail {

inline constexpr int64_t kParallelElements = 1 << 16;

template <class Body>
void for_each_element(int64_t n, Body&& body) {
#pragma omp parallel for schedule(static) if (n >= kParallelElements)
  for (int64_t i = 0; i < n; ++i) body(i);
}

// Calls f(T{}) for float or double parameters (through nabla::dispatch, the one dtype switch);
// optimizers do not update integer tensors.
template <class F>
void dispatch_floating(const Tensor& param, const char* who, F&& f) {
  if (!is_floating(param.dtype()) || is_storage_only(param.dtype()))
    throw DTypeError(std::string(who) + ": cannot update a parameter of dtype " + to_string(param.dtype()) +
                     " (shape " + to_string(param.shape()) + ")");
  dispatch(param.dtype(), [&](auto zero) {
    if constexpr (std::is_floating_point_v<decltype(zero)>) f(zero);
  });
}

}  // namespace nabla::optim::detail

namespace nabla::optim::detail {

// The named buffer of a parameter's state, created filled with `fill` (shape and dtype of the
// parameter) the first time it is asked for.
inline Tensor& state_buffer(ParamState& state, const std::string& name, const Tensor& param,
                            double fill = 0) {
  auto it = state.buffers.find(name);
  if (it == state.buffers.end()) it = state.buffers.emplace(name, full_like(param, fill)).first;
  return it->second;
}

}  // namespace nabla::optim::detail
