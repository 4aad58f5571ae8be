// Data augmentation for image batches: random crop with padding, horizontal flip and a small affine
// jitter (torchvision's RandomCrop(size, padding), RandomHorizontalFlip(p), RandomAffine(degrees,
// translate, scale)), as DataLoader batch transforms that run in the loader's worker thread.
//
//   auto augment = data::compose({data::random_crop(2, 0, seed), data::random_horizontal_flip(0.5, seed + 1)});
//   data::DataLoader loader(train_set, {.batch_size = 100, .shuffle = true, .seed = seed, .transform = augment});
//
// Inputs are f32 or f64 images [N, C, H, W]; every example draws its own parameters, all its
// channels share them, and the target is passed through. Each transform returns a new tensor and
// leaves its input alone. Transforms draw from an AugmentGenerator held in shared state, so copies
// of one std::function draw from one stream, and the same seed gives the same augmented batches.
//
// The deterministic forms (shift_images, flip_images, affine_images) apply given parameters, as
// torchvision.transforms.functional does; the random transforms draw parameters and call them.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/random.h"

namespace nabla::data {

// A seeded generator that several transforms (and every copy of each) can share, behind a lock so
// that a trainer may reseed it between epochs while the loader's thread is idle.
class AugmentGenerator {
 public:
  explicit AugmentGenerator(uint64_t seed = 0) : generator_(seed) {}
  void seed(uint64_t seed) {
    std::lock_guard lock(mutex_);
    generator_.seed(seed);
  }
  // Runs draw(Generator&) under the lock: one batch's parameters are drawn together.
  template <class F>
  auto draw(F&& draw) {
    std::lock_guard lock(mutex_);
    return draw(generator_);
  }
  std::string state() const {
    std::lock_guard lock(mutex_);
    return generator_.state();
  }
  void set_state(const std::string& state) {
    std::lock_guard lock(mutex_);
    generator_.set_state(state);
  }

 private:
  mutable std::mutex mutex_;
  Generator generator_;
};
using AugmentGeneratorPtr = std::shared_ptr<AugmentGenerator>;

// ---- deterministic forms -----------------------------------------------------------------------

// out[n, c, y, x] = images[n, c, y - dy, x - dx], or `fill` where that lies outside the image:
// the content of example n moves right by shifts[n].second and down by shifts[n].first.
// shifts: one (dy, dx) per example.
Tensor shift_images(const Tensor& images, const std::vector<std::pair<int64_t, int64_t>>& shifts, double fill = 0);
// Mirrors example n left to right where flip[n] is true, copies it where it is false.
Tensor flip_images(const Tensor& images, const std::vector<bool>& flip);

// One example's affine map: scale and rotate about the image centre, then translate.
struct AffineParams {
  double degrees = 0;      // counter-clockwise as the image is shown (row 0 at the top)
  double translate_x = 0;  // pixels, to the right
  double translate_y = 0;  // pixels, down
  double scale = 1;
};
// Each output pixel is mapped back through the inverse of example n's map and sampled bilinearly;
// where a neighbour lies outside the image it counts as `fill` (grid_sample with zero padding when
// fill is 0). The centre is ((W - 1) / 2, (H - 1) / 2), so 90 degrees turns a square image exactly.
Tensor affine_images(const Tensor& images, const std::vector<AffineParams>& params, double fill = 0);

// ---- random transforms -------------------------------------------------------------------------

// torchvision RandomCrop((H, W), padding): pads every side by `padding` with `fill` and crops an
// H x W window at a uniformly drawn offset, so content moves by dy, dx in [-padding, padding].
BatchTransform random_crop(int64_t padding, double fill, AugmentGeneratorPtr generator);
BatchTransform random_crop(int64_t padding, double fill = 0, uint64_t seed = 0);

// torchvision RandomHorizontalFlip(p): mirrors each example with probability p.
BatchTransform random_horizontal_flip(double p, AugmentGeneratorPtr generator);
BatchTransform random_horizontal_flip(double p = 0.5, uint64_t seed = 0);

// torchvision RandomAffine(degrees, translate=(t, t), scale=(lo, hi), fill): per example an angle
// uniform in [-max_degrees, max_degrees], a shift of round(uniform(-t W, t W)) by
// round(uniform(-t H, t H)) pixels (t = max_translate, in [0, 1]) and a scale uniform in [lo, hi].
BatchTransform random_affine(double max_degrees, double max_translate, std::pair<double, double> scale, double fill,
                             AugmentGeneratorPtr generator);
BatchTransform random_affine(double max_degrees, double max_translate = 0, std::pair<double, double> scale = {1, 1},
                             double fill = 0, uint64_t seed = 0);

}  // namespace nabla::data
