"""A tiny read-only OCI registry on 127.0.0.1, so that the suite can use CRI ``PullImage``.

A user's machine has no registry and maybe no network, yet the suite must get its
test image into the runtime through the CRI alone (``PullImage``), as a kubelet
would. This serves OCI image layouts over the pull half of the distribution API
(distribution-spec ``spec.md``, "Pull"): ``GET /v2/``, manifests by tag or digest
and blobs by digest, ``HEAD`` as well. Plain HTTP on the loopback address and an
ephemeral port, standard library only; it answers nothing but reads.

:func:`variant_layout` makes another image from a layout (same layers, another
config), so that image tests can pull and remove an image of their own without
touching the one the container tests run.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import shutil
import threading
from typing import TYPE_CHECKING, Final, final

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType
    from typing import Self

_LOOPBACK: Final = "127.0.0.1"
_REF_NAME: Final = "org.opencontainers.image.ref.name"
_DIGEST: Final = re.compile(r"sha256:[a-f0-9]{64}")
# /v2/<name>/(manifests|blobs)/<reference>; a name has slashes, a reference none.
_ROUTE: Final = re.compile(r"/v2/(?P<name>.+)/(?P<kind>manifests|blobs)/(?P<reference>[^/]+)")
_MANIFEST_TYPES: Final = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)


def _blob(layout: Path, digest: str) -> Path:
    algorithm, _, hexdigest = digest.partition(":")
    return layout / "blobs" / algorithm / hexdigest


def _sha256(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


@final
class _Repository:
    """One OCI layout served as a repository: its tags, and its blobs by digest."""

    def __init__(self, layout: Path) -> None:
        self.layout = layout
        index = json.loads((layout / "index.json").read_text())
        self.tags: dict[str, dict[str, object]] = {}
        for descriptor in index.get("manifests", []):
            tag = descriptor.get("annotations", {}).get(_REF_NAME)
            if tag:
                self.tags[tag] = descriptor

    def manifest(self, reference: str) -> tuple[str, bytes] | None:
        """The media type and bytes of the manifest a tag or digest names."""
        if _DIGEST.fullmatch(reference):
            path = _blob(self.layout, reference)
            if not path.is_file():
                return None
            data = path.read_bytes()
            media_type = json.loads(data).get("mediaType", "")
            return (media_type, data) if media_type in _MANIFEST_TYPES else None
        descriptor = self.tags.get(reference)
        if descriptor is None:
            return None
        data = _blob(self.layout, str(descriptor["digest"])).read_bytes()
        return str(descriptor["mediaType"]), data

    def blob(self, digest: str) -> Path | None:
        """The file of a blob, if the layout has it."""
        if not _DIGEST.fullmatch(digest):
            return None
        path = _blob(self.layout, digest)
        return path if path.is_file() else None


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers the pull endpoints from the server's repositories."""

    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """Serve ``/v2/``, a manifest or a blob."""
        self._answer(body=True)

    def do_HEAD(self) -> None:
        """As GET, without the body."""
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Stay quiet: the suite's output is the test report."""
        del format, args

    def _answer(self, *, body: bool) -> None:
        path = self.path.partition("?")[0]
        if path in {"/v2", "/v2/"}:
            self._send(200, "application/json", b"{}", body=body)
            return
        route = _ROUTE.fullmatch(path)
        repository = self.server.repositories.get(route["name"]) if route else None
        if route is None or repository is None:
            self._not_found("NAME_UNKNOWN", body=body)
            return
        reference = route["reference"]
        if route["kind"] == "manifests":
            found = repository.manifest(reference)
            if found is None:
                self._not_found("MANIFEST_UNKNOWN", body=body)
                return
            media_type, data = found
            self._send(200, media_type, data, body=body, digest=_sha256(data))
            return
        blob = repository.blob(reference)
        if blob is None:
            self._not_found("BLOB_UNKNOWN", body=body)
            return
        self._send(200, "application/octet-stream", blob.read_bytes(), body=body, digest=reference)

    def _not_found(self, code: str, *, body: bool) -> None:
        error = {"errors": [{"code": code, "message": f"{self.path} is not here"}]}
        self._send(404, "application/json", json.dumps(error).encode(), body=body)

    def _send(
        self, status: int, content_type: str, data: bytes, *, body: bool, digest: str = ""
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if body:
            self.wfile.write(data)


@final
class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    repositories: dict[str, _Repository]


@final
class LocalRegistry:
    """A read-only registry on ``127.0.0.1`` at an ephemeral port, serving OCI layouts.

    Use it as a context manager, or call :meth:`close`. ``reference("pku/busybox",
    "latest")`` gives the reference to pull, e.g. ``127.0.0.1:41234/pku/busybox:latest``.
    """

    def __init__(self) -> None:
        self._server = _Server((_LOOPBACK, 0), _Handler)
        self._server.repositories = {}
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="pku-registry", daemon=True
        )
        self._thread.start()

    @property
    def host(self) -> str:
        """``127.0.0.1:<port>``."""
        return f"{_LOOPBACK}:{self._server.server_address[1]}"

    def serve(self, name: str, layout: Path) -> None:
        """Serve the OCI layout ``layout`` as the repository ``name`` (tags from ref names)."""
        self._server.repositories[name] = _Repository(layout)

    def layout_of(self, name: str) -> Path:
        """The layout served as the repository ``name``."""
        return self._server.repositories[name].layout

    def digest_of(self, name: str, tag: str) -> str:
        """The digest of the manifest ``name:tag`` names."""
        return str(self._server.repositories[name].tags[tag]["digest"])

    def reference(self, name: str, tag: str) -> str:
        """The reference of ``name:tag`` at this registry."""
        return f"{self.host}/{name}:{tag}"

    def close(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        """Serve until the block ends."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop serving."""
        self.close()


def variant_layout(source: Path, dest: Path, label: str) -> None:
    """Write at ``dest`` the image of the layout ``source`` with label ``label`` added.

    Same layers, another config, so another image id: an image of
    its own that a test may pull and remove.
    """
    index = json.loads((source / "index.json").read_text())
    descriptor = index["manifests"][0]
    manifest = json.loads(_blob(source, descriptor["digest"]).read_bytes())
    config = json.loads(_blob(source, manifest["config"]["digest"]).read_bytes())
    config.setdefault("config", {}).setdefault("Labels", {})["pku.podkit.dev/variant"] = label
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    manifest["config"] = {**manifest["config"], "digest": _sha256(config_bytes)}
    manifest["config"]["size"] = len(config_bytes)
    manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    (dest / "blobs" / "sha256").mkdir(parents=True)
    for layer in manifest["layers"]:
        shutil.copyfile(_blob(source, layer["digest"]), _blob(dest, layer["digest"]))
    for data in (config_bytes, manifest_bytes):
        _blob(dest, _sha256(data)).write_bytes(data)
    descriptor = {**descriptor, "digest": _sha256(manifest_bytes), "size": len(manifest_bytes)}
    (dest / "index.json").write_text(json.dumps({**index, "manifests": [descriptor]}))
    shutil.copyfile(source / "oci-layout", dest / "oci-layout")


__all__ = ["LocalRegistry", "variant_layout"]
