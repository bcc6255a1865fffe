"""A real image registry for pull tests: Debian's ``docker-registry`` on 127.0.0.1, fed by skopeo.

A runtime's pull path is worth testing against the real distribution API,
not a fake: :class:`LocalRegistry` starts ``docker-registry serve`` with its
storage in a directory of the test's and its address on 127.0.0.1 and a free
port (optionally behind htpasswd basic auth), and :func:`push_oci_layout`
copies an OCI image layout into it with ``skopeo``::

    with LocalRegistry(tmp_path) as registry:
        image = f"{registry.host}/me/busybox:latest"
        push_oci_layout(build_busybox_image(tmp_path / "bb").path, image, workdir=tmp_path)
        ...  # pull ``image``

:meth:`LocalRegistry.stop` stops the process by its PID and removes its storage.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, Self

from podkit.testing._capabilities import require_binary

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

#: Seconds the registry gets to answer on ``/v2/``.
START_TIMEOUT: Final = 15.0
_NO_PROXY: Final = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalRegistry:
    """``docker-registry`` serving from ``workdir`` on 127.0.0.1 and a free port.

    :param workdir: where its config, log and storage go (``registry-*``).
    :param htpasswd: an htpasswd file (bcrypt) to require basic auth with.
    :param binary: the registry binary; ``docker-registry`` from ``PATH`` by default
        (the test is skipped without it, or fails under ``PODKIT_TESTS_STRICT=1``).
    :raises RuntimeError: the registry did not start; its log is in the message.
    """

    def __init__(
        self, workdir: Path, *, htpasswd: Path | None = None, binary: str | None = None
    ) -> None:
        self.workdir: Final = Path(workdir)
        self.storage: Final = self.workdir / "registry-data"
        self.port: Final = free_port()
        #: ``127.0.0.1:PORT``, the registry part of an image reference.
        self.host: Final = f"127.0.0.1:{self.port}"
        config: dict[str, object] = {
            "version": 0.1,
            "log": {"level": "error"},
            "storage": {"filesystem": {"rootdirectory": str(self.storage)}},
            "http": {"addr": self.host},
        }
        if htpasswd is not None:
            config["auth"] = {"htpasswd": {"realm": "podkit-test", "path": str(htpasswd)}}
        self.config: Final = self.workdir / "registry.yml"
        self.config.write_text(json.dumps(config))  # JSON is YAML
        self._log_path = self.workdir / "registry.log"
        self._log: IO[bytes] = self._log_path.open("wb")
        self.process: Final = subprocess.Popen(  # noqa: S603 - our own argv
            [binary or require_binary("docker-registry"), "serve", str(self.config)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                msg = f"docker-registry exited: {self.log_text()}"
                raise RuntimeError(msg)
            try:
                _NO_PROXY.open(f"http://{self.host}/v2/", timeout=1).close()
            except urllib.error.HTTPError:
                return  # 401 with auth: it is up
            except OSError:
                time.sleep(0.05)
            else:
                return
        self.stop()
        msg = f"docker-registry did not answer in {START_TIMEOUT:g}s: {self.log_text()}"
        raise RuntimeError(msg)

    def log_text(self) -> str:
        """What the registry logged."""
        return self._log_path.read_text(errors="replace")

    def blob_file(self, digest: str) -> Path:
        """Where the registry keeps blob ``digest`` (to corrupt it in a test)."""
        hex_digest = digest.removeprefix("sha256:")
        blobs = self.storage / "docker/registry/v2/blobs/sha256"
        return blobs / hex_digest[:2] / hex_digest / "data"

    def stop(self) -> None:
        """Stop the registry (by its PID) and remove its storage; idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.storage, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def push_oci_layout(  # noqa: PLR0913 - skopeo's options, keyword-only
    layout: Path,
    dest: str,
    *,
    workdir: Path,
    tag: str = "latest",
    all_images: bool = False,
    extra: Sequence[str] = (),
) -> None:
    """Copy the OCI layout's image ``tag`` to ``docker://dest`` with skopeo (no TLS).

    :param dest: ``HOST:PORT/repository:tag``.
    :param workdir: where skopeo's trust policy file is written.
    :param all_images: copy every image of an index (``--all``), not only this platform's.
    :param extra: more skopeo ``copy`` options, e.g. ``("--format", "v2s2")`` or
        ``("--dest-creds", "user:password")``.
    :raises subprocess.CalledProcessError: skopeo failed (its stderr is in the error).
    """
    policy = Path(workdir) / "skopeo-policy.json"
    policy.write_text('{"default": [{"type": "insecureAcceptAnything"}]}')
    skopeo = require_binary("skopeo")
    argv = [skopeo, "--policy", str(policy), "copy", "--dest-tls-verify=false", *extra]
    if all_images:
        argv.append("--all")
    argv += [f"oci:{layout}:{tag}", f"docker://{dest}"]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)  # noqa: S603


__all__ = ["START_TIMEOUT", "LocalRegistry", "free_port", "push_oci_layout"]
