#!/usr/bin/env bash
# Install everything podkit and its tests need on Debian 12, as root:
# the Debian packages, then a virtualenv in .venv with podkit (editable) and
# its development tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-pip git ca-certificates
  busybox-static   # the test image's rootfs (podkit.testing builds an OCI image from it)
  iproute2         # ip netns, used by tests and the leak checker's checks
  nftables         # nft: NAT and port mapping; the leak checker lists its tables
  util-linux       # mount, unshare, nsenter
  libseccomp2      # the runtime compiles seccomp profiles with it (through ctypes)
  docker-registry  # a local OCI registry for image pull tests
  skopeo           # pushes test images to it
  containernetworking-plugins  # the upstream CNI plugins, the peers of podkit's
)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/install.sh: run as root (it installs Debian packages)" >&2
  exit 1
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
echo "podkit $(.venv/bin/podkit --version | cut -d' ' -f2) installed in .venv"
