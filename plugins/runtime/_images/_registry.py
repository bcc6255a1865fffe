"""Pull images over the OCI distribution API (distribution-spec ``spec.md``, "Pull").

``GET /v2/<name>/manifests/<tag or digest>`` gives the manifest or index the
reference points at; ``GET /v2/<name>/blobs/<digest>`` gives the config and the
layers. Every response is verified: the top manifest against the digest when the
reference has one, everything else by the store as it comes in. Plain ``urllib``,
so the runtime needs no HTTP dependency. A registry on a loopback address, or any
registry with ``insecure=True``, is spoken to in plain HTTP; loopback registries
also bypass any ``http_proxy``.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import urllib.error
import urllib.request
from typing import IO, TYPE_CHECKING, Final, cast, final

from podkit import errors
from podkit.plugins.runtime._images import _oci
from podkit.plugins.runtime._images._auth import Credentials, fetch_token, parse_challenge
from podkit.plugins.runtime._images._reference import DEFAULT_DOMAIN

if TYPE_CHECKING:
    import http.client

    from podkit.plugins.runtime._images._reference import Reference

_DOCKER_HUB: Final = "registry-1.docker.io"
_ACCEPT: Final = ", ".join(sorted(_oci.INDEX_TYPES | _oci.MANIFEST_TYPES))
# distribution-spec: registries SHOULD accept manifests of at least 4 MiB; refuse more.
_MAX_MANIFEST: Final = 4 << 20
_TIMEOUT: Final = 60.0
_UNAUTHORIZED: Final = 401


@final
class RegistryClient:
    """The distribution API of the repository of one reference."""

    def __init__(self, ref: Reference, credentials: Credentials, *, insecure: bool) -> None:
        host = _DOCKER_HUB if ref.domain == DEFAULT_DOMAIN else ref.domain
        loopback = _is_loopback(host)
        scheme = "http" if insecure or loopback else "https"
        self._repository = f"{scheme}://{host}/v2/{ref.path}"
        self._scope = f"repository:{ref.path}:pull"
        self._credentials = credentials
        handlers = [urllib.request.ProxyHandler({})] if loopback else []
        self._opener = urllib.request.build_opener(*handlers)
        token = credentials.registry_token
        self._authorization = f"Bearer {token}" if token else ""
        self.what = f"{ref.name!r} at {scheme}://{host}"

    def manifest(self, reference: str) -> tuple[_oci.Descriptor, bytes]:
        """The manifest or index ``reference`` (a tag or a digest) names, and its bytes.

        :raises podkit.errors.InvalidArgumentError: fetched by digest, it has another.
        """
        with self._get(f"{self._repository}/manifests/{reference}", _ACCEPT) as response:
            data = response.read(_MAX_MANIFEST + 1)
            content_type = response.headers.get_content_type()
        if len(data) > _MAX_MANIFEST:
            msg = f"failed to pull {self.what}: manifest {reference} is over {_MAX_MANIFEST} bytes"
            raise errors.InvalidArgumentError(msg)
        digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
        if reference.startswith("sha256:") and digest != reference:
            msg = (
                f"failed to verify manifest {reference} of {self.what}: "
                f"its content hashes to {digest}"
            )
            raise errors.InvalidArgumentError(msg)
        known = _oci.MANIFEST_TYPES | _oci.INDEX_TYPES
        media_type = content_type if content_type in known else ""
        media_type = media_type or _oci.media_type_of(data, f"manifest {reference}")
        return _oci.Descriptor(media_type=media_type, digest=digest, size=len(data)), data

    def blob(self, digest: str) -> IO[bytes]:
        """A stream of the blob ``digest`` (unverified: the store verifies it)."""
        return self._get(f"{self._repository}/blobs/{digest}", "*/*")

    def _get(self, url: str, accept: str) -> http.client.HTTPResponse:
        for attempt in range(2):
            request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310 - http(s)
            if self._authorization:  # not sent on to redirects, e.g. to a blob CDN
                request.add_unredirected_header("Authorization", self._authorization)
            try:
                return cast(
                    "http.client.HTTPResponse", self._opener.open(request, timeout=_TIMEOUT)
                )
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code == _UNAUTHORIZED and attempt == 0 and self._authenticate(exc):
                    continue
                raise self._error(exc, url) from exc
            except OSError as exc:
                msg = f"failed to pull {self.what}: {exc}"
                raise errors.UnavailableError(msg) from exc
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def _authenticate(self, exc: urllib.error.HTTPError) -> bool:
        """Answer a 401's challenge; tell whether there is anything new to retry with."""
        scheme, challenge = parse_challenge(exc.headers.get("WWW-Authenticate", ""))
        if scheme == "bearer":
            token = fetch_token(
                self._opener,
                challenge,
                self._credentials,
                default_scope=self._scope,
                timeout=_TIMEOUT,
            )
            self._authorization = f"Bearer {token}"
            return True
        if scheme == "basic" and self._credentials.basic:
            self._authorization = self._credentials.basic
            return True
        return False

    def _error(self, exc: urllib.error.HTTPError, url: str) -> errors.PodkitError:
        cause = f"failed to pull {self.what}: GET {url}: HTTP {exc.code} {exc.reason}"
        if exc.code == _UNAUTHORIZED:
            return errors.UnauthenticatedError(cause)
        kinds: dict[int, type[errors.PodkitError]] = {
            403: errors.PermissionDeniedError,
            404: errors.NotFoundError,
            429: errors.UnavailableError,
        }
        return kinds.get(exc.code, errors.UnavailableError)(cause)


@final
class RegistrySource:
    """The blobs of a registry repository, as the importer asks for them."""

    def __init__(self, client: RegistryClient, fetched: dict[str, bytes]) -> None:
        self._client = client
        self._fetched = fetched

    def open(self, descriptor: _oci.Descriptor) -> IO[bytes]:
        """Open a manifest (from the manifests endpoint) or a blob."""
        if descriptor.digest in self._fetched:
            return io.BytesIO(self._fetched[descriptor.digest])
        if descriptor.media_type in _oci.MANIFEST_TYPES | _oci.INDEX_TYPES:
            _, data = self._client.manifest(descriptor.digest)
            return io.BytesIO(data)
        return self._client.blob(descriptor.digest)


def _is_loopback(host: str) -> bool:
    hostname = host.rpartition(":")[0] if ":" in host else host
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


__all__ = ["RegistryClient", "RegistrySource"]
