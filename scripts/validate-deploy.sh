#!/usr/bin/env bash
# Offline validation of deploy/ (a ctest test, label "deploy"):
#   1. yamllint over every YAML file (deploy/.yamllint);
#   2. kubectl's built-in kustomize renders each overlay; without kubectl, says so and
#      checks the unrendered files instead;
#   3. every manifest against the Kubernetes schema (kubernetes-models), with unknown
#      fields rejected, and kuromaru's own rules (deploy/validate/).
# Needs yamllint, node and npm (scripts/install-deps.sh), and the npm registry the
# first time: `npm ci` installs the checker's locked packages into
# DEPLOY_VALIDATE_CACHE (default $TMPDIR/kuromaru-deploy-validate), reused while
# deploy/validate/package-lock.json is unchanged. KUBECTL names the kubectl binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deploy=$root/deploy
overlays=(dev prod replicas)
kubectl=${KUBECTL:-kubectl}
cache=${DEPLOY_VALIDATE_CACHE:-${TMPDIR:-/tmp}/kuromaru-deploy-validate}

die() {
  echo "validate-deploy: $*" >&2
  exit 1
}
need() {
  command -v "$1" >/dev/null || die "$1 not found: run scripts/install-deps.sh"
}
need yamllint
need node
need npm

echo "== yamllint"
yamllint --strict -c "$deploy/.yamllint" "$deploy"

echo "== checker packages"
mkdir -p "$cache"
stamp=$(cat "$deploy/validate/package.json" "$deploy/validate/package-lock.json" | sha256sum)
if [ ! -d "$cache/node_modules" ] || [ "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp" ]; then
  cp "$deploy/validate/package.json" "$deploy/validate/package-lock.json" "$cache/"
  (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error) ||
    die "npm ci failed (is the npm registry reachable?)"
  echo "$stamp" >"$cache/stamp"
fi
cp "$deploy/validate/validate.js" "$deploy/validate/rules.js" "$deploy/validate/rules_test.js" "$cache/"
check() {
  node "$cache/validate.js" "$@"
}

echo "== rules"
node "$cache/rules_test.js" "$deploy/kustomize/base"

echo "== manifests"
cd "$deploy/kustomize"
if command -v "$kubectl" >/dev/null && "$kubectl" kustomize --help >/dev/null 2>&1; then
  rendered="$cache/rendered"
  mkdir -p "$rendered"
  check kustomizations base/kustomization.yaml overlays/*/kustomization.yaml
  for overlay in "${overlays[@]}"; do
    "$kubectl" kustomize "overlays/$overlay" >"$rendered/$overlay.yaml" ||
      die "kubectl kustomize overlays/$overlay failed"
    echo "overlay $overlay: $(grep -c '^kind:' "$rendered/$overlay.yaml") objects rendered"
    check manifests "$rendered/$overlay.yaml"
  done
else
  echo "validate-deploy: $kubectl not found: the overlays are NOT rendered;" \
    "validating the unrendered files (resources, patches, kustomizations) instead"
  check unrendered "${overlays[@]/#/overlays/}"
fi
echo "validate-deploy: deploy/ is valid"
