#!/usr/bin/env bash
# Builds nabla with warnings as errors and runs every test; then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit tests there. (The gradient
# checks, numerical differences over the same kernels, run in the first build only: under the
# sanitizers they would take CI past 20 minutes on 2 cores.) Last, nabla is installed to a prefix and
# used from another project (scripts/check-install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

cmake --preset ci > /dev/null
cmake --build build/ci -j"$jobs"

cmake --preset asan > /dev/null
cmake --build build/asan -j"$jobs" --target unit_tests
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 ctest --output-on-failure -j"$jobs" -L unit)

(cd build/ci && ctest --output-on-failure -j"$jobs")

# nabla as other projects use it: installed to a prefix, its headers each on their own, and a
# consumer built with find_package(nabla) and with pkg-config.
scripts/check-install.sh build/ci
