// `nabla misclassified`: the first test images the model gets wrong, with the true label and the
// prediction under each.
#include <chrono>
#include <cmath>
#include <iostream>
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

struct MisclassifiedOptions {
  std::string model_file;
  int64_t count = 36;
  int64_t scale = 3;
};

int run_misclassified(const MisclassifiedOptions& o, const SharedOptions& shared) {
  const auto start = std::chrono::steady_clock::now();
  const auto [spec, model] = load_saved_model(o.model_file);
  const LabelledImages test = load_images(shared.data, shared.data_dir, false);
  check_model_fits_data(spec, o.model_file, test, shared.data);

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
  grid.title = spec.name + " on the " + shared.data + " test set: " + std::to_string(total_wrong) + " of " +
               std::to_string(truth.size()) + " wrong\nthe first " + std::to_string(wrong.size()) +
               "; % is the model's probability for its prediction";
  const io::Image image = train::make_image_grid(shown.reshape({shown.size(0), shown.size(-2), shown.size(-1)}), grid);
  io::write_png(shared.out, image);
  report(shared.out, image, start,
         std::to_string(wrong.size()) + " of " + std::to_string(total_wrong) + " misclassified test images");
  return 0;
}

}  // namespace

Command misclassified_command() {
  auto options = std::make_shared<MisclassifiedOptions>();
  return {.name = "misclassified",
          .help = "draw test images the model gets wrong, with true and predicted labels",
          .shared = {.threads = true,
                     .out = OutputOption{.help = "PNG file to write", .default_path = "misclassified.png"},
                     .data = DataSource::images},
          .add_options =
              [options](CLI::App& app) {
                add_model_file_option(app, options->model_file)->required();
                app.add_option("--count", options->count, "how many wrong test images to show (the first ones)")
                    ->check(positive(options->count));
                app.add_option("--scale", options->scale, "pixels per image pixel")->check(positive(options->scale));
              },
          .run = [options](const SharedOptions& shared) { return run_misclassified(*options, shared); }};
}

}  // namespace nabla::cli
