// The pictures people look at: `nabla filters` (first-layer weights as tiles, trained or freshly
// initialised), `nabla misclassified` (test images the model gets wrong, with both labels) and
// `nabla features` (one layer's output channels for one test image, caught with a forward hook).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

#include "commands.h"
#include "dataset_choice.h"
#include "nabla/autograd.h"
#include "nabla/io/png.h"
#include "nabla/nabla.h"
#include "nabla/random.h"
#include "nabla/train/image_grid.h"
#include "saved_model.h"

namespace nabla::cli {
namespace {

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Tiles about 56 pixels across: big enough to see a 5x5 filter's pattern, small enough for a
// hundred 28x28 ones on a screen.
int64_t auto_scale(int64_t requested, int64_t height, int64_t width) {
  if (requested > 0) return requested;
  return std::max<int64_t>(1, std::lround(56.0 / static_cast<double>(std::max(height, width))));
}

int64_t square_root_of(int64_t n) {  // the integer root of a square number, else 0
  const auto r = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(n))));
  return r * r == n ? r : 0;
}

void report(const std::string& path, const io::Image& image, std::chrono::steady_clock::time_point start,
            const std::string& what) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << path << " (" << image.width << "x" << image.height << "): " << what << ", "
            << std::lround(seconds * 1000) << " ms\n";
}

// Logits for `images` [N, ...] in eval mode without recording a graph, 1000 at a time.
Tensor predict_logits(nn::Module& model, const Tensor& images) {
  NoGradGuard no_grad;
  model.eval();
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < images.size(0); start += 1000)
    parts.push_back(model(images.slice(0, start, std::min(start + 1000, images.size(0)))));
  return concat(parts, 0);
}

// ---- filters ----------------------------------------------------------------------------------

struct FirstLayer {
  std::string name;
  Shape shape;
  Tensor tiles;      // [K, H, W] or [K, 3, H, W]
  std::string note;  // how the weight became tiles
};

// The first 4-D parameter (a convolution's [out, in, kH, kW]) in state order: one tile per output
// channel, its first input channel (all three as colour when there are three). Without one, the
// first 2-D weight whose input size is a square number, each row as a square tile (an mlp's
// first Linear on flattened images).
FirstLayer first_layer(const nn::Module& model, const std::string& model_name) {
  const nn::NamedTensors params = model.named_parameters();
  for (const auto& [name, w] : params) {
    if (w.dim() != 4) continue;
    const int64_t in = w.size(1);
    if (in == 3) return {name, w.shape(), w.detach(), "colour: the three input channels"};
    return {name, w.shape(), w.detach().select(1, 0).contiguous(),
            in == 1 ? "" : "input channel 0 of " + std::to_string(in)};
  }
  for (const auto& [name, w] : params) {
    if (w.dim() != 2) continue;
    const int64_t side = square_root_of(w.size(1));
    if (side > 0)
      return {name, w.shape(), w.detach().reshape({w.size(0), side, side}),
              "each unit's input weights as " + std::to_string(side) + "x" + std::to_string(side)};
  }
  throw Error("filters: model " + model_name +
              " has no 4-D weight and no 2-D weight with a square number of inputs to draw");
}

// ---- features ---------------------------------------------------------------------------------

// Every submodule by its dotted name (`0`, `features.3`, `layer1.0.conv1`), depth first.
void collect_layers(const nn::Module& module, const std::string& prefix,
                    std::vector<std::pair<std::string, nn::ModulePtr>>& out) {
  for (const auto& [name, child] : module.named_children()) {
    const std::string full = prefix.empty() ? name : prefix + "." + name;
    out.emplace_back(full, child);
    collect_layers(*child, full, out);
  }
}

// Removes a forward hook when the picture is drawn, or when anything throws on the way.
class HookGuard {
 public:
  HookGuard(nn::Module& module, nn::Module::ForwardHook hook)
      : module_(module), id_(module.add_forward_hook(std::move(hook))) {}
  HookGuard(const HookGuard&) = delete;
  HookGuard& operator=(const HookGuard&) = delete;
  ~HookGuard() { module_.remove_forward_hook(id_); }

 private:
  nn::Module& module_;
  int64_t id_;
};

// A layer's output for one example as tiles: [1, C, H, W] gives C maps; [1, C, L] C strips;
// [1, F] one tile of F units, rows x columns as near square as F's divisors allow.
Tensor output_as_tiles(const Tensor& output, const std::string& layer) {
  const Tensor one = output.detach().select(0, 0);
  if (one.dim() == 3) return one.contiguous();
  if (one.dim() == 2) return one.unsqueeze(1).contiguous();
  if (one.dim() == 1) {
    const int64_t f = one.size(0);
    int64_t rows = static_cast<int64_t>(std::sqrt(static_cast<double>(f)));
    while (rows > 1 && f % rows != 0) --rows;
    return one.reshape({1, rows, f / rows});
  }
  throw ShapeError("features: layer " + layer + " gives an output of shape " + shape_str(output.shape()) +
                   ", which has no maps to draw");
}

}  // namespace

int run_filters(const FiltersOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (o.model_file.empty() == o.model_name.empty())
    throw Error("filters: give --model-file (trained weights) or --model (a freshly initialised model)");
  models::ModelSpec spec;
  nn::ModulePtr model;
  std::string origin;
  if (!o.model_file.empty()) {
    SavedModel saved = load_saved_model(o.model_file);
    spec = saved.spec;
    model = saved.model;
    origin = "trained: " + o.model_file;
  } else {
    // As `nabla train --seed S` starts: the seed is set before the model is built.
    spec.name = o.model_name;
    if (!o.hidden.empty()) spec.hidden = o.hidden;
    manual_seed(o.seed);
    model = make_model(spec);
    origin = "initialised, seed " + std::to_string(o.seed);
  }
  const FirstLayer layer = first_layer(*model, spec.name);
  train::ImageGridOptions grid;
  grid.scale = auto_scale(o.scale, layer.tiles.size(-2), layer.tiles.size(-1));
  grid.spacing = 4;  // wide enough that a tile with white edges stays apart from its neighbours
  grid.title = spec.name + " " + layer.name + " " + shape_str(layer.shape) + ", " + origin;
  if (!layer.note.empty()) grid.title += "\n" + layer.note;
  const io::Image image = train::make_image_grid(layer.tiles, grid);
  io::write_png(o.out, image);
  report(o.out, image, start, std::to_string(layer.tiles.size(0)) + " filters of " + layer.name);
  return 0;
}

int run_misclassified(const MisclassifiedOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (o.threads > 0) set_num_threads(o.threads);
  const auto [spec, model] = load_saved_model(o.model_file);
  const LabelledImages test = load_images(o.data, o.data_dir, false);
  check_model_fits_data(spec, o.model_file, test, o.data);

  const Tensor probabilities = softmax(predict_logits(*model, test.images), 1);
  const std::vector<int64_t> predicted = argmax(probabilities, 1).to_vector<int64_t>();
  const std::vector<int64_t> truth = test.labels.to_vector<int64_t>();
  std::vector<int64_t> wrong;
  for (size_t i = 0; i < truth.size(); ++i)
    if (predicted[i] != truth[i]) wrong.push_back(static_cast<int64_t>(i));
  const int64_t total_wrong = static_cast<int64_t>(wrong.size());
  if (wrong.empty()) {
    std::cout << "the model classifies all " << truth.size() << " test images correctly; nothing to draw\n";
    return 0;
  }
  if (total_wrong > o.count) wrong.resize(static_cast<size_t>(o.count));  // the first ones, in test-set order

  const Tensor shown = index_select(test.images, 0, from_vector(wrong));
  train::ImageGridOptions grid;
  grid.scale = o.scale;
  grid.spacing = 10;  // captions are as wide as their cells: keep neighbours' apart
  // One scale for all: the images were normalised alike, so their contrast stays comparable.
  grid.normalization = train::TileScale::shared;
  grid.caption_line_colors = {train::Rgb{0, 0, 0}, train::Rgb{200, 0, 0}};  // true in black, prediction in red
  for (const int64_t i : wrong) {
    const int64_t p = predicted[static_cast<size_t>(i)];
    // Rounded down, so a wrong prediction never reads as a certain 100%.
    const int percent = static_cast<int>(std::floor(100 * probabilities.index({i, p}).item()));
    grid.captions.push_back("true: " + test.class_names[static_cast<size_t>(truth[static_cast<size_t>(i)])] +
                            "\npred: " + test.class_names[static_cast<size_t>(p)] + " " + std::to_string(percent) +
                            "%");
  }
  grid.title = spec.name + " on the " + o.data + " test set: " + std::to_string(total_wrong) + " of " +
               std::to_string(truth.size()) + " wrong\nthe first " + std::to_string(wrong.size()) +
               "; % is the model's probability for its prediction";
  const io::Image image = train::make_image_grid(shown.reshape({shown.size(0), shown.size(-2), shown.size(-1)}), grid);
  io::write_png(o.out, image);
  report(o.out, image, start,
         std::to_string(wrong.size()) + " of " + std::to_string(total_wrong) + " misclassified test images");
  return 0;
}

int run_features(const FeaturesOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (o.threads > 0) set_num_threads(o.threads);
  const auto [spec, model] = load_saved_model(o.model_file);

  std::vector<std::pair<std::string, nn::ModulePtr>> layers;
  collect_layers(*model, "", layers);
  const auto found = std::find_if(layers.begin(), layers.end(), [&](const auto& l) { return l.first == o.layer; });
  if (found == layers.end()) {
    std::string names;
    for (const auto& [name, layer] : layers) names += "\n  " + name + " (" + layer->type_name() + ")";
    throw Error("features: model " + spec.name + " has no layer '" + o.layer + "'; its layers are:" + names);
  }
  nn::Module& layer = *found->second;

  const LabelledImages test = load_images(o.data, o.data_dir, false);
  check_model_fits_data(spec, o.model_file, test, o.data);
  if (o.index < 0 || o.index >= test.images.size(0))
    throw IndexError("features: --index " + std::to_string(o.index) + " is outside the " + o.data +
                     " test set (0 to " + std::to_string(test.images.size(0) - 1) + ")");

  Tensor output;
  Tensor logits;
  {
    HookGuard hook(layer, [&](const nn::Module&, const Tensor&, const Tensor& out) {
      if (!output.defined()) output = out.detach();  // a layer used twice: its first output
    });
    logits = predict_logits(*model, test.images.slice(0, o.index, o.index + 1));
  }
  if (!output.defined())
    throw Error("features: layer " + o.layer + " did not run when the model was called (its parent calls it "
                "without going through operator())");
  const Tensor tiles = output_as_tiles(output, o.layer);

  const auto truth = static_cast<size_t>(test.labels.index({o.index}).item<int64_t>());
  const auto predicted = static_cast<size_t>(argmax(logits, 1).item<int64_t>());
  train::ImageGridOptions grid;
  grid.scale = auto_scale(o.scale, tiles.size(1), tiles.size(2));
  grid.spacing = 4;
  if (tiles.size(0) > 1)
    for (int64_t c = 0; c < tiles.size(0); ++c) grid.captions.push_back(std::to_string(c));
  grid.title = spec.name + " layer " + o.layer + " (" + layer.type_name() + ") output " + shape_str(output.shape()) +
               "\n" + o.data + " test image " + std::to_string(o.index) + ": true " + test.class_names[truth] +
               ", predicted " + test.class_names[predicted];
  const io::Image image = train::make_image_grid(tiles, grid);
  io::write_png(o.out, image);
  report(o.out, image, start,
         std::to_string(tiles.size(0)) + (tiles.size(0) == 1 ? " map" : " maps") + " of layer " + o.layer);
  return 0;
}

}  // namespace nabla::cli
