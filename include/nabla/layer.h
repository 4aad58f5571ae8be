// Which layer of the house a header belongs to (DESIGN.md, "Layers of the house"):
//
//   KERNELS < CORE (tensor, autograd, ops) < NN (nn, optim) < TRAIN (data, io, train) < MODELS
//
// Each layer is a library of its own, compiled with NABLA_BUILDING_LAYER set to its level
// (src/CMakeLists.txt), and each header names its layer with NABLA_HEADER_LAYER. A source that
// includes a header from a layer above its own then fails to compile, and the compiler's include
// chain names both files. Programs built on nabla define nothing and see every header.
#pragma once

#define NABLA_LAYER_KERNELS 0
#define NABLA_LAYER_CORE 1
#define NABLA_LAYER_NN 2
#define NABLA_LAYER_TRAIN 3
#define NABLA_LAYER_MODELS 4

#ifdef NABLA_BUILDING_LAYER
#define NABLA_HEADER_LAYER(layer)                                                  \
  static_assert(NABLA_BUILDING_LAYER >= NABLA_LAYER_##layer,                       \
                "upward include: this header belongs to the " #layer " layer, above " \
                "the layer being built (DESIGN.md: each layer uses only those below it)")
#else
#define NABLA_HEADER_LAYER(layer) static_assert(true)
#endif
