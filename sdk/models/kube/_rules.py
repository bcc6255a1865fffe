"""Validation rules shared by the models and the manifest loader.

A rule takes one value and returns the reasons it is invalid, empty when it is
valid, worded as the Kubernetes API server words them (``k8s.io/apimachinery``
``pkg/util/validation``). The models turn the first reason into an exception;
the manifest loader records every reason at its field path. Keeping the rules
here means a manifest and a programmatically built model obey the same rules.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

_LABEL: Final = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL: Final = re.compile(_LABEL)
_DNS1123_SUBDOMAIN: Final = re.compile(rf"{_LABEL}(\.{_LABEL})*")
_QUALIFIED_NAME: Final = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_CONFIG_KEY: Final = re.compile(r"[-._a-zA-Z0-9]+")
_PORT_NAME_CHARS: Final = re.compile(r"[-a-z0-9]+")
_HTTP_HEADER_NAME: Final = re.compile(r"[-A-Za-z0-9]+")
_SYSCTL_PART: Final = r"[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
_SYSCTL_NAME: Final = re.compile(rf"({_SYSCTL_PART}[\./])*{_SYSCTL_PART}")

#: Largest object name (DNS-1123 subdomain) and label-like name lengths.
SUBDOMAIN_MAX: Final = 253
LABEL_MAX: Final = 63
#: Largest user and group id the API server accepts.
ID_MAX: Final = 2147483647
#: Largest file mode of a projected file: ``0777``.
MODE_MAX: Final = 0o777
#: Largest TCP/UDP/SCTP port.
PORT_MAX: Final = 65535

_LABEL_FORMAT: Final = (
    "a DNS-1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_SUBDOMAIN_FORMAT: Final = (
    "a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_NAME_PART_FORMAT: Final = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FORMAT: Final = (
    "a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)


def quote(value: object) -> str:
    """Quote a value for a message: strings as JSON strings, others as they print."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def invalid(value: object, reason: str) -> str:
    """Word one reason a value is invalid: ``invalid value "x": reason``."""
    return f"invalid value {quote(value)}: {reason}"


def max_length(limit: int) -> str:
    """Word the reason a value is too long."""
    return f"must be no more than {limit} characters"


def _pattern(value: str, limit: int, regex: re.Pattern[str], message: str) -> list[str]:
    reasons = [max_length(limit)] if len(value) > limit else []
    if not regex.fullmatch(value):
        reasons.append(message)
    return reasons


def dns1123_label(value: str) -> list[str]:
    """Check a DNS-1123 label: container, volume, port-less names; namespaces."""
    return _pattern(value, LABEL_MAX, _DNS1123_LABEL, _LABEL_FORMAT)


def dns1123_subdomain(value: str) -> list[str]:
    """Check a DNS-1123 subdomain: the names of Pods, Secrets and ConfigMaps."""
    return _pattern(value, SUBDOMAIN_MAX, _DNS1123_SUBDOMAIN, _SUBDOMAIN_FORMAT)


def csi_driver_name(value: str) -> list[str]:
    """Check the name of a CSI driver: a DNS-1123 subdomain (any case) of 63 characters."""
    reasons = [max_length(LABEL_MAX)] if len(value) > LABEL_MAX else []
    if not _DNS1123_SUBDOMAIN.fullmatch(value.lower()):
        reasons.append(_SUBDOMAIN_FORMAT)
    return reasons


def qualified_name(value: str) -> list[str]:
    """Check a qualified name (``[prefix/]name``): label and annotation keys."""
    parts = value.split("/")
    if len(parts) > 2:  # noqa: PLR2004 - a prefix and a name
        return [f"a qualified name must have at most one '/'; {_NAME_PART_FORMAT}"]
    reasons: list[str] = []
    if len(parts) == 2:  # noqa: PLR2004 - a prefix and a name
        prefix = parts[0]
        if not prefix:
            reasons.append("prefix part must be non-empty")
        reasons.extend(f"prefix part {reason}" for reason in dns1123_subdomain(prefix) if prefix)
    name = parts[-1]
    if not name:
        return [*reasons, "name part must be non-empty"]
    if len(name) > LABEL_MAX:
        reasons.append(f"name part {max_length(LABEL_MAX)}")
    if not _QUALIFIED_NAME.fullmatch(name):
        reasons.append(_NAME_PART_FORMAT)
    return reasons


def annotation_key(value: str) -> list[str]:
    """Check an annotation key: a qualified name, compared lower-cased."""
    return qualified_name(value.lower())


def label_value(value: str) -> list[str]:
    """Check a label value: empty, or a name part of at most 63 characters."""
    if not value:
        return []
    return _pattern(value, LABEL_MAX, _QUALIFIED_NAME, _LABEL_VALUE_FORMAT)


def port_name(value: str) -> list[str]:
    """Check an IANA_SVC_NAME (RFC 6335): the names of container ports."""
    reasons = [max_length(15)] if len(value) > 15 else []  # noqa: PLR2004 - RFC 6335
    if not _PORT_NAME_CHARS.fullmatch(value):
        reasons.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        reasons.append("must contain at least one letter (a-z)")
    if "--" in value:
        reasons.append("must not contain consecutive hyphens")
    if value.startswith("-") or value.endswith("-"):
        reasons.append("must not begin or end with a hyphen")
    return reasons


def env_var_name(value: str) -> list[str]:
    """Check an environment variable name, by the relaxed rule of Kubernetes 1.34.

    Any printable ASCII character but ``=`` is allowed (the rule the API server
    uses since the ``RelaxedEnvironmentVariableValidation`` feature went GA).
    """
    if all(" " <= char <= "~" and char != "=" for char in value):
        return []
    return ["must consist only of printable ASCII characters other than '='"]


def config_key(value: str) -> list[str]:
    """Check a key of a Secret or ConfigMap: it becomes a file name in volumes."""
    reasons = _pattern(
        value,
        SUBDOMAIN_MAX,
        _CONFIG_KEY,
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    )
    if value in {".", ".."}:
        reasons.append(f"must not be '{value}'")
    elif value.startswith(".."):
        reasons.append("must not start with '..'")
    return reasons


def http_header_name(value: str) -> list[str]:
    """Check an HTTP header name of an ``httpGet`` probe."""
    if _HTTP_HEADER_NAME.fullmatch(value):
        return []
    return ["a valid HTTP header must consist of alphanumeric characters or '-'"]


def sysctl_name(value: str) -> list[str]:
    """Check the name of a namespaced sysctl (``net.ipv4.ip_forward`` or with '/')."""
    return _pattern(
        value,
        SUBDOMAIN_MAX,
        _SYSCTL_NAME,
        "a sysctl name must consist of lower case alphanumeric characters, '-', '_', '.' "
        "or '/', with dots or slashes between alphanumeric parts",
    )


def ip_address(value: str) -> list[str]:
    """Check an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    return []


def absolute_path(value: str) -> list[str]:
    """Check an absolute path, such as a ``mountPath``."""
    return [] if value.startswith("/") else ["must be an absolute path"]


def no_backsteps(value: str) -> list[str]:
    """Check that a path has no ``..`` element (a ``hostPath`` path)."""
    return ["must not contain '..'"] if ".." in value.split("/") else []


def relative_path(value: str) -> list[str]:
    """Check a relative path that stays below its base, such as a ``subPath``."""
    reasons = ["must be a relative path"] if value.startswith("/") else []
    return reasons + no_backsteps(value)


def item_path(value: str) -> list[str]:
    """Check the path of a Secret or ConfigMap item in a volume.

    Like :func:`relative_path`, and the name may not start with ``..``: the
    atomic writer keeps its own ``..data`` and ``..<timestamp>`` entries there.
    """
    reasons = relative_path(value)
    if value.startswith("..") and not reasons:
        reasons.append("must not start with '..'")
    return reasons


def no_surrounding_space(value: str) -> list[str]:
    """Check that a value has no leading or trailing whitespace (``image``)."""
    return [] if value == value.strip() else ["must not have leading or trailing whitespace"]


def between(low: int, high: int) -> Callable[[int], list[str]]:
    """Make a rule for an integer in ``[low, high]``."""

    def rule(value: int) -> list[str]:
        if low <= value <= high:
            return []
        return [f"must be between {low} and {high}, inclusive"]

    return rule


def at_least(low: int) -> Callable[[int], list[str]]:
    """Make a rule for an integer no smaller than ``low``."""

    def rule(value: int) -> list[str]:
        return [] if value >= low else [f"must be greater than or equal to {low}"]

    return rule


def file_mode(value: int) -> list[str]:
    """Check the mode of a projected file: ``0`` to ``0777``."""
    if 0 <= value <= MODE_MAX:
        return []
    return ["must be a number between 0 and 0777 (octal), both inclusive"]


def exactly_one_of(names: Iterable[str]) -> str:
    """Word the rule that exactly one of several members must be set."""
    return "must specify exactly one of " + ", ".join(quote(name) for name in names)


def one_of(values: Iterable[str]) -> str:
    """Word the list of supported values: ``supported values: "A", "B"``."""
    return "supported values: " + ", ".join(quote(value) for value in values)


#: A port number, 1 to 65535.
port_number: Final = between(1, PORT_MAX)


def host_port(value: int) -> list[str]:
    """Check a host port: 0 (not published) or a port number."""
    return port_number(value) if value else []


#: A user or group id.
unix_id: Final = between(0, ID_MAX)

__all__ = [
    "ID_MAX",
    "LABEL_MAX",
    "MODE_MAX",
    "PORT_MAX",
    "SUBDOMAIN_MAX",
    "absolute_path",
    "annotation_key",
    "at_least",
    "between",
    "config_key",
    "csi_driver_name",
    "dns1123_label",
    "dns1123_subdomain",
    "env_var_name",
    "exactly_one_of",
    "file_mode",
    "host_port",
    "http_header_name",
    "invalid",
    "ip_address",
    "item_path",
    "label_value",
    "max_length",
    "no_backsteps",
    "no_surrounding_space",
    "one_of",
    "port_name",
    "port_number",
    "qualified_name",
    "quote",
    "relative_path",
    "sysctl_name",
    "unix_id",
]
