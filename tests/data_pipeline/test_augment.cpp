// Image augmentation: flips, crops with padding and affine jitter move pixels exactly where they
// should, draw per example from a seeded shared stream, leave inputs and targets alone, and refuse
// batches that are not [N, C, H, W].
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "nabla/data/augment.h"
#include "nabla/data/transforms.h"
#include "nabla/ops.h"

namespace nabla::data {
namespace {

// Distinct positive values: pixel (n, c, y, x) holds 1 + its row-major index.
Tensor numbered_images(int64_t n, int64_t c, int64_t h, int64_t w, DType dtype = DType::f32) {
  return arange(1, static_cast<double>(n * c * h * w + 1), 1, dtype).reshape({n, c, h, w});
}

Batch batch_of(const Tensor& images) { return {images, arange(images.size(0))}; }

std::vector<double> values(const Tensor& t) { return t.to(DType::f64).to_vector<double>(); }

// The value of out[n, c, y, x] for a batch laid out [N, C, H, W] in `v`.
double at(const std::vector<double>& v, const Shape& s, int64_t n, int64_t c, int64_t y, int64_t x) {
  return v[static_cast<size_t>(((n * s[1] + c) * s[2] + y) * s[3] + x)];
}

template <class F>
void expect_error_naming(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    FAIL() << "no exception";
  } catch (const ShapeError& e) {
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(AugmentFlip, TwiceAtPOneIsIdentityAndOnceMirrors) {
  const Tensor x = numbered_images(3, 2, 4, 5);
  const BatchTransform flip = random_horizontal_flip(1.0, 7);
  const Batch once = flip(batch_of(x));
  const auto in = values(x), out = values(once.input);
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t y = 0; y < 4; ++y)
        for (int64_t col = 0; col < 5; ++col)
          EXPECT_EQ(at(out, x.shape(), n, c, y, col), at(in, x.shape(), n, c, y, 4 - col));
  EXPECT_EQ(values(flip(once).input), in);
  EXPECT_EQ(values(x), in);  // the input is left alone
}

TEST(AugmentFlip, PZeroIsIdentityAndKeepsTheTarget) {
  const Tensor x = numbered_images(4, 1, 3, 3, DType::f64);
  const Batch b = batch_of(x);
  const Batch out = random_horizontal_flip(0.0, 3)(b);
  EXPECT_EQ(values(out.input), values(x));
  EXPECT_FALSE(out.input.is_same(x));
  EXPECT_EQ(out.input.dtype(), DType::f64);
  EXPECT_TRUE(out.target.is_same(b.target));
}

TEST(AugmentFlip, HalfTheExamplesFlipAtPOneHalf) {
  const Tensor x = numbered_images(400, 1, 1, 2);
  const auto out = values(random_horizontal_flip(0.5, 11)(batch_of(x)).input);
  int flipped = 0;
  for (int64_t n = 0; n < 400; ++n) flipped += out[static_cast<size_t>(2 * n)] > out[static_cast<size_t>(2 * n + 1)];
  EXPECT_GT(flipped, 150);
  EXPECT_LT(flipped, 250);
}

TEST(AugmentCrop, ShiftsEachExampleByOneOffsetWithinThePadding) {
  const int64_t n = 200, c = 2, h = 5, w = 6, padding = 2;
  const double fill = -1;
  const Tensor x = numbered_images(n, c, h, w);
  const Batch out = random_crop(padding, fill, 5)(batch_of(x));
  ASSERT_EQ(out.input.shape(), x.shape());
  const auto in = values(x), got = values(out.input);
  std::set<std::pair<int64_t, int64_t>> seen;
  for (int64_t i = 0; i < n; ++i) {
    // Exactly one shift (dy, dx) explains every pixel: out[y, x] = in[y - dy, x - dx] or fill.
    std::vector<std::pair<int64_t, int64_t>> matches;
    for (int64_t dy = -padding; dy <= padding; ++dy)
      for (int64_t dx = -padding; dx <= padding; ++dx) {
        bool all = true;
        for (int64_t ch = 0; ch < c && all; ++ch)
          for (int64_t y = 0; y < h && all; ++y)
            for (int64_t col = 0; col < w && all; ++col) {
              const int64_t ys = y - dy, xs = col - dx;
              const bool inside = ys >= 0 && ys < h && xs >= 0 && xs < w;
              all = at(got, x.shape(), i, ch, y, col) == (inside ? at(in, x.shape(), i, ch, ys, xs) : fill);
            }
        if (all) matches.emplace_back(dy, dx);
      }
    ASSERT_EQ(matches.size(), 1u) << "example " << i;
    seen.insert(matches[0]);
  }
  // 200 draws from 25 offsets: all of them, corners included, turn up.
  EXPECT_EQ(seen.size(), 25u);
}

TEST(AugmentCrop, KnownShiftAndZeroPadding) {
  const Tensor x = numbered_images(1, 1, 3, 4);
  // Content moves down 1 and left 2.
  const auto got = values(shift_images(x, {{1, -2}}, 0));
  const std::vector<double> want{0, 0, 0, 0,  //
                                 3, 4, 0, 0,  //
                                 7, 8, 0, 0};
  EXPECT_EQ(got, want);
  EXPECT_EQ(values(random_crop(0, 0, 9)(batch_of(x)).input), values(x));
}

TEST(AugmentAffine, NoRotationTranslationOrScalingIsIdentity) {
  manual_seed(4);
  for (DType dtype : {DType::f32, DType::f64}) {
    const Tensor x = randn({5, 3, 7, 6}, dtype);
    const auto got = values(random_affine(0, 0, {1, 1}, 0, 2)(batch_of(x)).input), want = values(x);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6);
  }
}

TEST(AugmentAffine, NinetyDegreesTurnsCounterClockwise) {
  for (int64_t side : {4, 5}) {
    const Tensor x = numbered_images(1, 2, side, side);
    const auto in = values(x), got = values(affine_images(x, {{.degrees = 90}}));
    // numpy.rot90: out[y, x] = in[x, side - 1 - y]; the top-right corner goes to the top left.
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t y = 0; y < side; ++y)
        for (int64_t col = 0; col < side; ++col)
          EXPECT_NEAR(at(got, x.shape(), 0, c, y, col), at(in, x.shape(), 0, c, col, side - 1 - y), 1e-5)
              << "side " << side << " at " << y << "," << col;
  }
}

TEST(AugmentAffine, WholePixelTranslationIsAShiftAndHalfPixelsBlendWithFill) {
  const Tensor x = numbered_images(2, 1, 4, 5);
  const double fill = -3;
  const auto moved = values(affine_images(x, {{.translate_x = 2, .translate_y = -1}, {.translate_x = -1}}, fill));
  EXPECT_EQ(moved, values(shift_images(x, {{-1, 2}, {0, -1}}, fill)));
  // Half a pixel right: each output is the mean of its pixel and the one to its left (fill at x = 0).
  const Tensor row = numbered_images(1, 1, 1, 4);
  const auto half = values(affine_images(row, {{.translate_x = 0.5}}, fill));
  const std::vector<double> want{(fill + 1) / 2, 1.5, 2.5, 3.5};
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(half[i], want[i], 1e-6);
}

TEST(AugmentAffine, ScalingAboutTheCentreKeepsTheCentre) {
  // A 5x5 image with 1 at the centre and 0 elsewhere; doubled, the centre stays 1 and its
  // neighbours (half a source pixel away) become 1/2.
  std::vector<float> v(25, 0);
  v[12] = 1;
  const auto got = values(affine_images(from_vector(v, {1, 1, 5, 5}), {{.scale = 2}}));
  EXPECT_NEAR(got[12], 1, 1e-6);
  EXPECT_NEAR(got[11], 0.5, 1e-6);
  EXPECT_NEAR(got[7], 0.5, 1e-6);
  EXPECT_NEAR(got[6], 0.25, 1e-6);
  EXPECT_NEAR(got[0], 0, 1e-6);
}

TEST(AugmentRandom, SameSeedSameBatchesDifferentSeedDifferent) {
  manual_seed(1);
  const Tensor x = randn({16, 1, 8, 8});
  auto pipeline = [](uint64_t seed) {
    auto g = std::make_shared<AugmentGenerator>(seed);
    return compose({random_crop(2, 0, g), random_horizontal_flip(0.5, g), random_affine(15, 0.1, {0.9, 1.1}, 0, g)});
  };
  const BatchTransform a = pipeline(42), b = pipeline(42), other = pipeline(43);
  for (int step = 0; step < 3; ++step) {
    const auto va = values(a(batch_of(x)).input);
    EXPECT_EQ(va, values(b(batch_of(x)).input));
    EXPECT_NE(va, values(other(batch_of(x)).input));
  }
  // Seeded on their own, the transforms are reproducible as well.
  EXPECT_EQ(values(random_affine(10, 0.1, {0.8, 1.2}, 0, 5)(batch_of(x)).input),
            values(random_affine(10, 0.1, {0.8, 1.2}, 0, 5)(batch_of(x)).input));
}

TEST(AugmentRandom, CopiesShareOneStream) {
  const Tensor x = numbered_images(8, 1, 6, 6);
  const BatchTransform original = random_crop(2, 0, 99);
  const BatchTransform copy = original;  // as a DataLoader's options copy it
  const auto first = values(original(batch_of(x)).input);
  const auto second = values(copy(batch_of(x)).input);
  const BatchTransform fresh = random_crop(2, 0, 99);
  EXPECT_EQ(values(fresh(batch_of(x)).input), first);
  EXPECT_EQ(values(fresh(batch_of(x)).input), second);  // the copy went on where the original stopped
  EXPECT_NE(first, second);
}

TEST(AugmentRandom, ReseedingTheSharedGeneratorRepeatsTheDraws) {
  const Tensor x = numbered_images(8, 1, 6, 6);
  auto g = std::make_shared<AugmentGenerator>(1);
  const BatchTransform t = random_affine(30, 0.2, {0.9, 1.1}, 0, g);
  g->seed(123);
  const auto first = values(t(batch_of(x)).input);
  g->seed(123);
  EXPECT_EQ(values(t(batch_of(x)).input), first);
}

TEST(AugmentRandom, InALoaderTheSameSeedGivesTheSameEpoch) {
  const Tensor x = numbered_images(20, 1, 6, 6);
  auto dataset = std::make_shared<TensorDataset>(x, arange(20));
  auto epoch = [&](uint64_t seed) {
    DataLoader loader(dataset, {.batch_size = 5, .shuffle = true, .seed = 1,
                                .transform = compose({random_crop(1, 0, seed), random_horizontal_flip(0.5, seed + 1)})});
    std::vector<double> all;
    for (const Batch& b : loader) {
      const auto v = values(b.input);
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  };
  EXPECT_EQ(epoch(8), epoch(8));
  EXPECT_NE(epoch(8), epoch(9));
}

TEST(AugmentErrors, WrongRankNamesTheTransformAndTheShape) {
  const Tensor flat = zeros({4, 28, 28});
  expect_error_naming([&] { random_crop(2, 0, 1)(batch_of(flat)); }, {"random_crop", "[4,28,28]", "[N, C, H, W]"});
  expect_error_naming([&] { random_horizontal_flip(0.5, 1)(batch_of(flat)); }, {"random_horizontal_flip", "[4,28,28]"});
  expect_error_naming([&] { random_affine(10, 0, {1, 1}, 0, 1)(batch_of(flat)); }, {"random_affine", "[4,28,28]"});
  expect_error_naming([&] { affine_images(flat, {{}, {}, {}, {}}); }, {"affine_images", "[4,28,28]"});
}

TEST(AugmentErrors, BadArgumentsAndDTypes) {
  EXPECT_THROW(random_crop(-1, 0, 1), Error);
  EXPECT_THROW(random_horizontal_flip(1.5, 1), Error);
  EXPECT_THROW(random_affine(-5, 0, {1, 1}, 0, 1), Error);
  EXPECT_THROW(random_affine(5, 2, {1, 1}, 0, 1), Error);
  EXPECT_THROW(random_affine(5, 0, {1.2, 0.9}, 0, 1), Error);
  EXPECT_THROW(random_affine(5, 0, {0, 1}, 0, 1), Error);
  EXPECT_THROW(random_crop(1, 0, AugmentGeneratorPtr{}), Error);
  EXPECT_THROW(random_crop(1, 0, 1)(batch_of(zeros({2, 1, 3, 3}, DType::i64))), DTypeError);
  EXPECT_THROW(shift_images(zeros({2, 1, 3, 3}), {{0, 0}}), Error);  // one shift for two images
  EXPECT_THROW(affine_images(zeros({1, 1, 3, 3}), {{.scale = 0}}), Error);
}

}  // namespace
}  // namespace nabla::data
