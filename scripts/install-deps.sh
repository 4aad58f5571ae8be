#!/usr/bin/env bash
# Installs the Debian packages nabla needs, only those that are missing. Runs as root or through
# sudo. Called by run.sh and test.sh; safe to run again.
#   scripts/install-deps.sh [--bench]   --bench adds what bench/ needs (PyTorch to compare with)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  clang-14 libclang-rt-14-dev libomp-14-dev  # the sanitizer build, libFuzzer and clang's OpenMP
  libopenblas-openmp-dev   # BLAS on the same OpenMP pool as our own kernels
  zlib1g-dev               # gzip IDX files
  nlohmann-json3-dev       # safetensors headers, fixtures
  libcli11-dev             # the nabla command line
  libstb-dev               # PNG pictures (filters, misclassified examples, feature maps)
  libgtest-dev libgmock-dev
  libbenchmark-dev
  dataset-fashion-mnist    # the default data set, /usr/share/datasets/fashion-mnist
  wordnet-base             # English text: WordNet's glosses for word2vec and the language models
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-torch python3-numpy)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}"
as_root=()
[[ $(id -u) -ne 0 ]] && as_root=(sudo)
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
