#!/usr/bin/env bash
# The main job: installs what is missing, builds, and trains the default model (MLP 784-100-100-10,
# Adam 1e-3, batch 100, 5 epochs) on Fashion-MNIST; then evaluates the saved weights on the test set.
# The run's files are in runs/mlp: model.safetensors, checkpoint.safetensors, metrics.csv, curves.svg,
# config.toml; --force replaces the run an earlier call of this script left there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release > /dev/null
cmake --build build/release -j"$(nproc)" --target nabla_cli
build/release/nabla train --model mlp --data fashion-mnist --epochs 5 --batch-size 100 \
  --optimizer adam --lr 1e-3 --seed 0 --threads "$(nproc)" --out runs/mlp --force
build/release/nabla eval --model-file runs/mlp/model.safetensors --data fashion-mnist
