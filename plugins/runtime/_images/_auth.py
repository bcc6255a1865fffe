"""Registry authentication: credentials, ``WWW-Authenticate`` challenges, bearer tokens.

The distribution token flow (distribution ``docs/spec/auth/token.md``): a registry
answers 401 with ``WWW-Authenticate: Bearer realm=...,service=...,scope=...``; the
client GETs ``realm?service=...&scope=...`` (with HTTP basic auth when it has a
username and password) and retries with ``Authorization: Bearer <token>``. A
registry that asks for ``Basic`` gets the username and password directly. CRI's
``AuthConfig`` carries the credentials as ``username``/``password``, as ``auth``
(base64 ``user:password``, Docker's config format) or as a ready ``registry_token``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit import errors

if TYPE_CHECKING:
    from collections.abc import Mapping

# RFC 7235 auth-param: token "=" ( token / quoted-string ).
_PARAM: Final = re.compile(r'([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
_MAX_TOKEN_RESPONSE: Final = 1 << 20


@final
@attrs.frozen(kw_only=True)
class Credentials:
    """What a pull may authenticate with."""

    username: str = ""
    password: str = attrs.field(default="", repr=False)
    #: A bearer token to send as it is (CRI ``AuthConfig.registry_token``).
    registry_token: str = attrs.field(default="", repr=False)

    @classmethod
    def from_cri(
        cls, *, username: str, password: str, auth: str, registry_token: str
    ) -> Credentials:
        """Combine the CRI ``AuthConfig`` fields; ``auth`` is base64 ``user:password``."""
        if auth and not (username or password):
            try:
                username, _, password = (
                    base64.b64decode(auth, validate=True).decode().partition(":")
                )
            except (binascii.Error, UnicodeDecodeError) as exc:
                msg = "invalid auth: it must be base64 of 'username:password'"
                raise errors.InvalidArgumentError(msg) from exc
        return cls(username=username, password=password, registry_token=registry_token)

    @property
    def basic(self) -> str:
        """The ``Authorization`` value for HTTP basic auth, or ``""`` without a username."""
        if not self.username:
            return ""
        pair = f"{self.username}:{self.password}".encode()
        return f"Basic {base64.b64encode(pair).decode()}"


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """Split ``WWW-Authenticate`` into its scheme (lowercase) and parameters."""
    scheme, _, rest = header.strip().partition(" ")
    params = {
        match.group(1).lower(): match.group(2) if match.group(2) is not None else match.group(3)
        for match in _PARAM.finditer(rest)
    }
    return scheme.lower(), {key: value.replace('\\"', '"') for key, value in params.items()}


def fetch_token(
    opener: urllib.request.OpenerDirector,
    challenge: Mapping[str, str],
    credentials: Credentials,
    *,
    default_scope: str,
    timeout: float,
) -> str:
    """Get a bearer token from the challenge's ``realm`` (token.md, "Requesting a Token").

    :raises podkit.errors.UnauthenticatedError: the token server refuses the credentials.
    :raises podkit.errors.UnavailableError: the token server cannot be reached.
    """
    realm = challenge.get("realm", "")
    if urllib.parse.urlsplit(realm).scheme not in {"http", "https"}:
        msg = f"failed to authenticate to the registry: bad token realm {realm!r}"
        raise errors.UnavailableError(msg)
    query = {"scope": challenge.get("scope") or default_scope}
    if "service" in challenge:
        query["service"] = challenge["service"]
    request = urllib.request.Request(f"{realm}?{urllib.parse.urlencode(query)}")  # noqa: S310 - http(s) only, checked above
    if credentials.basic:
        request.add_unredirected_header("Authorization", credentials.basic)
    try:
        with opener.open(request, timeout=timeout) as response:
            body = json.loads(response.read(_MAX_TOKEN_RESPONSE))
    except urllib.error.HTTPError as exc:
        exc.close()
        kind = errors.UnauthenticatedError if exc.code in {401, 403} else errors.UnavailableError
        msg = f"failed to get a registry token from {realm!r}: HTTP {exc.code} {exc.reason}"
        raise kind(msg) from exc
    except (OSError, ValueError) as exc:
        msg = f"failed to get a registry token from {realm!r}: {exc}"
        raise errors.UnavailableError(msg) from exc
    token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        msg = f"failed to get a registry token from {realm!r}: the answer has no token"
        raise errors.UnavailableError(msg)
    return token


__all__ = ["Credentials", "fetch_token", "parse_challenge"]
