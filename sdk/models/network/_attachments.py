"""The per-attachment parameters: upstream's ``CNI_*`` environment variables.

SPEC sections 2 and 3 identify an attachment by its container ID and interface
name: :class:`Attachment` carries them with the rest of the environment of a
call, :class:`GCAttachment` names an attachment ``GC`` must keep.
"""

from __future__ import annotations

# typing.get_type_hints() resolves the field annotations in this module's
# namespace, ``Mapping`` included.
from collections.abc import Mapping  # noqa: TC003
from typing import final

import attrs
from attrs import validators

from podkit.models.network._values import (
    STR,
    STRS,
    check_cni_args,
    check_cni_name,
    check_ifname,
    check_search_path,
    to_str_map,
    to_strings,
)


@final
@attrs.frozen(kw_only=True)
class Attachment:
    """The per-attachment parameters: upstream's ``CNI_*`` environment.

    An attachment is identified by ``(container_id, ifname)``.

    Mirrors: CNI SPEC 1.1, section 2 "Parameters" and section 3 "Attachment
    Parameters".

    .. versionadded:: 0.1
    """

    #: ``CNI_CONTAINERID``: the container's ID, allocated by the runtime.
    container_id: str = attrs.field(validator=[STR, check_cni_name])
    #: ``CNI_NETNS``: the isolation domain, e.g. ``/run/netns/NAME``; may be
    #: empty for ``DEL``.
    netns: str = attrs.field(default="", validator=STR)
    #: ``CNI_IFNAME``: the interface to create in the container.
    ifname: str = attrs.field(validator=[STR, check_ifname])
    #: ``CNI_ARGS``: the generic arguments, e.g. ``{"K8S_POD_NAME": "web-0"}``.
    args: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=to_str_map,
        validator=[validators.deep_mapping(STR, STR), check_cni_args],
        hash=False,
    )
    #: ``CNI_PATH``: where upstream plugin executables are looked for.
    path: tuple[str, ...] = attrs.field(
        default=(), converter=to_strings, validator=[STRS, check_search_path]
    )


@final
@attrs.frozen(kw_only=True)
class GCAttachment:
    """An attachment ``GC`` must keep (``cni.dev/valid-attachments``).

    Mirrors: CNI SPEC 1.1, section 2 "GC: Clean up any stale resources".

    .. versionadded:: 0.1
    """

    #: The ``CNI_CONTAINERID`` of its ``ADD``.
    container_id: str = attrs.field(validator=[STR, check_cni_name])
    #: The ``CNI_IFNAME`` of its ``ADD``.
    ifname: str = attrs.field(validator=[STR, check_ifname])


__all__ = ["Attachment", "GCAttachment"]
