"""Image references: parse and normalize ``busybox`` to ``docker.io/library/busybox:latest``.

Kubernetes passes image names the way users write them; the store keys its refs by
the fully qualified form, as containerd's CRI plugin does, so that ``busybox``,
``library/busybox:latest`` and ``docker.io/library/busybox`` are one image. The
grammar is distribution's ``reference/regexp.go``; the normalization rules are those
of ``reference/normalize.go`` (``ParseDockerRef``).
"""

from __future__ import annotations

import re
from typing import Final, NoReturn, final

import attrs

from podkit import errors

#: The registry of names without a domain, and its repository prefix for one-part names.
DEFAULT_DOMAIN: Final = "docker.io"
_LEGACY_DOMAIN: Final = "index.docker.io"
_OFFICIAL_PREFIX: Final = "library/"
DEFAULT_TAG: Final = "latest"

# reference/regexp.go: domain, path components, tag and digest.
_DOMAIN_COMPONENT: Final = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN: Final = re.compile(rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?")
_PATH_COMPONENT: Final = re.compile(r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*")
_TAG: Final = re.compile(r"[\w][\w.-]{0,127}")
DIGEST: Final = re.compile(r"sha256:[a-f0-9]{64}")
_MAX_NAME: Final = 255


@final
@attrs.frozen(kw_only=True)
class Reference:
    """A parsed, normalized image reference: ``domain/path[:tag][@digest]``."""

    domain: str
    #: The repository path within the domain, e.g. ``library/busybox``.
    path: str
    tag: str = ""
    digest: str = ""

    @property
    def name(self) -> str:
        """The repository: ``docker.io/library/busybox``."""
        return f"{self.domain}/{self.path}"

    @property
    def tagged(self) -> str:
        """``name:tag``, or ``""`` for a reference by digest only."""
        return f"{self.name}:{self.tag}" if self.tag else ""

    def with_digest(self, digest: str) -> str:
        """``name@digest``: the repo digest of the manifest ``digest`` in this repository."""
        return f"{self.name}@{digest}"

    def __str__(self) -> str:
        tag = f":{self.tag}" if self.tag else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{self.name}{tag}{digest}"


def parse_reference(text: str) -> Reference:
    """Parse ``text`` and normalize it; a reference without tag nor digest gets ``latest``.

    :raises podkit.errors.InvalidArgumentError: ``text`` is not a valid image reference.
    """
    remainder, _, digest = text.partition("@")
    if digest and not DIGEST.fullmatch(digest):
        _fail(text, f"digest {digest!r} is not a sha256 digest")
    name, tag = _split_tag(remainder)
    if tag is not None and not _TAG.fullmatch(tag):
        _fail(text, f"tag {tag!r} is invalid")
    domain, path = _split_domain(text, name)
    if tag is None and not digest:
        tag = DEFAULT_TAG
    return Reference(domain=domain, path=path, tag=tag or "", digest=digest)


def _split_tag(remainder: str) -> tuple[str, str | None]:
    # A ':' after the last '/' starts a tag; one before it is a registry port.
    slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > slash:
        return remainder[:colon], remainder[colon + 1 :]
    return remainder, None


def _split_domain(text: str, name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        domain, path = first, rest
        if not _DOMAIN.fullmatch(domain):
            _fail(text, f"registry {domain!r} is invalid")
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain == _LEGACY_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = _OFFICIAL_PREFIX + path
    if not path or not all(_PATH_COMPONENT.fullmatch(part) for part in path.split("/")):
        _fail(text, f"repository {path!r} must be lowercase components of [a-z0-9._-]")
    if len(f"{domain}/{path}") > _MAX_NAME:
        _fail(text, f"the name is longer than {_MAX_NAME} characters")
    return domain, path


def _fail(text: str, cause: str) -> NoReturn:
    msg = f"invalid image reference {text!r}: {cause}"
    raise errors.InvalidArgumentError(msg)


__all__ = ["DEFAULT_DOMAIN", "DEFAULT_TAG", "DIGEST", "Reference", "parse_reference"]
