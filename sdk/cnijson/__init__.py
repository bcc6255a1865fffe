"""CNI's JSON, to and from :mod:`podkit.models.network`.

The one place that reads and writes what CNI plugins exchange: network
configurations (``.conf``/``.conflist`` files and a call's stdin), results
in each SPEC version, the ``CNI_*`` environment and error JSON. The CNI wire
adapters (``podkit-cni`` and the exec client) and the runtime layer's
configuration directory both use it; nothing else sees CNI JSON.
"""

from __future__ import annotations

from podkit.cnijson._decode import (
    RESULT_VERSIONS,
    DecodingError,
    InvalidEnvironmentError,
    decode_config_list,
    decode_environment,
    decode_error,
    decode_network_config,
    decode_result,
    parse,
)
from podkit.cnijson._encode import (
    encode_environment,
    encode_error,
    encode_gc_attachments,
    encode_network_config,
    encode_result,
    encode_version,
)

__all__ = [
    "RESULT_VERSIONS",
    "DecodingError",
    "InvalidEnvironmentError",
    "decode_config_list",
    "decode_environment",
    "decode_error",
    "decode_network_config",
    "decode_result",
    "encode_environment",
    "encode_error",
    "encode_gc_attachments",
    "encode_network_config",
    "encode_result",
    "encode_version",
    "parse",
]
