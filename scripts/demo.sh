#!/usr/bin/env bash
# What podkit does today, end to end, on the installed .venv (scripts/install.sh).
# Pods do not run yet: this shows the SDK — plugins, manifests, conformance.
set -euo pipefail
cd "$(dirname "$0")/.."
PODKIT=.venv/bin/podkit
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

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

for kind in runtime network storage; do
  step "podkit conformance $kind --plugin example-$kind --smoke"
  $PODKIT conformance "$kind" --plugin "example-$kind" --smoke -- -q
done

step "every hook call traced (podkit --trace)"
$PODKIT --trace conformance network --plugin example-network --smoke -- -q -s 2>&1 | grep -oE "podkit\.trace: .*|^podkit conformance .*"
