#!/usr/bin/env bash
# Serve the busybox image from a local registry, as a node without internet
# access gets its images: build busybox's OCI image layout from Debian's
# busybox-static (podkit.testing), start Debian's docker-registry on
# 127.0.0.1, and push the image to it with skopeo.
#
#   eval "$(scripts/local-registry.sh start)"   # sets PODKIT_DEMO_REGISTRY, _IMAGE, _PID, _DIR
#   scripts/local-registry.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."

start() {
  local dir port
  dir=$(mktemp -d /tmp/podkit-demo-registry.XXXXXX)
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  .venv/bin/python -c 'import sys, pathlib; from podkit.testing import build_busybox_image; build_busybox_image(pathlib.Path(sys.argv[1]))' "$dir/layout" >&2
  printf '{"version": 0.1, "log": {"level": "error"}, "storage": {"filesystem": {"rootdirectory": "%s"}}, "http": {"addr": "127.0.0.1:%s"}}\n' "$dir/data" "$port" > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  local pid=$!
  .venv/bin/python - "$port" <<'PY'
import sys, time, urllib.error, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    try:
        opener.open(f"http://127.0.0.1:{sys.argv[1]}/v2/", timeout=1).close()
        break
    except urllib.error.HTTPError:
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("docker-registry did not start")
PY
  printf '{"default": [{"type": "insecureAcceptAnything"}]}\n' > "$dir/policy.json"
  skopeo --policy "$dir/policy.json" copy --quiet --dest-tls-verify=false \
    "oci:$dir/layout:latest" "docker://127.0.0.1:$port/library/busybox:latest" >&2
  echo "export PODKIT_DEMO_REGISTRY=127.0.0.1:$port PODKIT_DEMO_IMAGE=127.0.0.1:$port/library/busybox:latest PODKIT_DEMO_PID=$pid PODKIT_DEMO_DIR=$dir"
}

stop() {
  if [ -n "${PODKIT_DEMO_PID:-}" ]; then kill "$PODKIT_DEMO_PID" 2>/dev/null || true; wait "$PODKIT_DEMO_PID" 2>/dev/null || true; fi
  if [ -n "${PODKIT_DEMO_DIR:-}" ]; then rm -rf "$PODKIT_DEMO_DIR"; fi
}

"${1:?usage: local-registry.sh start|stop}"
