#!/usr/bin/env bash
# The console's browser tests as CTest runs them (console_browser): installs the packages
# pinned by package-lock.json when node_modules is missing or older than the lockfile,
# then runs console.test.mjs. Whatever it cannot find is a failure, never a skip.
#   KUROMARU=build/services/kuromaru tests/console/browser/run.sh
# Environment: KUROMARU (the binary, required), KUROMARU_NODE and KUROMARU_NPM (default:
# node and npm on PATH), KUROMARU_CHROMIUM (default /usr/bin/chromium),
# KUROMARU_CONSOLE_SHOTS (default: console-shots in the working directory).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
node=${KUROMARU_NODE:-node}
npm=${KUROMARU_NPM:-npm}
export KUROMARU_CHROMIUM=${KUROMARU_CHROMIUM:-/usr/bin/chromium}
export KUROMARU_CONSOLE_SHOTS=${KUROMARU_CONSOLE_SHOTS:-$PWD/console-shots}

fail() {
  echo "console browser tests: $*" >&2
  exit 1
}
[[ -n "${KUROMARU:-}" ]] || fail "KUROMARU must name the kuromaru binary"
[[ -x "$KUROMARU" ]] || fail "$KUROMARU is not an executable"
KUROMARU=$(cd "$(dirname "$KUROMARU")" && pwd)/$(basename "$KUROMARU")
export KUROMARU
[[ -x "$KUROMARU_CHROMIUM" ]] || fail "no chromium at $KUROMARU_CHROMIUM (apt-get install chromium)"
command -v "$node" >/dev/null || fail "no node ($node)"

cd "$here"
# npm writes node_modules/.package-lock.json on every install: older than the lockfile
# (or absent) means the installed packages are not the pinned ones.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  command -v "$npm" >/dev/null || fail "no npm ($npm) to install the test's packages"
  "$npm" ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
exec "$node" --test console.test.mjs
