#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzzer.cc) with clang into BUILD_DIR and
# runs each for RUNS inputs (the CSV readers a fifth of that) from SEED, two at a
# time. A fixed seed and count make a run repeatable (CI); pass another seed, or a
# larger count, to explore. Crashes are kept in BUILD_DIR/fuzz-artifacts.
#   scripts/fuzz.sh [BUILD_DIR] [RUNS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-fuzz}
runs=${2:-500000}
seed=${3:-1}
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKUROMARU_BUILD_TESTS=OFF -DKUROMARU_BUILD_FUZZERS=ON >/dev/null
cmake --build "$build_dir" --target kuromaru_fuzzers -j "$(nproc)"
mkdir -p "$build_dir/fuzz-artifacts"
pids=()
failed=0
for src in tests/fuzz/*_fuzzer.cc; do
  name=$(basename "$src" .cc)
  corpus="$build_dir/fuzz-corpus/$name"
  mkdir -p "$corpus"
  seeds="tests/fuzz/seeds/${name%_fuzzer}"
  [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  # Files take a few records to reach their interesting states; a field, a
  # few hundred bytes. The CSV readers build a roster or a directory from
  # every input, about five times the work of the others per input: they run
  # a fifth of the inputs, in about the same time.
  max_len=512 target_runs=$runs
  case "$name" in
    roster_csv_fuzzer | directory_csv_fuzzer) max_len=2048 target_runs=$((runs / 5)) ;;
    uke_fuzzer) max_len=2048 ;;
  esac
  "$build_dir/tests/$name" -runs="$target_runs" -seed="$seed" -max_len="$max_len" -timeout=10 \
    -artifact_prefix="$build_dir/fuzz-artifacts/$name-" "$corpus" \
    >"$build_dir/$name.log" 2>&1 &
  pids+=("$!:$name")
  if [ ${#pids[@]} -ge "$(nproc)" ]; then
    entry=${pids[0]}; pids=("${pids[@]:1}")
    if wait "${entry%%:*}"; then echo "fuzz: ${entry#*:} ok"; else
      echo "fuzz: ${entry#*:} FAILED"; tail -40 "$build_dir/${entry#*:}.log"; failed=1; fi
  fi
done
for entry in "${pids[@]}"; do
  if wait "${entry%%:*}"; then echo "fuzz: ${entry#*:} ok"; else
    echo "fuzz: ${entry#*:} FAILED"; tail -40 "$build_dir/${entry#*:}.log"; failed=1; fi
done
exit $failed
