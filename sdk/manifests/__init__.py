"""Read Kubernetes manifests (YAML or JSON) into Pods, Secrets and ConfigMaps.

::

    from podkit import manifests

    objects = manifests.load_file("pod.yaml")

A manifest is validated as the API server validates it, and every problem of
every document is reported at once in one :class:`~podkit.errors.ManifestError`,
each as a :class:`~podkit.errors.FieldError` with the field's path::

    pod.yaml: spec.containers[1].resources.limits.memory: invalid quantity "64Q"
    pod.yaml: spec.containers[1].volumeMounts[0].name: volume "data" not found

**Documents.** A YAML stream may hold several documents (``---``); empty ones
are skipped, and a ``kind: List`` document contributes its ``items``. When a
stream holds more than one object document, each error's path starts with the
document's index among them, counting from 0: ``[2].spec.containers[0].image``
is in the third document. A YAML or JSON syntax error has an empty path and
gives the line and column; the documents before it are still checked.

**Defaults** are Kubernetes' (``restartPolicy: Always``, ``imagePullPolicy``
from the image tag, probe timings...), plus the namespace ``default`` when a
document names none. Fields the API server maintains (``status``,
``metadata.creationTimestamp``...) are accepted and dropped; fields Kubernetes
has and podkit does not implement are errors (``field not supported by podkit``),
and so are unknown fields, as kubectl's strict validation makes them.

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from podkit.errors import FieldError, ManifestError
from podkit.manifests._document import decode_document
from podkit.manifests._reader import Errors
from podkit.manifests._source import documents

if TYPE_CHECKING:
    from collections.abc import Iterable

    from podkit.models.kube import KubeObject


def _prefixed(prefix: str, separator: str, error: FieldError) -> FieldError:
    path = f"{prefix}{separator}{error.path}" if error.path else prefix
    return FieldError(path, error.message)


def _decode_text(text: str) -> tuple[list[KubeObject], list[FieldError]]:
    raws: list[object] = []
    syntax: list[FieldError] = []
    for document in documents(text):
        (syntax if isinstance(document, FieldError) else raws).append(document)  # type: ignore[arg-type]
    objects: list[KubeObject] = []
    found: list[FieldError] = []
    for index, raw in enumerate(raws):
        errors = Errors()
        objects += decode_document(errors, "", raw)
        several = len(raws) > 1
        found += (
            [_prefixed(f"[{index}]", ".", e) for e in errors.found] if several else errors.found
        )
    return objects, found + syntax


def load(text: str | bytes, *, source: str = "") -> list[KubeObject]:
    """Read the objects of a manifest.

    :param text: YAML (one or more documents) or JSON; bytes are read as UTF-8.
    :param source: where the text comes from (a file name); it becomes the
        error's :attr:`~podkit.errors.ManifestError.source`.
    :returns: the objects, in the order of the manifest.
    :raises podkit.errors.ManifestError: the manifest is invalid; its
        ``errors`` list every problem of every document.

    .. versionadded:: 0.1
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            reason = f"invalid manifest: not UTF-8 text (byte {exc.start})"
            raise ManifestError([FieldError("", reason)], source=source) from exc
    objects, errors = _decode_text(text)
    if errors:
        raise ManifestError(errors, source=source)
    return objects


def load_file(path: str | os.PathLike[str]) -> list[KubeObject]:
    """Read the objects of a manifest file; errors name the file as their source.

    :raises podkit.errors.ManifestError: the file cannot be read or is invalid.

    .. versionadded:: 0.1
    """
    source = os.fspath(path)
    try:
        with open(source, "rb") as stream:  # noqa: PTH123 - a str or PathLike
            data = stream.read()
    except OSError as exc:
        reason = f"failed to read manifest: {exc.strerror or exc}"
        raise ManifestError([FieldError("", reason)], source=source) from exc
    return load(data, source=source)


def load_files(paths: Iterable[str | os.PathLike[str]]) -> list[KubeObject]:
    """Read the objects of several manifest files, in order.

    Every file is read and checked before anything is raised. When only one
    file is invalid, its :class:`~podkit.errors.ManifestError` is raised as
    :func:`load_file` raises it; when several are, one error lists them all,
    with no ``source`` and each path starting with its file:
    ``pods.yaml: [1].spec.containers`` (or just ``pods.yaml`` for an error
    about the whole file).

    :raises podkit.errors.ManifestError: a file cannot be read or is invalid.

    .. versionadded:: 0.1
    """
    objects: list[KubeObject] = []
    failures: list[ManifestError] = []
    for path in paths:
        try:
            objects += load_file(path)
        except ManifestError as exc:
            failures.append(exc)
    if len(failures) == 1:
        raise failures[0]
    if failures:
        errors = [_prefixed(exc.source, ": ", error) for exc in failures for error in exc.errors]
        raise ManifestError(errors)
    return objects


__all__ = ["load", "load_file", "load_files"]
