// `nabla features`: one layer's output channels for one test image, caught with a forward hook.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "command.h"
#include "dataset_choice.h"
#include "nabla/io/png.h"
#include "nabla/nabla.h"
#include "nabla/train/image_grid.h"
#include "pictures.h"
#include "saved_model.h"
#include "zoo_options.h"

namespace nabla::cli {
namespace {

struct FeaturesOptions {
  std::string model_file;
  std::string layer;   // dotted module name: `0`, `features.3`
  int64_t index = 0;   // test image
  int64_t scale = 0;   // 0: tiles about 56 pixels across
};

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

int run_features(const FeaturesOptions& o, const SharedOptions& shared) {
  const auto start = std::chrono::steady_clock::now();
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

  const LabelledImages test = load_images(shared.data, shared.data_dir, false);
  check_model_fits_data(spec, o.model_file, test, shared.data);
  if (o.index < 0 || o.index >= test.images.size(0))
    throw IndexError("features: --index " + std::to_string(o.index) + " is outside the " + shared.data +
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
               "\n" + shared.data + " test image " + std::to_string(o.index) + ": true " + test.class_names[truth] +
               ", predicted " + test.class_names[predicted];
  const io::Image image = train::make_image_grid(tiles, grid);
  io::write_png(shared.out, image);
  report(shared.out, image, start,
         std::to_string(tiles.size(0)) + (tiles.size(0) == 1 ? " map" : " maps") + " of layer " + o.layer);
  return 0;
}

}  // namespace

Command features_command() {
  auto options = std::make_shared<FeaturesOptions>();
  return {.name = "features",
          .help = "draw one layer's feature maps for one test image",
          .shared = {.threads = true,
                     .out = OutputOption{.help = "PNG file to write", .default_path = "features.png"},
                     .data = DataSource::images},
          .add_options =
              [options](CLI::App& app) {
                add_model_file_option(app, options->model_file)->required();
                app.add_option("--layer", options->layer, "dotted layer name, e.g. 0 or features.3 (a wrong name lists them)")
                    ->required();
                app.add_option("--index", options->index, "test image")->check(non_negative(options->index));
                app.add_option("--scale", options->scale, "pixels per map value (0: tiles about 56 pixels across)")
                    ->check(non_negative(options->scale));
              },
          .run = [options](const SharedOptions& shared) { return run_features(*options, shared); }};
}

}  // namespace nabla::cli
