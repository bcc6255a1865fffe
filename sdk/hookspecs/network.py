"""The network contract: the CNI SPEC 1.1 operations as pluggy hooks.

This module is the manual of a network plugin author. A network plugin
attaches containers to networks by implementing some of these hooks, one per
operation of the CNI SPEC 1.1 (section 2, "CNI operations"): ``ADD``,
``DEL``, ``CHECK``, ``STATUS``, ``GC`` and ``VERSION``. What upstream passes
as JSON on stdin arrives as a :class:`~podkit.models.network.NetworkConfig`,
the ``CNI_*`` environment variables as an
:class:`~podkit.models.network.Attachment`, and results are returned as
models of :mod:`podkit.models.network`. Plugin code never reads the
environment or JSON: the CNI wire adapter does, for every SPEC version from
0.3.0 to 1.1.0 (0.1.0 and 0.2.0 results, with ``ip4``/``ip6``, are refused
with code 1), so a plugin written against these models speaks all of them.

**Addressing.** Every hook takes ``cni_type`` first: the ``type`` of the
plugin configuration the call is for (``bridge``, ``host-local``,
``portmap``...). Hooks are ``firstresult``: the plugin that owns the type
answers, and every other plugin returns ``None``. ``@podkit.answers_for(...)``
on a plugin declares its types in one line, and the plugin manager then calls
it for those types only.

**Chaining** (SPEC section 3). The runtime layer executes a network
configuration list (:class:`~podkit.models.network.NetworkConfigList`)
plugin by plugin, addressing each call to that plugin's ``type``:

* ``ADD`` in list order; each plugin gets the previous plugin's result as
  ``config.prev_result`` (``None`` for the first) and returns it with its own
  changes included. The last result is stored for ``CHECK`` and ``DEL``.
* ``DEL`` in reverse order; every plugin gets the final ``ADD`` result.
* ``CHECK`` in list order, with the final ``ADD`` result; skipped when the
  list sets ``disable_check``.
* ``GC`` for every plugin, continuing past errors; skipped when the list sets
  ``disable_gc``. ``STATUS`` for every plugin, stopping at the first error.
  Both exist from SPEC 1.1.0 on and are only called for lists of that
  version.

Plugins never call the next plugin of a chain themselves.

**Delegation** (SPEC section 4). A plugin may delegate work, IP address
management above all, to another plugin: it calls the same operation, with
the same ``config`` and ``attachment``, addressed to the delegate's type
(``config.ipam.type``). On ``CHECK``, ``DEL``, ``GC`` and ``STATUS`` it must
call its delegates too and fail if they fail; if a delegate fails on ``ADD``,
it should call ``DEL`` before failing. Delegated IPAM plugins return an
abbreviated :class:`~podkit.models.network.Result`: no ``interfaces``, and
no ``interface`` index in ``ips``.

**Concurrency.** Hooks run in a worker pool, so on threads. The runtime
never runs two operations for the same container at once, and never runs
``GC`` while an ``ADD`` or ``DEL`` is in progress, but runs operations for
different containers concurrently: "Plugins must handle being executed
concurrently across different containers. If necessary, they must implement
locking on shared resources (e.g. IPAM databases)." (SPEC section 3,
"Lifecycle & Ordering").

**Wrappers.** ``@podkit.hookimpl(wrapper=True)`` on any of these hooks
observes or adjusts the call for every type, e.g. to trace every ``ADD``.

**Errors.** Raise :mod:`podkit.errors` classes; the wire answers with the
class's ``cni_code``:

==== ============================================ ==================================
code SPEC meaning                                 raise
==== ============================================ ==================================
1    incompatible CNI version                     ``IncompatibleVersionError``
2    unsupported field in network configuration   ``UnimplementedError``, naming the
                                                  key and its value
3    container unknown or does not exist; the     ``NotFoundError``
     runtime need not clean up (no ``DEL``)
4    invalid environment variables                (the wire, on a bad attachment)
5    I/O failure                                  (the wire)
6    failed to decode content                     (the wire)
7    invalid network configuration                ``InvalidArgumentError``
11   try again later (a transient condition)      ``UnavailableError``,
                                                  ``AbortedError``
50   plugin not available (``STATUS``)            ``PluginNotAvailableError``
51   not available, limited connectivity          ``LimitedConnectivityError``
100+ plugin-specific                              a subclass of ``PodkitError`` that
                                                  sets ``cni_code`` to 100 or more
999  anything else (libcni's "internal")          any other ``PodkitError``
==== ============================================ ==================================

``NotFoundError`` tells the runtime that nothing needs cleaning up, so never
raise it for a missing interface or address: use ``FailedPreconditionError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from podkit._markers import hookspec

if TYPE_CHECKING:
    from podkit.models.network import (
        Attachment,
        GCAttachment,
        NetworkConfig,
        Result,
        VersionResult,
    )

# --------------------------------------------------------------------------
# Attachment operations: ADD, DEL, CHECK
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def network_add(cni_type: str, config: NetworkConfig, attachment: Attachment) -> Result | None:
    """Attach a container to a network, or adjust its attachment (CNI ``ADD``).

    Called by the runtime layer when a pod sandbox joins a network: once per
    plugin of the network's configuration list, in list order, after the
    sandbox's network namespace exists. Also called by a plugin that
    delegates to its IPAM plugin.

    Either create the interface ``attachment.ifname`` inside
    ``attachment.netns`` (an "interface" plugin such as ``bridge``), or adjust
    that interface, created by an earlier plugin (a "chained" plugin such as
    ``portmap`` or ``tuning``). Parse and check all of ``config`` before
    changing anything, and undo what you did if a later step fails.

    Chaining: when ``config.prev_result`` is set, the plugin "MUST handle
    ``prevResult`` by either passing it through, or modifying it
    appropriately": return it with your changes included
    (``attrs.evolve(config.prev_result, ...)``), or unchanged if none of
    your changes shows in a result.

    :param cni_type: the CNI ``type`` the call is addressed to. Answer only
        for your own type(s): declare them with ``@podkit.answers_for("bridge")``
        and the plugin manager routes only matching calls to you; otherwise
        return ``None`` for other types.
    :param config: this plugin's request configuration: the network's
        ``name``, the plugin's settings (typed fields, and ``raw`` for the
        plugin's own keys), the capability arguments in ``runtime_config``,
        and ``prev_result``.
    :param attachment: the container ID, network namespace path and interface
        name (all set for ``ADD``), and ``CNI_ARGS``.
    :returns: a :class:`~podkit.models.network.Result` listing every
        interface (host-side ones included), address and route the attachment
        created, and its DNS settings. First non-None result wins; return
        ``None`` for calls addressed to another plugin.
    :raises podkit.errors.InvalidArgumentError: ``config`` is invalid (CNI
        code 7).
    :raises podkit.errors.UnimplementedError: ``config`` holds a field or
        value the plugin does not support; the message names the key and the
        value (code 2).
    :raises podkit.errors.AlreadyExistsError: an interface named
        ``attachment.ifname`` exists in the container already; the SPEC says
        the plugin "MUST return with an error".
    :raises podkit.errors.UnavailableError: a transient condition, such as a
        daemon not yet up; the runtime tries again later (code 11).

    Idempotency: none. "A runtime should not call ``ADD`` twice (without an
    intervening DEL) for the same ``(CNI_CONTAINERID, CNI_IFNAME)`` tuple."
    The runtime calls ``DEL`` after an ``ADD`` that failed too: "A *delete*
    must still be executed even if the *add* fails."

    Mirrors: CNI SPEC 1.1, section 2 "``ADD``: Add container to network, or
    apply modifications"; section 3 "Adding an attachment"; section 5 "ADD
    Success".

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def network_del(
    cni_type: str, config: NetworkConfig, attachment: Attachment
) -> Literal[True] | None:
    """Detach a container from a network, or undo adjustments (CNI ``DEL``).

    Called by the runtime layer when a pod sandbox leaves a network, and
    after an ``ADD`` that failed: once per plugin of the network's
    configuration list, in reverse order. Also called by a plugin that
    delegates to its IPAM plugin.

    Delete the interface ``attachment.ifname`` inside ``attachment.netns``,
    or undo the modifications your ``ADD`` made; release what the attachment
    holds (addresses, firewall rules, host-side interfaces). Clean up even
    when the network namespace or the interface is already gone; for
    instance, still have your IPAM delegate release the address.

    :param cni_type: the CNI ``type`` the call is addressed to. Answer only
        for your own type(s): declare them with ``@podkit.answers_for("bridge")``
        and the plugin manager routes only matching calls to you; otherwise
        return ``None`` for other types.
    :param config: the request configuration, as for ``ADD``;
        ``prev_result`` is the final result of the attachment's ``ADD``, or
        ``None`` when it is not known (for instance, the ``ADD`` failed).
    :param attachment: the attachment's parameters, as on its ``ADD``;
        ``netns`` may be empty when the namespace is gone.
    :returns: ``True`` once nothing of the attachment is left. First non-None
        result wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.InvalidArgumentError: ``config`` is invalid (CNI
        code 7).
    :raises podkit.errors.UnavailableError: something could not be released
        now, e.g. a daemon the plugin needs is down; the runtime tries again
        later (code 11). Never raise for resources that are missing.

    Idempotency: "Plugins should generally complete a ``DEL`` action without
    error even if some resources are missing." "Plugins MUST accept multiple
    ``DEL`` calls for the same (``CNI_CONTAINERID``, ``CNI_IFNAME``) pair, and
    return success if the interface in question, or any modifications added,
    are missing."

    Mirrors: CNI SPEC 1.1, section 2 "``DEL``: Remove container from network,
    or un-apply modifications"; section 3 "Deleting an attachment".

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def network_check(
    cni_type: str, config: NetworkConfig, attachment: Attachment
) -> Literal[True] | None:
    """Check that a container's attachment is as ``ADD`` left it (CNI ``CHECK``).

    Called by the runtime layer to probe an attachment, at any time between a
    successful ``ADD`` and the ``DEL``: once per plugin of the network's
    configuration list, in list order, unless the list sets
    ``disable_check``. Also called by a plugin that delegates to its IPAM
    plugin.

    Consult ``config.prev_result`` for the interfaces and addresses to
    expect, and fail if a resource you created and that it lists
    (interface, address or route) is missing or in an invalid state, or if a
    resource a result does not track (firewall rules, traffic shaping, IP
    reservations, a daemon needed for connectivity) is; also fail if you know
    the container to be unreachable. Allow a later chained plugin to have
    modified what you created (e.g. routes), allow a reasonable convergence
    delay when called right after ``ADD``, and check your delegates, passing
    their errors on.

    :param cni_type: the CNI ``type`` the call is addressed to. Answer only
        for your own type(s): declare them with ``@podkit.answers_for("bridge")``
        and the plugin manager routes only matching calls to you; otherwise
        return ``None`` for other types.
    :param config: the request configuration, as for ``ADD``;
        ``prev_result`` is the final result of the attachment's ``ADD``.
    :param attachment: the attachment's parameters, the same as on its
        ``ADD``.
    :returns: ``True`` when the attachment is as expected. First non-None
        result wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.FailedPreconditionError: the attachment is not as
        expected; the runtime "may assume that a failed ``CHECK`` means the
        container is permanently in a misconfigured state".
    :raises podkit.errors.InvalidArgumentError: ``config`` is invalid (CNI
        code 7).

    Idempotency: ``CHECK`` changes nothing; "``CHECK`` is a way for a
    runtime to probe the status of an existing container."

    Mirrors: CNI SPEC 1.1, section 2 "``CHECK``: Check container's
    networking is as expected"; section 3 "Checking an attachment".

    .. versionadded:: 0.1
    """


# --------------------------------------------------------------------------
# Network operations: STATUS, GC
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def network_status(cni_type: str, config: NetworkConfig) -> Literal[True] | None:
    """Tell whether the plugin can serve ``ADD`` requests (CNI ``STATUS``).

    Called by the runtime layer to learn whether a network is ready (what a
    CRI runtime reports as the ``NetworkReady`` condition): once per plugin
    of the network's configuration list, for lists of SPEC 1.1.0 or later.
    ``config`` has no ``runtime_config`` and no ``prev_result``, and there is
    no attachment.

    Fail if you know you cannot serve ``ADD``: a daemon or service you rely
    on is unavailable, or a limited resource (addresses, hardware queues) is
    exhausted. If you delegate ``ADD`` work (e.g. to an IPAM plugin), ask
    your delegate too, and fail if it fails. "A plugin MUST NOT rely on
    ``STATUS`` being called", and should expect other operations "even if
    ``STATUS`` returns an error".

    :param cni_type: the CNI ``type`` the call is addressed to. Answer only
        for your own type(s): declare them with ``@podkit.answers_for("bridge")``
        and the plugin manager routes only matching calls to you; otherwise
        return ``None`` for other types.
    :param config: the request configuration, derived for ``STATUS``.
    :returns: ``True`` when the plugin is ready to serve ``ADD``. First
        non-None result wins; return ``None`` for calls addressed to another
        plugin.
    :raises podkit.errors.PluginNotAvailableError: the plugin cannot serve
        ``ADD`` now (CNI code 50, "The plugin is not available").
    :raises podkit.errors.LimitedConnectivityError: not available, "and
        existing containers in the network may have limited connectivity"
        (CNI code 51).
    :raises podkit.errors.UnavailableError: a transient condition; the wire
        answers 11 ("try again later").
    :raises podkit.errors.InvalidArgumentError: ``config`` is invalid (CNI
        code 7).

    Idempotency: ``STATUS`` changes nothing; it "is purely informational".

    Mirrors: CNI SPEC 1.1, section 2 "``STATUS``: Check plugin status".

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def network_gc(
    cni_type: str, config: NetworkConfig, valid_attachments: tuple[GCAttachment, ...]
) -> Literal[True] | None:
    """Release what attachments no longer in use hold (CNI ``GC``).

    Called by the runtime layer to clean up a network: once per plugin of the
    network's configuration list, for lists of SPEC 1.1.0 or later that do
    not set ``disable_gc``, after the runtime has run ``DEL`` for the stale
    attachments it knows of. No ``ADD`` or ``DEL`` runs while ``GC`` does.
    ``config`` has no ``runtime_config`` and no ``prev_result``.

    Remove every resource tied to an attachment that is not in
    ``valid_attachments``: IPAM reservations, firewall rules, and so on. You
    may assume that the isolation domains of those attachments, and the
    interfaces in them, are gone. On an error, carry on removing what you
    can, then report the errors. Forward the call to your delegates (e.g.
    your IPAM plugin).

    :param cni_type: the CNI ``type`` the call is addressed to. Answer only
        for your own type(s): declare them with ``@podkit.answers_for("bridge")``
        and the plugin manager routes only matching calls to you; otherwise
        return ``None`` for other types.
    :param config: the request configuration, derived for ``GC``.
    :param valid_attachments: the attachments still in use on this network
        (``cni.dev/valid-attachments``), each a container ID and interface
        name as given on its ``ADD``; keep everything they hold.
    :returns: ``True`` once stale resources are released. First non-None
        result wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.PodkitError: some resources could not be released
        (after trying all of them): one error, whose ``details`` list each
        failure; ``UnavailableError`` if trying again later may help.
    :raises podkit.errors.InvalidArgumentError: ``config`` is invalid (CNI
        code 7).

    Idempotency: a second ``GC`` with the same valid attachments finds
    nothing more to release. "Plugins should generally complete a ``GC``
    action without error." "The runtime MUST NOT use GC as a substitute for
    DEL."

    Mirrors: CNI SPEC 1.1, section 2 "``GC``: Clean up any stale
    resources"; section 3 "Garbage-collecting a network".

    .. versionadded:: 0.1
    """


# --------------------------------------------------------------------------
# Plugin information: VERSION
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def network_version(cni_type: str) -> VersionResult | None:
    """Report the SPEC versions the plugin supports (CNI ``VERSION``).

    Called by the CNI wire adapter for the ``VERSION`` command, and by the
    runtime layer when it picks the version to use with a plugin.

    Plugins written against :mod:`podkit.models.network` support every SPEC
    version, since the wire translates: return ``VersionResult()``, whose
    defaults say so. A plugin that drives an upstream CNI binary returns the
    versions the binary reports.

    :param cni_type: the CNI ``type`` the call is addressed to. Answer only
        for your own type(s): declare them with ``@podkit.answers_for("bridge")``
        and the plugin manager routes only matching calls to you; otherwise
        return ``None`` for other types.
    :returns: a :class:`~podkit.models.network.VersionResult`; the wire
        answers with the ``cniVersion`` of the request. First non-None result
        wins; return ``None`` for calls addressed to another plugin.

    Idempotency: ``VERSION`` changes nothing.

    Mirrors: CNI SPEC 1.1, section 2 "``VERSION``: probe plugin version
    support"; section 5 "VERSION Success".

    .. versionadded:: 0.1
    """


__all__ = [
    "network_add",
    "network_check",
    "network_del",
    "network_gc",
    "network_status",
    "network_version",
]
