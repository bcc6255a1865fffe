"""Embed podkit's kubelet core: run a Pod from Python and read its output.

Run it as root on a machine with podkit and its reference plugins installed::

    sudo python examples/embedding.py --image busybox:latest

The image must be one the runtime can find (in its store, or pullable).
The pod's state lives in a temporary directory, gone when the program ends.
Without ``--cni-conf-dir`` the pod joins podkit's default network (bridge
``podkit0``, 10.88.0.0/16), whose bridge stays, as containerd's ``cni0`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import podkit
from podkit import manifests

# ruff: noqa: T201 - an example prints what it got

MANIFEST = """
apiVersion: v1
kind: ConfigMap
metadata: {name: greeting}
data: {message: "Hello from an embedded node"}
---
apiVersion: v1
kind: Pod
metadata: {name: hello}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: IMAGE
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo $MESSAGE; echo my address is $POD_IP"]
    env:
    - name: MESSAGE
      valueFrom: {configMapKeyRef: {name: greeting, key: message}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
"""


async def run_hello(image: str, cni_conf_dir: Path | None) -> None:
    """Run the pod to completion on a node of its own, print its status and output."""
    with tempfile.TemporaryDirectory(prefix="podkit-example-") as tmp:
        root = Path(tmp)
        async with podkit.Node(
            state_dir=root / "state",
            run_dir=root / "run",
            cni_conf_dir=cni_conf_dir or root / "net.d",
        ) as node:
            await node.apply(manifests.load(MANIFEST.replace("IMAGE", image)))
            status = await node.wait_for("default", "hello", "Succeeded", timeout=120)
            print(f"phase {status.phase}, address {status.pod_ip}")
            print(await node.logs("default", "hello", "main"), end="")


def main() -> int:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="busybox:latest", help="an image with sh and echo")
    parser.add_argument("--cni-conf-dir", type=Path, help="the pod's network configuration")
    args = parser.parse_args()
    asyncio.run(run_hello(args.image, args.cni_conf_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
