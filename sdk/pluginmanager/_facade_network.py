"""The typed network hooks: ``pm.network.add(cni_type, config, attachment)``.

One method per hook of :mod:`podkit.hookspecs.network`; see
:mod:`podkit.pluginmanager._facades` for what they share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal, cast, final

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.models.network import (
        Attachment,
        GCAttachment,
        NetworkConfig,
        Result,
        VersionResult,
    )


@final
class NetworkHooks:
    """The network hooks, one typed method each, called on the plugin for ``cni_type``.

    Reached as :attr:`PluginManager.network <podkit.PluginManager.network>`.
    ``pm.network.add("bridge", config, attachment)`` calls
    :func:`~podkit.hookspecs.network.network_add` on the plugin that answers
    for the ``bridge`` type and returns its :class:`~podkit.models.network.Result`.
    ``DEL`` is :meth:`del_`, ``del`` being a Python keyword. Every method
    raises :class:`podkit.NoPluginError` when no network plugin answers for
    ``cni_type`` and :class:`podkit.UnimplementedError` when the one that
    does lacks the hook.

    :param call: the manager's :meth:`~podkit.PluginManager.call`.

    .. versionadded:: 0.1
    """

    __slots__ = ("_call",)

    def __init__(self, call: Callable[..., Any]) -> None:
        self._call: Final = call

    # -- Attachment operations: ADD, DEL, CHECK -------------------------------------

    def add(self, cni_type: str, config: NetworkConfig, attachment: Attachment) -> Result:
        """CNI ``ADD``.

        See :func:`podkit.hookspecs.network.network_add`.
        """
        return cast(
            "Result",
            self._call("network_add", cni_type=cni_type, config=config, attachment=attachment),
        )

    def del_(self, cni_type: str, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """CNI ``DEL``.

        See :func:`podkit.hookspecs.network.network_del`.
        """
        return cast(
            "Literal[True]",
            self._call("network_del", cni_type=cni_type, config=config, attachment=attachment),
        )

    def check(self, cni_type: str, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """CNI ``CHECK``.

        See :func:`podkit.hookspecs.network.network_check`.
        """
        return cast(
            "Literal[True]",
            self._call("network_check", cni_type=cni_type, config=config, attachment=attachment),
        )

    # -- Network operations: STATUS, GC ---------------------------------------------

    def status(self, cni_type: str, config: NetworkConfig) -> Literal[True]:
        """CNI ``STATUS``.

        See :func:`podkit.hookspecs.network.network_status`.
        """
        return cast("Literal[True]", self._call("network_status", cni_type=cni_type, config=config))

    def gc(
        self, cni_type: str, config: NetworkConfig, valid_attachments: tuple[GCAttachment, ...]
    ) -> Literal[True]:
        """CNI ``GC``.

        See :func:`podkit.hookspecs.network.network_gc`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "network_gc", cni_type=cni_type, config=config, valid_attachments=valid_attachments
            ),
        )

    # -- Plugin information: VERSION ------------------------------------------------

    def version(self, cni_type: str) -> VersionResult:
        """CNI ``VERSION``.

        See :func:`podkit.hookspecs.network.network_version`.
        """
        return cast("VersionResult", self._call("network_version", cni_type=cni_type))


__all__ = ["NetworkHooks"]
