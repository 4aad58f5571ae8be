// `nabla filters`: the first layer's weights as a grid of tiles, from a model trained by
// `nabla train` or freshly initialised as `nabla train` starts it.
#include <chrono>
#include <cmath>
#include <memory>

#include "command.h"
#include "nabla/io/png.h"
#include "nabla/models/model_zoo.h"
#include "nabla/nabla.h"
#include "nabla/train/image_grid.h"
#include "pictures.h"
#include "saved_model.h"
#include "zoo_options.h"

namespace nabla::cli {
namespace {

struct FiltersOptions {
  std::string model_file;       // weights written by `nabla train`, or else
  std::string model_name;       // a model initialised as `nabla train --model NAME --seed S` starts
  std::vector<int64_t> hidden;  // the mlp's hidden widths (empty: the default)
  int64_t scale = 0;            // pixels per weight; 0: tiles about 56 pixels across
};

int64_t square_root_of(int64_t n) {  // the integer root of a square number, else 0
  const auto r = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(n))));
  return r * r == n ? r : 0;
}

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

int run_filters(const FiltersOptions& o, const SharedOptions& shared) {
  const auto start = std::chrono::steady_clock::now();
  models::ModelSpec spec;
  nn::ModulePtr model;
  std::string origin;
  if (!o.model_file.empty()) {
    SavedModel saved = load_saved_model(o.model_file);
    spec = saved.spec;
    model = saved.model;
    origin = "trained: " + o.model_file;
  } else {
    // As `nabla train --seed S` starts: the dispatcher has seeded the generator and nothing has
    // drawn from it before the model is built.
    spec.name = o.model_name;
    if (!o.hidden.empty()) spec.hidden = o.hidden;
    model = make_model(spec);
    origin = "initialised, seed " + std::to_string(shared.seed);
  }
  const FirstLayer layer = first_layer(*model, spec.name);
  train::ImageGridOptions grid;
  grid.scale = auto_scale(o.scale, layer.tiles.size(-2), layer.tiles.size(-1));
  grid.spacing = 4;  // wide enough that a tile with white edges stays apart from its neighbours
  grid.title = spec.name + " " + layer.name + " " + shape_str(layer.shape) + ", " + origin;
  if (!layer.note.empty()) grid.title += "\n" + layer.note;
  const io::Image image = train::make_image_grid(layer.tiles, grid);
  io::write_png(shared.out, image);
  report(shared.out, image, start, std::to_string(layer.tiles.size(0)) + " filters of " + layer.name);
  return 0;
}

}  // namespace

Command filters_command() {
  auto options = std::make_shared<FiltersOptions>();
  return {.name = "filters",
          .help = "draw the first layer's filters as a PNG grid",
          .shared = {.seed = "of the initialisation with --model, as `nabla train --seed`",
                     .out = OutputOption{.help = "PNG file to write", .default_path = "filters.png"}},
          .add_options =
              [options](CLI::App& app) {
                CLI::Option* file = add_model_file_option(app, options->model_file);
                add_model_option(app, options->model_name)
                    ->description("a freshly initialised model instead of --model-file (before training)")
                    ->excludes(file);
                add_hidden_option(app, options->hidden);
                app.add_option("--scale", options->scale, "pixels per weight (0: tiles about 56 pixels across)")
                    ->check(non_negative(options->scale));
              },
          .run = [options](const SharedOptions& shared) { return run_filters(*options, shared); },
          .check =
              [options](const SharedOptions&) {
                if (options->model_file.empty() && options->model_name.empty())
                  throw CLI::RequiredError("filters: give --model-file (trained weights) or --model (a freshly "
                                           "initialised model)",
                                           CLI::ExitCodes::RequiredError);
                refuse_hidden_unless_mlp(options->model_name, !options->hidden.empty());
              }};
}

}  // namespace nabla::cli
