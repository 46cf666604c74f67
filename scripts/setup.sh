#!/usr/bin/env bash
# First command of the README: installs the Debian packages, builds kuromaru, and runs
# the demo (scripts/setup.sh --keep-serving keeps its server running for the console).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
scripts/demo.sh "$@"
