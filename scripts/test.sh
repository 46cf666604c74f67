#!/usr/bin/env bash
# Second command of the README: the whole test suite. Installs what is missing, then
#   1. builds with tests and benchmarks, runs every test (ctest), and the linters;
#   2. builds again with ASan + UBSan and runs the tests there;
#   3. builds the libFuzzer targets with clang and runs each on FUZZ_RUNS (500,000)
#      inputs from a fixed seed, so that a run can be repeated.
# Set SKIP_SANITIZERS=1 or SKIP_FUZZ=1 for a quicker local run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
ctest_run() {
  ctest --test-dir "$1" --output-on-failure -j "$jobs" --timeout 900
}

echo "== tests"
BUILD_DIR=build scripts/build.sh -DKUROMARU_BUILD_TESTS=ON -DKUROMARU_BUILD_BENCHMARKS=ON
ctest_run build

echo "== lint (clang-format, clang-tidy)"
scripts/lint.sh

if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== tests under ASan + UBSan"
  BUILD_DIR=build-asan scripts/build.sh -DKUROMARU_BUILD_TESTS=ON -DKUROMARU_SANITIZE=address
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest_run build-asan
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzers"
  scripts/fuzz.sh build-fuzz "${FUZZ_RUNS:-500000}" "${FUZZ_SEED:-1}"
fi
echo "== all tests passed"
