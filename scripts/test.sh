#!/usr/bin/env bash
# Builds nabla with g++ and warnings as errors and runs every test; then builds again with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, runs the unit tests there and fuzzes each file
# reader for 20 s. (The gradient checks, numerical differences over the same kernels, run in the
# first build only: under the sanitizers they would take CI past 20 minutes on 2 cores.) Last,
# nabla is installed to a prefix and used from another project (scripts/check-install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

cmake --preset ci > /dev/null
cmake --build build/ci -j"$jobs"

# The clang build leaves BLAS out: Debian's OpenBLAS is built for GCC's OpenMP runtime and deadlocks
# under clang's (libomp), so the portable GEMM kernel is what runs under the sanitizers.
cmake --preset asan > /dev/null
harnesses=(fuzz_idx fuzz_idx_gzip fuzz_safetensors)
cmake --build build/asan -j"$jobs" --target unit_tests "${harnesses[@]}"
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 ctest --output-on-failure -j"$jobs" -L unit)
# Each file reader fuzzed for a bounded time from its committed seeds: a crash, a leak or undefined
# behaviour fails the run (libFuzzer exits non-zero and leaves the input as crash-* in the scratch).
for harness in "${harnesses[@]}"; do
  scratch=$(mktemp -d)
  if ! build/asan/fuzz/"$harness" -max_total_time=20 -artifact_prefix="$scratch/" "$scratch" \
         "fuzz/corpus/${harness#fuzz_}" > "$scratch/log" 2>&1; then
    cat "$scratch/log"
    echo "fuzz: $harness failed; the input that did it is in $scratch" >&2
    exit 1
  fi
  echo "fuzz: $harness: $(tail -n 1 "$scratch/log")"
  rm -rf "$scratch"
done

(cd build/ci && ctest --output-on-failure -j"$jobs")

# nabla as other projects use it: installed to a prefix, its headers each on their own, and a
# consumer built with find_package(nabla) and with pkg-config.
scripts/check-install.sh build/ci
