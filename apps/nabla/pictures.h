// What the picture commands (`nabla filters`, `misclassified`, `features`) share: shapes in their
// titles, the size of a tile, predictions without a graph, and the line that reports the file.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "nabla/io/png.h"
#include "nabla/nn/module.h"

namespace nabla::cli {

// "[64, 1, 5, 5]"
std::string shape_str(const Shape& shape);

// Pixels per value: `requested`, or when it is 0 tiles about 56 pixels across, big enough to see a
// 5x5 filter's pattern, small enough for a hundred 28x28 ones on a screen.
int64_t auto_scale(int64_t requested, int64_t height, int64_t width);

// Logits for `images` [N, ...] in eval mode without recording a graph, 1000 at a time.
Tensor predict_logits(nn::Module& model, const Tensor& images);

// "wrote PATH (WxH): WHAT, N ms", timed from `start`.
void report(const std::string& path, const io::Image& image, std::chrono::steady_clock::time_point start,
            const std::string& what);

}  // namespace nabla::cli
