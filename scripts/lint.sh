#!/usr/bin/env bash
# clang-format (check only) and clang-tidy (.clang-tidy) over kuromaru's own sources,
# using the compile_commands.json of build/ (or $BUILD_DIR), and tsc over the console's
# TypeScript (the build target that type-checks it). Pass files to check only those.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(git ls-files 'base/*.cc' 'normalizer/*.cc' 'matcher/*.cc' \
    'services/*.cc' 'base/*.h' 'normalizer/*.h' 'matcher/*.h' 'services/*.h')
fi
if [ $# -eq 0 ]; then
  cmake --build "$build_dir" --target kuromaru_console_typecheck >/dev/null ||
    { echo "lint: tsc found problems (cmake --build $build_dir --target kuromaru_console_typecheck)" >&2; exit 1; }
fi
clang-format --dry-run --Werror "${files[@]}"
sources=()
for f in "${files[@]}"; do [[ $f == *.cc ]] && sources+=("$f"); done
[ ${#sources[@]} -eq 0 ] && exit 0
# Generated headers must exist for clang-tidy to parse the sources.
cmake --build "$build_dir" --target kuromaru_proto >/dev/null 2>&1
report=$(printf '%s\n' "${sources[@]}" |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build_dir" --quiet 2>&1) || status=$?
if [ "${status:-0}" -ne 0 ] || grep -qE 'error:|warning:' <<<"$report"; then
  grep -E 'error:|warning:' -A3 <<<"$report" || echo "$report"
  echo "lint: clang-tidy found problems" >&2
  exit 1
fi
echo "lint: ${#files[@]} files clean"
