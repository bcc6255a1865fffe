"""The CNI exec client: upstream CNI plugin binaries as a podkit network plugin.

:class:`CniExecPlugin` answers for every plugin type it finds as an
executable on its CNI path (Debian's containernetworking-plugins install
theirs in ``/usr/lib/cni``) and runs it the way libcni does: the
``CNI_*`` environment, the configuration on stdin, the result or the error
JSON on stdout, exit code 0 or not. Errors come back as the podkit error of
the same CNI code, so a caller cannot tell an upstream plugin from an
in-process one.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, final

from podkit import cnijson
from podkit._markers import hookimpl
from podkit.errors import DeadlineExceededError, InternalError, NotFoundError
from podkit.models.network import CNI_VERSIONS, VersionResult

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from podkit.models.network import Attachment, GCAttachment, NetworkConfig, Result

#: Where Debian's containernetworking-plugins are.
DEFAULT_CNI_PATH: Final = ("/usr/lib/cni", "/opt/cni/bin")
#: How long one plugin call may take.
DEFAULT_TIMEOUT: Final = 60.0


@final
class CniExecPlugin:
    """Runs upstream CNI plugins found on ``cni_path``.

    :param cni_path: folders searched for plugin executables, in order.
    :param timeout: seconds one call may take before it is killed.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        cni_path: Iterable[str | os.PathLike[str]] = DEFAULT_CNI_PATH,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.cni_path = tuple(str(p) for p in cni_path)
        self.timeout = timeout
        #: Every executable on the path, by type; what the manager routes here.
        self.podkit_names = tuple(sorted(self._binaries()))

    def _binaries(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for folder in self.cni_path:
            try:
                entries = list(os.scandir(folder))
            except OSError:  # a missing folder on the path is no error, as in libcni
                continue
            for entry in entries:
                if entry.is_file() and os.access(entry.path, os.X_OK):
                    found.setdefault(entry.name, Path(entry.path))
        return found

    def _run(
        self, cni_type: str, command: str, stdin: Mapping[str, Any], attachment: Attachment | None
    ) -> dict[str, Any] | None:
        binary = self._binaries().get(cni_type)
        if binary is None:
            msg = f"failed to find plugin {cni_type!r} in path {list(self.cni_path)}"
            raise NotFoundError(msg)
        # As libcni does: the caller's environment, plus the call's CNI_* variables.
        env = {k: v for k, v in os.environ.items() if not k.startswith("CNI_")}
        env |= cnijson.encode_environment(command, attachment)
        if not env.get("CNI_PATH"):
            env["CNI_PATH"] = ":".join(self.cni_path)
        try:
            done = subprocess.run(  # noqa: S603 - the binary is a plugin found on the CNI path
                [str(binary)],
                input=json.dumps(stdin).encode(),
                env=env,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            msg = f"{cni_type}: {command} did not finish in {self.timeout:g}s"
            raise DeadlineExceededError(msg) from exc
        return self._answer(cni_type, command, done)

    def _answer(
        self, cni_type: str, command: str, done: subprocess.CompletedProcess[bytes]
    ) -> dict[str, Any] | None:
        out = done.stdout.strip()
        if done.returncode != 0:
            try:
                body = cnijson.parse(out, f"{cni_type}'s error")
            except cnijson.DecodingError:
                said = done.stderr.decode(errors="replace").strip() or repr(out)
                msg = f"{cni_type}: {command} failed with exit code {done.returncode}: {said}"
                raise InternalError(msg) from None
            raise cnijson.decode_error(body, cni_type)
        return cnijson.parse(out, f"{cni_type}'s result") if out else None

    @hookimpl
    def network_add(self, cni_type: str, config: NetworkConfig, attachment: Attachment) -> Result:
        """Run the plugin's ``ADD`` and read its result."""
        body = self._run(cni_type, "ADD", cnijson.encode_network_config(config), attachment)
        if body is None:
            msg = f"{cni_type}: ADD printed no result"
            raise InternalError(msg)
        return cnijson.decode_result(body, f"{cni_type} result: ")

    @hookimpl
    def network_del(
        self, cni_type: str, config: NetworkConfig, attachment: Attachment
    ) -> Literal[True]:
        """Run the plugin's ``DEL``."""
        self._run(cni_type, "DEL", cnijson.encode_network_config(config), attachment)
        return True

    @hookimpl
    def network_check(
        self, cni_type: str, config: NetworkConfig, attachment: Attachment
    ) -> Literal[True]:
        """Run the plugin's ``CHECK``."""
        self._run(cni_type, "CHECK", cnijson.encode_network_config(config), attachment)
        return True

    @hookimpl
    def network_status(self, cni_type: str, config: NetworkConfig) -> Literal[True]:
        """Run the plugin's ``STATUS``."""
        self._run(cni_type, "STATUS", cnijson.encode_network_config(config), None)
        return True

    @hookimpl
    def network_gc(
        self, cni_type: str, config: NetworkConfig, valid_attachments: tuple[GCAttachment, ...]
    ) -> Literal[True]:
        """Run the plugin's ``GC`` with the attachments to keep."""
        stdin = cnijson.encode_network_config(config)
        valid = cnijson.encode_gc_attachments(valid_attachments)
        stdin["cni.dev/valid-attachments"] = stdin["cni.dev/attachments"] = valid
        self._run(cni_type, "GC", stdin, None)
        return True

    @hookimpl
    def network_version(self, cni_type: str) -> VersionResult:
        """Run the plugin's ``VERSION``; versions podkit does not know are dropped."""
        body = self._run(cni_type, "VERSION", {"cniVersion": CNI_VERSIONS[-1]}, None) or {}
        versions = body.get("supportedVersions")
        if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
            msg = f"{cni_type}: VERSION answered {body!r}, without supportedVersions"
            raise InternalError(msg)
        known = tuple(v for v in versions if v in CNI_VERSIONS)
        return VersionResult(cni_version=CNI_VERSIONS[-1], supported_versions=known)
