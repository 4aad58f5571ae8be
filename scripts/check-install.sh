#!/usr/bin/env bash
# nabla as another project sees it: installs the build in $1 (default build/ci) to a fresh prefix,
# compiles every installed header on its own (self-contained, nothing from src/), then builds
# examples/consumer against the prefix twice, with its CMake package and with pkg-config and a plain
# g++ line, and runs both builds. Part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" > /dev/null
"$prefix/bin/nabla" --version

# Each header alone, with only the installed include directory on the path.
count=$(find "$prefix/include/nabla" -name '*.h' | wc -l)
(cd "$prefix/include" && find nabla -name '*.h' | sort) |
  xargs -P "$(nproc)" -n 1 sh -c 'printf "#include \"%s\"\n" "$1" | g++ -std=c++20 -fsyntax-only -x c++ -I"$0/include" - ||
    { echo "check-install: $1 does not compile on its own" >&2; exit 255; }' "$prefix"
echo "check-install: the $count installed headers compile on their own"

cmake -S examples/consumer -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
cmake --build "$work/consumer" > /dev/null
"$work/consumer/two_moons"

PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name nabla.pc)")
export PKG_CONFIG_PATH
# shellcheck disable=SC2046  # pkg-config's words are separate flags
g++ -std=c++20 -O2 examples/consumer/two_moons.cpp $(pkg-config --cflags --libs nabla) -o "$work/two_moons_pc"
"$work/two_moons_pc"
echo "check-install: find_package(nabla) and pkg-config consumers built and ran"
