#!/usr/bin/env bash
# clang-format (check only) and clang-tidy over kuromaru's own sources, using the
# compile_commands.json of build/ (or $BUILD_DIR). Pass files to check only those.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(git ls-files 'normalizer/*.cc' 'matcher/*.cc' 'services/*.cc' \
    'normalizer/*.h' 'matcher/*.h' 'services/*.h')
fi
clang-format --dry-run --Werror "${files[@]}"
sources=()
for f in "${files[@]}"; do [[ $f == *.cc ]] && sources+=("$f"); done
[ ${#sources[@]} -eq 0 ] || clang-tidy -p "$build_dir" --quiet "${sources[@]}"
