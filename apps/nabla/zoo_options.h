// The options of the commands that build models of the zoo (models/model_zoo.h) or read the
// weights `nabla train` wrote: train, eval, summary and the picture commands.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nabla::cli {

// --model NAME, one of the zoo's architectures; the caller makes it required or exclusive.
CLI::Option* add_model_option(CLI::App& app, std::string& name);
// --hidden 256,128: the hidden layer widths of the mlp.
CLI::Option* add_hidden_option(CLI::App& app, std::vector<int64_t>& hidden);
// --model-file: weights written by `nabla train`, which must exist.
CLI::Option* add_model_file_option(CLI::App& app, std::string& path);

// Refuses --hidden, when `hidden_set` (away from its default), for a model other than the mlp
// (`model`; empty when the model comes from a file, whose metadata has its widths).
void refuse_hidden_unless_mlp(const std::string& model, bool hidden_set);

}  // namespace nabla::cli
