#include "nabla/optim/weight_decay_groups.h"

namespace nabla::optim {

std::vector<ParamGroup> weight_decay_groups(const nn::Module& module, double weight_decay) {
  if (!(weight_decay >= 0))
    throw Error("weight_decay_groups: weight_decay must be >= 0, got " + std::to_string(weight_decay));
  ParamGroup decayed{.weight_decay = weight_decay}, not_decayed{.weight_decay = 0.0};
  for (const auto& [name, param] : module.named_parameters())
    (param.dim() >= 2 ? decayed : not_decayed).params.push_back(param);
  return {std::move(decayed), std::move(not_decayed)};
}

}  // namespace nabla::optim
