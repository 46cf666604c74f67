#!/usr/bin/env bash
# Installs every Debian 12 package kuromaru needs to build, test and run. Idempotent:
# does nothing when all are present. Needs root (uses sudo when not root).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang libclang-rt-14-dev clang-format clang-tidy
  python3 openssl
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libicu-dev libre2-dev libabsl-dev libsqlite3-dev libpq-dev libssl-dev prometheus-cpp-dev
  libcpp-httplib-dev nlohmann-json3-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev libgoogle-perftools-dev
  # the PostgreSQL server the store's tests start privately (initdb, postgres)
  postgresql
  # scripts/bench-replicas.sh reads the servers' metrics and processes' CPU time
  curl procps
  # data the build turns into tables, and the demo's synthetic names
  unicode-data mecab-ipadic skkdic-extra
  # deployment checks (scripts/validate-deploy.sh) and the console's build (esbuild,
  # tsc from npm); NodeSource's nodejs bundles npm and conflicts with Debian's npm package
  yamllint nodejs $(command -v npm >/dev/null || echo npm)
  # the console's browser tests (Playwright drives Debian's chromium) and the Japanese
  # fonts its pages are shown in (JIS X 0213, IVS forms, non-BMP kanji such as 𠮷)
  chromium fonts-noto-cjk
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (apt-get)" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
