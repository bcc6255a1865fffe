"""The data of the network contract: CNI SPEC 1.1 configurations and results.

Network hooks (:mod:`podkit.hookspecs.network`) take and return these frozen
models instead of CNI JSON and ``CNI_*`` environment variables. They follow
the SPEC section by section, with its JSON names in snake_case:

* section 1, "Network configuration format": :class:`NetworkConfigList`, whose
  ``plugins`` are :class:`PluginConfig` objects, with :class:`IPAMConfig` and
  :class:`DNS`;
* sections 2 and 3, "Parameters" and "Attachment Parameters":
  :class:`Attachment`, and :class:`GCAttachment` for GC's valid attachments;
* section 3, "Deriving request configuration from plugin configuration": the
  request :class:`NetworkConfig` of one plugin invocation, with its
  :class:`RuntimeConfig` (the capability arguments of the SPEC's
  CONVENTIONS.md: :class:`PortMapping`, :class:`IPRange`, :class:`Bandwidth`,
  :class:`RuntimeDNS`);
* section 5, "Result Types": :class:`Result` with :class:`Interface`,
  :class:`IPConfig`, :class:`Route` and :class:`DNS`; :class:`VersionResult`.

The models have the 1.1 shapes whatever version a caller speaks. The CNI wire
adapter alone reads and writes CNI JSON: it knows the per-version encodings
(0.2's ``ip4``/``ip6`` results, 0.3's ``version`` per interface, GC's two key
names), so the models carry no ``from_json``/``to_json``.

Values are typed: IP addresses, interfaces (address with prefix) and networks
are :mod:`ipaddress` objects (strings are accepted and parsed), lists are
tuples, and maps are read-only :class:`types.MappingProxyType` views. What the
SPEC leaves to plugins (their own keys, ``args``) is kept as deep-frozen JSON,
:data:`JsonValue`. Mapping fields take no part in hashing, so every model is
hashable and equal models hash alike.
"""

from __future__ import annotations

from podkit.models.network._attachments import Attachment, GCAttachment
from podkit.models.network._capabilities import (
    Bandwidth,
    IPRange,
    PortMapping,
    RuntimeConfig,
    RuntimeDNS,
)
from podkit.models.network._config import (
    IPAMConfig,
    NetworkConfig,
    NetworkConfigList,
    PluginConfig,
)
from podkit.models.network._results import DNS, Interface, IPConfig, Result, Route, VersionResult
from podkit.models.network._values import (
    CNI_VERSIONS,
    CURRENT_CNI_VERSION,
    IPAddress,
    IPInterface,
    IPNetwork,
    JsonValue,
)

__all__ = [
    "CNI_VERSIONS",
    "CURRENT_CNI_VERSION",
    "DNS",
    "Attachment",
    "Bandwidth",
    "GCAttachment",
    "IPAMConfig",
    "IPAddress",
    "IPConfig",
    "IPInterface",
    "IPNetwork",
    "IPRange",
    "Interface",
    "JsonValue",
    "NetworkConfig",
    "NetworkConfigList",
    "PluginConfig",
    "PortMapping",
    "Result",
    "Route",
    "RuntimeConfig",
    "RuntimeDNS",
    "VersionResult",
]
