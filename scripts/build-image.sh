#!/usr/bin/env bash
# The container image's build steps, runnable without docker (deploy/Dockerfile runs
# the same steps in its stages).
#
#   scripts/build-image.sh [all] [STAGE_DIR]   install build packages (root), build,
#                                              stage into STAGE_DIR (default
#                                              build-image/stage), check the runtime
#                                              package list against the binary
#   scripts/build-image.sh build STAGE_DIR     build and stage only
#   scripts/build-image.sh check-libs BINARY   every shared library BINARY loads comes
#                                              from a package in
#                                              deploy/runtime-packages.txt, and every
#                                              package listed provides one
#   scripts/build-image.sh install-runtime     apt-get install the runtime packages
#                                              (root; the image's runtime stage)
#   scripts/build-image.sh packages            print the runtime package list
#
# KUROMARU_BINARY=FILE reuses an already-built binary instead of building;
# BUILD_DIR (default build-image) is the CMake build folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
package_list="$root/deploy/runtime-packages.txt"

die() {
  echo "build-image: $*" >&2
  exit 1
}

runtime_packages() {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "$package_list" | grep -v '^$'
}

# Candidate names under which dpkg may know a library: Debian 12 is mid-way through the
# /usr merge, so a file may be registered under /lib or /usr/lib, by its link name or
# its target.
candidates_of() {
  local path=$1 real
  real=$(readlink -f "$path")
  printf '%s\n' "$path" "/usr$path" "${path#/usr}" "$real" "/usr$real" "${real#/usr}"
}

check_libs() {
  local binary=$1 lib pkg failed=0
  [ -x "$binary" ] || die "check-libs: $binary is not an executable"
  command -v dpkg >/dev/null || die "check-libs: needs dpkg (Debian)"
  local ldd_out
  ldd_out=$(ldd "$binary") || die "check-libs: ldd failed on $binary"
  if grep -q 'not found' <<<"$ldd_out"; then
    grep 'not found' <<<"$ldd_out" >&2
    die "check-libs: $binary has unresolved libraries"
  fi
  declare -A listed=() needed=()
  while read -r pkg; do listed[$pkg]=1; done < <(runtime_packages)
  local libs candidate owner path
  mapfile -t libs < <(awk '/=> \// {print $3} /^[[:space:]]+\// {print $1}' <<<"$ldd_out")
  # One dpkg call for every candidate name: "pkg[:arch][, pkg2]: /path" per known file.
  declare -A owners=()
  while IFS= read -r owner; do
    path=${owner#*: }
    owner=${owner%%: *}
    owner=${owner%%,*}
    owners[$path]=${owner%%:*}
  done < <(for lib in "${libs[@]}"; do candidates_of "$lib"; done | sort -u |
    xargs dpkg -S 2>/dev/null || true)
  for lib in "${libs[@]}"; do
    pkg=""
    while read -r candidate; do
      pkg=${owners[$candidate]:-}
      [ -n "$pkg" ] && break
    done < <(candidates_of "$lib")
    if [ -z "$pkg" ]; then
      echo "build-image: no Debian package owns $lib" >&2
      failed=1
      continue
    fi
    needed[$pkg]=1
    if [ -z "${listed[$pkg]:-}" ]; then
      echo "build-image: $lib comes from $pkg, which is not in deploy/runtime-packages.txt" >&2
      failed=1
    fi
  done
  for pkg in "${!listed[@]}"; do
    if [ -z "${needed[$pkg]:-}" ]; then
      echo "build-image: deploy/runtime-packages.txt lists $pkg, but no library of $binary comes from it" >&2
      failed=1
    fi
  done
  [ "$failed" -eq 0 ] || die "check-libs: the runtime package list does not match $binary"
  echo "build-image: the ${#listed[@]} runtime packages provide every library of $binary"
}

install_runtime() {
  [ "$(id -u)" -eq 0 ] || die "install-runtime: run as root (apt-get)"
  local packages
  mapfile -t packages < <(runtime_packages)
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
}

# Proves that every listed name is an installable package of the configured release,
# without installing anything (no root needed).
simulate_runtime_install() {
  local packages
  mapfile -t packages < <(runtime_packages)
  apt-get install -s -qq --no-install-recommends "${packages[@]}" >/dev/null ||
    die "apt-get cannot install the runtime packages: ${packages[*]}"
  echo "build-image: apt-get can install the ${#packages[@]} runtime packages"
}

build_and_stage() {
  local stage=$1 binary=${KUROMARU_BINARY:-}
  if [ -z "$binary" ]; then
    local build_dir=${BUILD_DIR:-build-image}
    (cd "$root" && BUILD_DIR=$build_dir scripts/build.sh -DKUROMARU_BUILD_TESTS=OFF \
      -DKUROMARU_BUILD_BENCHMARKS=OFF -DKUROMARU_BUILD_FUZZERS=OFF -DKUROMARU_SANITIZE=)
    binary="$root/$build_dir/services/kuromaru"
  fi
  [ -x "$binary" ] || die "no binary at $binary"
  rm -rf "$stage"
  install -d "$stage/usr/local/bin" "$stage/var/lib/kuromaru/store" \
    "$stage/var/lib/kuromaru/roster" "$stage/etc/kuromaru"
  install -m 0755 "$binary" "$stage/usr/local/bin/kuromaru"
  strip --strip-unneeded "$stage/usr/local/bin/kuromaru"
  cp "$package_list" "$stage/etc/kuromaru/runtime-packages.txt"
  # The staged binary must run: --help needs every library and no data files.
  "$stage/usr/local/bin/kuromaru" --help >/dev/null ||
    die "the staged binary does not run"
  echo "build-image: staged $(du -h "$stage/usr/local/bin/kuromaru" | cut -f1) binary in $stage"
}

command=${1:-all}
case "$command" in
  all)
    stage=${2:-$root/build-image/stage}
    "$root/scripts/install-deps.sh"
    build_and_stage "$stage"
    check_libs "$stage/usr/local/bin/kuromaru"
    simulate_runtime_install
    ;;
  build)
    [ $# -eq 2 ] || die "usage: build-image.sh build STAGE_DIR"
    build_and_stage "$2"
    ;;
  check-libs)
    [ $# -eq 2 ] || die "usage: build-image.sh check-libs BINARY"
    check_libs "$2"
    ;;
  install-runtime) install_runtime ;;
  packages) runtime_packages ;;
  *) die "unknown command $command (all, build, check-libs, install-runtime, packages)" ;;
esac
