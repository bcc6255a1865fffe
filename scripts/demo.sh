#!/usr/bin/env bash
# podkit at work on the installed .venv (scripts/install.sh), as root:
# a real pod run on the embedded defaults (the namespace runtime, the bridge
# network, emptyDir/Secret/ConfigMap volumes), then the SDK's tools.
set -euo pipefail
cd "$(dirname "$0")/.."
PODKIT=.venv/bin/podkit
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "a local registry with busybox (no internet here: images come from 127.0.0.1)"
eval "$(scripts/local-registry.sh start)"
trap 'scripts/local-registry.sh stop' EXIT
manifest=$(mktemp /tmp/podkit-demo-XXXXXX.yaml)
trap 'rm -f "$manifest"; scripts/local-registry.sh stop' EXIT
sed "s#busybox:latest#$PODKIT_DEMO_IMAGE#" examples/manifests/hello-run.yaml > "$manifest"

step "podkit run -f examples/manifests/hello-run.yaml  (a real pod: init container, Secret, ConfigMap, emptyDir)"
$PODKIT run -f "$manifest"

step "install the example third-party plugin (examples/third-party-plugin)"
.venv/bin/python -m pip install -q ./examples/third-party-plugin

step "podkit plugins"
$PODKIT plugins

step "podkit validate -f examples/manifests/"
$PODKIT validate -f examples/manifests/

step "an invalid manifest: every error, field path first, exit 1"
if $PODKIT validate -f examples/invalid/pod-with-errors.yaml; then
  echo "expected the invalid manifest to fail" >&2
  exit 1
fi

step "podkit conformance network --plugin bridge  (the full CNI suite, real packets)"
$PODKIT conformance network --plugin bridge -- -q

for kind in runtime network storage; do
  step "podkit conformance $kind --plugin example-$kind --smoke"
  $PODKIT conformance "$kind" --plugin "example-$kind" --smoke -- -q
done

step "every hook call traced (podkit --trace)"
$PODKIT --trace conformance network --plugin example-network --smoke -- -q -s 2>&1 | grep -oE "podkit\.trace: .*|^podkit conformance .*"
