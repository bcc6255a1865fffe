"""Network configurations (SPEC section 1) and request configurations (section 3).

A :class:`NetworkConfigList` is what an administrator writes: a named network
and its chain of :class:`PluginConfig` objects, with :class:`IPAMConfig`. A
:class:`NetworkConfig` is what one plugin call receives (upstream, on stdin).
"""

from __future__ import annotations

# typing.get_type_hints() resolves the field annotations in this module's
# namespace, ``Mapping`` included.
from collections.abc import Mapping  # noqa: TC003
from typing import TYPE_CHECKING, Final, final

import attrs
from attrs import validators

from podkit.models.network._capabilities import RuntimeConfig
from podkit.models.network._results import DNS, Result
from podkit.models.network._values import (
    BOOL,
    CURRENT_CNI_VERSION,
    STR,
    JsonValue,
    check_cni_name,
    check_known_version,
    check_plugin_type,
    check_version_string,
    instances_of,
    no_typed_keys,
    optional_instance_of,
    to_bool_map,
    to_json_object,
    to_strings,
    to_tuple,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

# JSON keys of a plugin or request configuration that have typed fields, so
# they may not appear in ``raw``.
_CONFIG_KEYS: Final = frozenset(
    {
        "args",
        "capabilities",
        "cni.dev/attachments",
        "cni.dev/valid-attachments",
        "cniVersion",
        "dns",
        "ipMasq",
        "ipam",
        "name",
        "prevResult",
        "runtimeConfig",
        "type",
    },
)


def _plugin_configs(value: Iterable[PluginConfig]) -> tuple[PluginConfig, ...]:
    return to_tuple(value)


@final
@attrs.frozen(kw_only=True)
class IPAMConfig:
    """The ``ipam`` section: which plugin manages addresses, and its settings.

    An absent or empty (``{}``) section is ``None`` where this is used.

    Mirrors: CNI SPEC 1.1, section 1 "Configuration format", ``ipam``.

    .. versionadded:: 0.1
    """

    #: The IPAM plugin's type, e.g. ``host-local``.
    type: str = attrs.field(validator=[STR, check_plugin_type])
    #: The IPAM plugin's own keys (``subnet``, ``ranges``, ...), by JSON name.
    raw: Mapping[str, JsonValue] = attrs.field(
        factory=dict,
        converter=to_json_object,
        validator=no_typed_keys(frozenset({"type"})),
        hash=False,
    )


@final
@attrs.frozen(kw_only=True)
class PluginConfig:
    """One entry of a network configuration's ``plugins``, as configured.

    The runtime derives a :class:`NetworkConfig` from it for each call
    (SPEC section 3): it adds the list's ``cniVersion`` and ``name``, turns
    :attr:`capabilities` into a :class:`RuntimeConfig`, and adds ``args`` and
    ``prevResult``.

    Mirrors: CNI SPEC 1.1, section 1 "Plugin configuration objects".

    .. versionadded:: 0.1
    """

    #: The plugin's type (upstream: its executable's name), e.g. ``bridge``.
    type: str = attrs.field(validator=[STR, check_plugin_type])
    #: The capability arguments the plugin wants, e.g. ``{"portMappings": True}``.
    capabilities: Mapping[str, bool] = attrs.field(
        factory=dict,
        converter=to_bool_map,
        validator=validators.deep_mapping(STR, BOOL),
        hash=False,
    )
    #: ``ipMasq``: set up IP masquerade on the host for this network.
    ip_masq: bool = attrs.field(default=False, validator=BOOL)
    #: ``ipam``: the delegated address management; ``None`` if there is none.
    ipam: IPAMConfig | None = attrs.field(default=None, validator=optional_instance_of(IPAMConfig))
    #: ``dns``: the network's DNS settings, if any.
    dns: DNS | None = attrs.field(default=None, validator=optional_instance_of(DNS))
    #: The plugin's own keys (``bridge``, ``isGateway``, ...), by JSON name.
    raw: Mapping[str, JsonValue] = attrs.field(
        factory=dict,
        converter=to_json_object,
        validator=no_typed_keys(_CONFIG_KEYS),
        hash=False,
    )


@final
@attrs.frozen(kw_only=True)
class NetworkConfigList:
    """A network configuration: a named network and its chain of plugins.

    Mirrors: CNI SPEC 1.1, section 1 "Configuration format".

    .. versionadded:: 0.1
    """

    #: The SPEC version the configuration conforms to.
    cni_version: str = attrs.field(validator=[STR, check_known_version])
    #: Every version the configuration supports; the runtime picks the highest
    #: it supports of these and :attr:`cni_version`.
    cni_versions: tuple[str, ...] = attrs.field(
        default=(),
        converter=to_strings,
        validator=validators.deep_iterable(validators.and_(STR, check_version_string)),
    )
    #: The network's name, unique on the host.
    name: str = attrs.field(validator=[STR, check_cni_name])
    #: ``disableCheck``: runtimes must not call ``CHECK`` for this network.
    disable_check: bool = attrs.field(default=False, validator=BOOL)
    #: ``disableGC``: runtimes must not call ``GC`` for this network.
    disable_gc: bool = attrs.field(default=False, validator=BOOL)
    #: ``loadOnlyInlinedPlugins``: ignore plugin configurations found elsewhere
    #: than in :attr:`plugins` (which must then not be empty).
    load_only_inlined_plugins: bool = attrs.field(default=False, validator=BOOL)
    #: The plugins, in ``ADD`` order.
    plugins: tuple[PluginConfig, ...] = attrs.field(
        default=(), converter=_plugin_configs, validator=instances_of(PluginConfig)
    )

    def __attrs_post_init__(self) -> None:
        """Check the SPEC's rule on ``loadOnlyInlinedPlugins``."""
        if self.load_only_inlined_plugins and not self.plugins:
            msg = "load_only_inlined_plugins: cannot be set without inlined plugins"
            raise ValueError(msg)


@final
@attrs.frozen(kw_only=True)
class NetworkConfig:
    """The configuration of one plugin call: what upstream reads on stdin.

    The runtime derives it from a :class:`PluginConfig` of a
    :class:`NetworkConfigList` (SPEC section 3, "Deriving request
    configuration from plugin configuration"). Delegated plugins (IPAM)
    receive the same object as the plugin that delegates to them.

    Mirrors: CNI SPEC 1.1, sections 1 and 3.

    .. versionadded:: 0.1
    """

    #: The SPEC version the runtime selected for this call.
    cni_version: str = attrs.field(
        default=CURRENT_CNI_VERSION, validator=[STR, check_known_version]
    )
    #: The network's name, from the configuration list.
    name: str = attrs.field(validator=[STR, check_cni_name])
    #: The plugin type the call is for, e.g. ``bridge``.
    type: str = attrs.field(validator=[STR, check_plugin_type])
    #: ``runtimeConfig``: the capability arguments; empty for ``STATUS`` and ``GC``.
    runtime_config: RuntimeConfig = attrs.field(
        factory=RuntimeConfig, validator=validators.instance_of(RuntimeConfig)
    )
    #: ``args``: optional structured arguments from the runtime (conventions
    #: namespace them under ``cni``); plugins ignore what they do not know.
    args: Mapping[str, JsonValue] = attrs.field(factory=dict, converter=to_json_object, hash=False)
    #: ``ipMasq``: set up IP masquerade on the host for this network.
    ip_masq: bool = attrs.field(default=False, validator=BOOL)
    #: ``ipam``: the delegated address management; ``None`` if there is none.
    ipam: IPAMConfig | None = attrs.field(default=None, validator=optional_instance_of(IPAMConfig))
    #: ``dns``: the network's DNS settings, if any.
    dns: DNS | None = attrs.field(default=None, validator=optional_instance_of(DNS))
    #: ``prevResult``: the previous plugin's result in an ``ADD`` chain, the
    #: final ``ADD`` result for ``CHECK`` and ``DEL``; ``None`` for the first
    #: ``ADD`` of a chain (and possibly for ``DEL``).
    prev_result: Result | None = attrs.field(default=None, validator=optional_instance_of(Result))
    #: The plugin's own keys (``bridge``, ``isGateway``, ...), by JSON name and
    #: unchanged, for the plugin to parse.
    raw: Mapping[str, JsonValue] = attrs.field(
        factory=dict,
        converter=to_json_object,
        validator=no_typed_keys(_CONFIG_KEYS),
        hash=False,
    )


__all__ = ["IPAMConfig", "NetworkConfig", "NetworkConfigList", "PluginConfig"]
