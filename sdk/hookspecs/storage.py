"""The storage contract: CSI spec v1.12 (``csi.v1``) as pluggy hooks.

This module is the storage plugin author's manual. Each hook mirrors one RPC of
the Container Storage Interface, named ``storage_<rpc_in_snake_case>``, with the
request's fields as arguments and the response as an attrs model of
:mod:`podkit.models.storage`. Every volume a pod mounts goes through these hooks,
podkit's own hostPath, emptyDir, Secret and ConfigMap volumes included; the CSI
wire adapters put the same hooks behind a real CSI endpoint (so a kubelet or
csi-sanity can call a podkit plugin) and make any CSI driver a podkit plugin.

Services
--------
Hooks are grouped as the spec groups RPCs:

- **Identity** (every plugin): :func:`storage_get_plugin_info`,
  :func:`storage_get_plugin_capabilities`, :func:`storage_probe`.
- **Controller** (cluster-wide volume management, optional): called only for a
  driver that advertises :attr:`~podkit.models.storage.PluginService.CONTROLLER_SERVICE`,
  and each optional RPC only when :func:`storage_controller_get_capabilities`
  lists its :class:`~podkit.models.storage.ControllerServiceCapability`.
- **Node** (on the node that runs the workload, every plugin): each optional
  RPC only when :func:`storage_node_get_capabilities` lists its
  :class:`~podkit.models.storage.NodeServiceCapability`.

A hook whose capability a driver does not advertise is never called for it. A
plugin that implements such a hook for several drivers raises
:class:`~podkit.errors.UnimplementedError` for the drivers that lack it (the
spec's "Call not implemented": "The invoked RPC is not implemented by the Plugin
or disabled in the Plugin's current mode of operation").

A volume goes through the calls in this order; the caller skips a step whose
capability is not advertised (``PUBLISH_UNPUBLISH_VOLUME`` for the controller
pair, ``STAGE_UNSTAGE_VOLUME`` for the stage pair)::

    (none)  --CreateVolume----------------->  CREATED    (controller)
    CREATED --ControllerPublishVolume------>  NODE_READY (controller, for a node)
    NODE_READY --NodeStageVolume----------->  VOL_READY  (node, once per volume)
    VOL_READY --NodePublishVolume---------->  PUBLISHED  (node, once per target path)
    and back: NodeUnpublishVolume, NodeUnstageVolume,
              ControllerUnpublishVolume, DeleteVolume.

Addressing
----------
Several storage plugins live side by side. Every hook takes first the name of
the CSI driver the call is addressed to, ``driver`` (the name the plugin reports
in :attr:`~podkit.models.storage.PluginInfo.name`, e.g. ``hostpath.csi.k8s.io``).
Declare your driver names with ``@podkit.answers_for("hostpath.csi.k8s.io")``
and the plugin manager routes only matching calls to you; a plugin that decides
per call returns ``None`` for other drivers. Every hook is ``firstresult``: the
first non-``None`` result wins.

Results
-------
A hook returns a model, a tuple of enum members for capability lists, the one
value of a one-field response, or ``True`` ("done") for RPCs whose response is
empty, because ``None`` means "declined: addressed to another plugin".

Arguments follow the models' rules: an unset optional message is ``None``, an
unset string ``""``, an unset list ``()``, an unset map an empty mapping. Maps
are read-only; ``secrets`` are :class:`~podkit.models.storage.Secrets`, whose
``repr`` shows only key names: never log their values. Paths are absolute paths
on the host, in the mount namespace of the process that calls the hook.

Errors
------
Raise :mod:`podkit.errors` classes; the CSI adapter answers with their gRPC
codes. Every hook may raise these, from the spec's "Error Scheme":

- :class:`~podkit.errors.InvalidArgumentError` (``INVALID_ARGUMENT``): a required
  argument is empty ("Missing required field"), or an argument is invalid or
  unsupported, e.g. an unknown key in ``parameters``;
- :class:`~podkit.errors.PermissionDeniedError` (``PERMISSION_DENIED``): the
  identity derived from ``secrets`` may not do this;
- :class:`~podkit.errors.AbortedError` (``ABORTED``): "there is already an
  operation pending for the specified volume" -- the caller retries later;
- :class:`~podkit.errors.UnimplementedError` (``UNIMPLEMENTED``): the driver does
  not advertise the capability the hook needs.

Each hook lists the further errors its RPC's table in the spec prescribes. Any
other failure raises a :class:`~podkit.errors.PodkitError` subclass that fits,
such as :class:`~podkit.errors.InternalError` or
:class:`~podkit.errors.UnavailableError`.

Idempotency
-----------
The caller retries any call that timed out or failed, with the same arguments,
and "Idempotency requirements ensure that a retried call with the same fields
continues where it left off when retried" (spec, "Timeouts"). Each hook quotes
its rule; the conformance suite checks them.

.. versionadded:: 0.1
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit._markers import hookspec

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Literal

    from podkit.models.storage import (
        CapacityRange,
        ControllerExpandVolumeResult,
        ControllerGetVolumeResult,
        ControllerServiceCapability,
        GetCapacityResult,
        ListSnapshotsResult,
        ListVolumesResult,
        NodeGetInfoResult,
        NodeGetVolumeStatsResult,
        NodeServiceCapability,
        PluginCapability,
        PluginInfo,
        ProbeResult,
        Snapshot,
        Topology,
        TopologyRequirement,
        ValidateVolumeCapabilitiesResult,
        Volume,
        VolumeCapability,
        VolumeContentSource,
    )

# -------------------------------------------------------------------------
# Identity service
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def storage_get_plugin_info(driver: str) -> PluginInfo | None:
    """Report the plugin's name and version (CSI ``GetPluginInfo``).

    Called when a caller discovers the driver (a kubelet registering it, the
    conformance suite starting) and whenever it wants the name or version.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :returns: a :class:`~podkit.models.storage.PluginInfo` whose ``name`` is
        ``driver``; ``vendor_version`` is your version string. First non-None
        result wins; return ``None`` for calls addressed to another driver.
    :raises podkit.errors.PodkitError: a subclass that fits, when the plugin
        cannot answer ("If the plugin is unable to complete the GetPluginInfo
        call successfully, it MUST return a non-ok gRPC code").

    Idempotency: a query; it changes nothing.

    Mirrors: CSI spec v1.12.0, Identity service, ``GetPluginInfo``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_get_plugin_capabilities(driver: str) -> tuple[PluginCapability, ...] | None:
    """Report the capabilities of the plugin as a whole (CSI ``GetPluginCapabilities``).

    Called after :func:`storage_get_plugin_info`, to learn which services to
    call: without :attr:`~podkit.models.storage.PluginService.CONTROLLER_SERVICE`
    no Controller hook is called for the driver.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :returns: the :class:`~podkit.models.storage.PluginService` and
        :class:`~podkit.models.storage.VolumeExpansion` members that apply; an
        empty tuple for a node-only plugin. Advertise
        ``VOLUME_ACCESSIBILITY_CONSTRAINTS`` when you report topology, a
        ``VolumeExpansion`` kind when you expand volumes, and not
        ``GROUP_CONTROLLER_SERVICE``: podkit has no hooks for that service yet.
        First non-None result wins; return ``None`` for calls addressed to
        another driver.
    :raises podkit.errors.PodkitError: a subclass that fits, when the plugin
        cannot answer.

    The answer is fixed: "All instances of the same version (see
    ``vendor_version`` of ``GetPluginInfoResponse``) of the Plugin SHALL return
    the same set of capabilities, regardless of both: (a) where instances are
    deployed on the cluster as well as; (b) which RPCs an instance is serving."

    Idempotency: a query; it changes nothing.

    Mirrors: CSI spec v1.12.0, Identity service, ``GetPluginCapabilities``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_probe(driver: str) -> ProbeResult | None:
    """Report whether the plugin is healthy and ready (CSI ``Probe``).

    Called at any time and repeatedly, e.g. by a liveness probe; keep it cheap.
    Check what the plugin needs to work (configuration, devices, tools).

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :returns: ``ProbeResult(ready=False)`` while healthy but still initialising
        ("Calls to the plugin's Controller and/or Node services MAY fail due to
        an incomplete initialization state"); ``ProbeResult(ready=True)`` or
        ``ProbeResult()`` once ready. First non-None result wins; return
        ``None`` for calls addressed to another driver.
    :raises podkit.errors.FailedPreconditionError: "Plugin not healthy" or
        "Missing required dependency"; the caller may restart the plugin.

    Idempotency: a query; it changes nothing.

    Mirrors: CSI spec v1.12.0, Identity service, ``Probe``.

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------
# Controller service
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def storage_create_volume(  # noqa: PLR0913, PLR0917 -- the fields of CreateVolumeRequest
    driver: str,
    name: str,
    capacity_range: CapacityRange | None,
    volume_capabilities: tuple[VolumeCapability, ...],
    parameters: Mapping[str, str],
    secrets: Mapping[str, str],
    volume_content_source: VolumeContentSource | None,
    accessibility_requirements: TopologyRequirement | None,
    mutable_parameters: Mapping[str, str],
) -> Volume | None:
    """Provision a new volume (CSI ``CreateVolume``).

    Called by the provisioner when a claim needs a new volume, to be consumed
    as a block device or a mounted filesystem.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param name: the caller's name for the volume, required; the key of
        idempotency, and a name you MAY use for the volume in your storage
        system. Do not return it as the volume id unless it is one.
    :param capacity_range: the size the volume must have; ``None`` lets you
        choose. "If specified it MUST always be honored, even when creating
        volumes from a source".
    :param volume_capabilities: required, non-empty: the volume must support
        every one of them, since the caller may use it with any.
    :param parameters: opaque creation parameters (a StorageClass's
        ``parameters``); parse and validate them.
    :param secrets: the secrets creation needs, if any.
    :param volume_content_source: pre-populate the volume from a
        :class:`~podkit.models.storage.SnapshotSource` (needs
        ``CREATE_DELETE_SNAPSHOT``) or a
        :class:`~podkit.models.storage.VolumeSource` (needs ``CLONE_VOLUME``);
        ``None`` for an empty volume. A volume larger than its source must
        present its full size and the source's data at ``NodePublishVolume``,
        or the call fails with ``OutOfRangeError``.
    :param accessibility_requirements: where the volume must (``requisite``)
        and should (``preferred``) be accessible from; only for plugins with
        ``VOLUME_ACCESSIBILITY_CONSTRAINTS``, and ``None`` lets you choose.
    :param mutable_parameters: creation parameters that ``ControllerModifyVolume``
        may change later; they take precedence over ``parameters``. Only for
        plugins with ``MODIFY_VOLUME``.
    :returns: the :class:`~podkit.models.storage.Volume`, with ``content_source``
        set when created from a source and ``accessible_topology`` when the
        plugin has ``VOLUME_ACCESSIBILITY_CONSTRAINTS``. First non-None result
        wins; return ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``name`` or
        ``volume_capabilities`` is empty, a parameter is invalid, or the volume
        cannot be created from the requested source ("Source incompatible or
        not supported").
    :raises podkit.errors.NotFoundError: the source snapshot or volume does not
        exist ("Source does not exist").
    :raises podkit.errors.AlreadyExistsError: a volume named ``name`` exists
        "but is incompatible with the specified ``capacity_range``,
        ``volume_capabilities``, ``parameters``, ``accessibility_requirements``
        or ``volume_content_source``".
    :raises podkit.errors.ResourceExhaustedError: the volume cannot be
        provisioned within ``accessibility_requirements`` (e.g. a quota).
    :raises podkit.errors.OutOfRangeError: ``capacity_range`` is not supported,
        e.g. smaller than the source snapshot.
    :raises podkit.errors.AbortedError: an operation is pending for this volume.
    :raises podkit.errors.UnimplementedError: the driver lacks
        ``CREATE_DELETE_VOLUME``.

    Idempotency: "This operation MUST be idempotent. If a volume corresponding
    to the specified volume ``name`` already exists, is accessible from
    ``accessibility_requirements``, and is compatible with the specified
    ``capacity_range``, ``volume_capabilities``, ``parameters`` and
    ``mutable_parameters`` in the ``CreateVolumeRequest``, the Plugin MUST reply
    ``0 OK`` with the corresponding ``CreateVolumeResponse``": return the same
    volume, and never provision two volumes for one name.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``CREATE_DELETE_VOLUME``.

    Mirrors: CSI spec v1.12.0, Controller service, ``CreateVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_delete_volume(
    driver: str, volume_id: str, secrets: Mapping[str, str]
) -> Literal[True] | None:
    """Deprovision a volume (CSI ``DeleteVolume``).

    Called when the caller no longer needs a volume it created (a released
    claim with the ``Delete`` reclaim policy). Treat a volume's snapshots as
    independent of it: they stay usable, and listed, after it is gone.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume, as :func:`storage_create_volume` returned it;
        required.
    :param secrets: the secrets deletion needs, if any.
    :returns: ``True`` once the volume is gone. First non-None result wins;
        return ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` is empty.
    :raises podkit.errors.FailedPreconditionError: the volume is in use, or has
        snapshots that cannot outlive it; then "the volume MUST NOT be altered
        in any way by the request".
    :raises podkit.errors.AbortedError: an operation is pending for the volume.
    :raises podkit.errors.UnimplementedError: the driver lacks
        ``CREATE_DELETE_VOLUME``.

    Idempotency: "This operation MUST be idempotent. If a volume corresponding
    to the specified ``volume_id`` does not exist or the artifacts associated
    with the volume do not exist anymore, the Plugin MUST reply ``0 OK``":
    return ``True`` for an unknown volume.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``CREATE_DELETE_VOLUME``.

    Mirrors: CSI spec v1.12.0, Controller service, ``DeleteVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_controller_publish_volume(  # noqa: PLR0913, PLR0917 -- the fields of the request
    driver: str,
    volume_id: str,
    node_id: str,
    volume_capability: VolumeCapability,
    readonly: bool,  # noqa: FBT001 -- pluggy passes every argument by name
    secrets: Mapping[str, str],
    volume_context: Mapping[str, str],
) -> Mapping[str, str] | None:
    """Make a volume available on a node, e.g. attach it (CSI ``ControllerPublishVolume``).

    Called before a workload that uses the volume starts on the node. Do not
    assume the call runs on that node.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param node_id: the node, as :func:`storage_node_get_info` reported it;
        required.
    :param volume_capability: how the volume will be used there; fail if it
        cannot be.
    :param readonly: publish read-only; ``False`` unless the driver advertises
        ``PUBLISH_READONLY``.
    :param secrets: the secrets publishing needs, if any.
    :param volume_context: the volume's
        :attr:`~podkit.models.storage.Volume.volume_context`, if any.
    :returns: the ``publish_context``: opaque, immutable, non-secret values the
        caller passes on to :func:`storage_node_stage_volume` and
        :func:`storage_node_publish_volume` (e.g. a device path); an empty
        mapping when there are none. First non-None result wins; return
        ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or ``node_id`` is
        empty, or ``volume_capability`` is not supported.
    :raises podkit.errors.NotFoundError: the volume or the node does not exist.
    :raises podkit.errors.AlreadyExistsError: the volume is published at the
        node but "is incompatible with the specified ``volume_capability`` or
        ``readonly`` flag".
    :raises podkit.errors.FailedPreconditionError: the volume is published at
        another node and has no ``MULTI_NODE`` access mode; name that node in
        the message.
    :raises podkit.errors.ResourceExhaustedError: the node has the maximum
        number of volumes attached.
    :raises podkit.errors.AbortedError: an operation is pending for the volume.
    :raises podkit.errors.UnimplementedError: the driver lacks
        ``PUBLISH_UNPUBLISH_VOLUME``.

    Idempotency: "This operation MUST be idempotent. If the volume
    corresponding to the ``volume_id`` has already been published at the node
    corresponding to the ``node_id``, and is compatible with the specified
    ``volume_capability`` and ``readonly`` flag, the Plugin MUST reply ``0
    OK``": return the same ``publish_context``.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``PUBLISH_UNPUBLISH_VOLUME``.

    Mirrors: CSI spec v1.12.0, Controller service, ``ControllerPublishVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_controller_unpublish_volume(
    driver: str, volume_id: str, node_id: str, secrets: Mapping[str, str]
) -> Literal[True] | None:
    """Make a volume unavailable on a node, e.g. detach (CSI ``ControllerUnpublishVolume``).

    Called after every ``NodeUnstageVolume`` and ``NodeUnpublishVolume`` of the
    volume on the node succeeded, so that another node may use it. Do not
    assume the call runs on that node.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param node_id: the node to unpublish from; ``""`` means from every node
        the volume is published to.
    :param secrets: the secrets unpublishing needs, if any (normally those given
        to :func:`storage_controller_publish_volume`).
    :returns: ``True`` once the volume is not published at the node. First
        non-None result wins; return ``None`` for calls addressed to another
        driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` is empty.
    :raises podkit.errors.NotFoundError: the volume or the node does not exist
        and the volume cannot be regarded as unpublished from the node.
    :raises podkit.errors.AbortedError: an operation is pending for the volume.
    :raises podkit.errors.UnimplementedError: the driver lacks
        ``PUBLISH_UNPUBLISH_VOLUME``.

    Idempotency: "This operation MUST be idempotent. If the volume
    corresponding to the ``volume_id`` is not attached to the node
    corresponding to the ``node_id``, the Plugin MUST reply ``0 OK``. If the
    volume corresponding to the ``volume_id`` or the node corresponding to
    ``node_id`` cannot be found by the Plugin and the volume can be safely
    regarded as ControllerUnpublished from the node, the plugin SHOULD return
    ``0 OK``."

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``PUBLISH_UNPUBLISH_VOLUME``.

    Mirrors: CSI spec v1.12.0, Controller service, ``ControllerUnpublishVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_validate_volume_capabilities(  # noqa: PLR0913, PLR0917 -- the fields of the request
    driver: str,
    volume_id: str,
    volume_context: Mapping[str, str],
    volume_capabilities: tuple[VolumeCapability, ...],
    parameters: Mapping[str, str],
    secrets: Mapping[str, str],
    mutable_parameters: Mapping[str, str],
) -> ValidateVolumeCapabilitiesResult | None:
    """Check what an existing volume supports (CSI ``ValidateVolumeCapabilities``).

    Called for a pre-provisioned volume (a PersistentVolume created by hand),
    before the caller uses it as requested.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param volume_context: the volume's
        :attr:`~podkit.models.storage.Volume.volume_context`, if any.
    :param volume_capabilities: the capabilities to check; required, non-empty.
    :param parameters: creation parameters to check, as in
        :func:`storage_create_volume`.
    :param secrets: the secrets validation needs, if any.
    :param mutable_parameters: mutable creation parameters to check.
    :returns: a :class:`~podkit.models.storage.ValidateVolumeCapabilitiesResult`
        with ``confirmed`` echoing what you validated when "all the volume
        capabilities specified in the request are supported", or with
        ``confirmed=None`` and a ``message`` saying why not. An unsupported
        capability is an answer, not an error. First non-None result wins;
        return ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or
        ``volume_capabilities`` is empty.
    :raises podkit.errors.NotFoundError: the volume does not exist.

    Idempotency: "This operation MUST be idempotent"; it changes nothing.

    Called only when the driver advertises ``CONTROLLER_SERVICE``; every such
    driver implements it.

    Mirrors: CSI spec v1.12.0, Controller service, ``ValidateVolumeCapabilities``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_list_volumes(
    driver: str, max_entries: int, starting_token: str
) -> ListVolumesResult | None:
    """List the volumes the plugin knows, a page at a time (CSI ``ListVolumes``).

    Called to reconcile: e.g. to find a volume whose ``CreateVolume`` timed out,
    or to learn where volumes are published.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param max_entries: return at most this many entries and set
        ``next_token`` if there are more; 0 means no limit.
    :param starting_token: the ``next_token`` of the previous page; ``""`` for
        the first page.
    :returns: a :class:`~podkit.models.storage.ListVolumesResult`. Each entry's
        ``status`` is required with ``LIST_VOLUMES_PUBLISHED_NODES``, and its
        ``volume_condition`` with ``VOLUME_CONDITION``. Pages need not be a
        consistent view: a volume created or deleted meanwhile may be missed or
        listed twice. First non-None result wins; return ``None`` for calls
        addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``max_entries`` is negative.
    :raises podkit.errors.AbortedError: ``starting_token`` is not valid; the
        caller starts again from the first page.
    :raises podkit.errors.UnimplementedError: the driver lacks ``LIST_VOLUMES``.

    Idempotency: a query; it changes nothing.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``LIST_VOLUMES``.

    Mirrors: CSI spec v1.12.0, Controller service, ``ListVolumes``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_controller_get_volume(driver: str, volume_id: str) -> ControllerGetVolumeResult | None:
    """Report one volume and its status (CSI ``ControllerGetVolume``, alpha upstream).

    Called to follow a volume after it was provisioned, e.g. its condition.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :returns: a :class:`~podkit.models.storage.ControllerGetVolumeResult`; the
        status carries ``published_node_ids`` with
        ``LIST_VOLUMES_PUBLISHED_NODES`` and a non-empty ``volume_condition``
        with ``VOLUME_CONDITION``. First non-None result wins; return ``None``
        for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` is empty.
    :raises podkit.errors.NotFoundError: the volume does not exist (any more).
    :raises podkit.errors.UnimplementedError: the driver lacks ``GET_VOLUME``.

    Idempotency: a query; it changes nothing.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``GET_VOLUME``.

    Mirrors: CSI spec v1.12.0, Controller service, ``ControllerGetVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_controller_modify_volume(
    driver: str, volume_id: str, secrets: Mapping[str, str], mutable_parameters: Mapping[str, str]
) -> Literal[True] | None:
    """Change a volume's mutable parameters (CSI ``ControllerModifyVolume``).

    Called when the user changes a volume's attributes class (e.g. its IOPS).

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param secrets: the secrets modification needs, if any.
    :param mutable_parameters: the parameters to change, required. "SPs MUST
        NOT modify volumes based on the absence of keys, only keys that are
        specified should result in modifications to the volume."
    :returns: ``True`` once the volume has the parameters. First non-None
        result wins; return ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or
        ``mutable_parameters`` is empty, or a key or value is not supported
        for the volume; then "The SP MUST NOT have applied any modification to
        the volume as part of this specific call."
    :raises podkit.errors.NotFoundError: the volume does not exist.
    :raises podkit.errors.AbortedError: an operation is pending for the volume.
    :raises podkit.errors.UnimplementedError: the driver lacks ``MODIFY_VOLUME``.

    Idempotency: "This operation MUST be idempotent."

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``MODIFY_VOLUME``.

    Mirrors: CSI spec v1.12.0, Controller service, ``ControllerModifyVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_get_capacity(
    driver: str,
    volume_capabilities: tuple[VolumeCapability, ...],
    parameters: Mapping[str, str],
    accessible_topology: Topology | None,
) -> GetCapacityResult | None:
    """Report the storage left to provision volumes from (CSI ``GetCapacity``).

    Called by the scheduler side to place volumes where there is room (storage
    capacity tracking).

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_capabilities: count only storage for volumes with all of
        these; ``()`` for any.
    :param parameters: count only storage for volumes with these creation
        parameters; empty for any.
    :param accessible_topology: count only storage accessible from there;
        ``None`` for anywhere. Only for plugins with
        ``VOLUME_ACCESSIBILITY_CONSTRAINTS``.
    :returns: a :class:`~podkit.models.storage.GetCapacityResult`, with
        ``maximum_volume_size``/``minimum_volume_size`` when individual volumes
        have such limits. First non-None result wins; return ``None`` for calls
        addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: a filter is invalid.
    :raises podkit.errors.UnimplementedError: the driver lacks ``GET_CAPACITY``.

    Idempotency: a query; it changes nothing.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``GET_CAPACITY``.

    Mirrors: CSI spec v1.12.0, Controller service, ``GetCapacity``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_controller_get_capabilities(
    driver: str,
) -> tuple[ControllerServiceCapability, ...] | None:
    """Report what the Controller service supports (CSI ``ControllerGetCapabilities``).

    Called before any other Controller hook, to learn which ones to call.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :returns: the :class:`~podkit.models.storage.ControllerServiceCapability`
        members that apply; each one obliges you to implement its hooks.
        First non-None result wins; return ``None`` for calls addressed to
        another driver.
    :raises podkit.errors.PodkitError: a subclass that fits, when the plugin
        cannot answer.

    Idempotency: a query; it changes nothing.

    Called only when the driver advertises ``CONTROLLER_SERVICE``; every such
    driver implements it.

    Mirrors: CSI spec v1.12.0, Controller service, ``ControllerGetCapabilities``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_create_snapshot(
    driver: str,
    source_volume_id: str,
    name: str,
    secrets: Mapping[str, str],
    parameters: Mapping[str, str],
) -> Snapshot | None:
    """Cut a snapshot of a volume (CSI ``CreateSnapshot``).

    Called when a user asks for a snapshot (a VolumeSnapshot), possibly while
    the workload is frozen. Block until the snapshot is cut, not until any
    post-processing (e.g. an upload) ends: return it with
    ``ready_to_use=False`` until then, and the caller calls again until it is
    ``True``.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param source_volume_id: the volume to snapshot; required.
    :param name: the caller's name for the snapshot, required; the key of
        idempotency.
    :param secrets: the secrets snapshotting needs, if any.
    :param parameters: opaque snapshot parameters (a VolumeSnapshotClass's);
        parse and validate them.
    :returns: the :class:`~podkit.models.storage.Snapshot`. First non-None
        result wins; return ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``source_volume_id`` or
        ``name`` is empty, or a parameter is invalid.
    :raises podkit.errors.AlreadyExistsError: a snapshot named ``name`` exists
        but was cut from another volume.
    :raises podkit.errors.AbortedError: an operation is pending for this
        snapshot.
    :raises podkit.errors.ResourceExhaustedError: there is not enough space to
        cut the snapshot.
    :raises podkit.errors.UnimplementedError: the driver lacks
        ``CREATE_DELETE_SNAPSHOT``.

    Any failure while cutting or processing raises: "A gRPC error code SHALL
    be returned if an error occurs during any stage of the snapshotting
    process."

    Idempotency: "This operation MUST be idempotent. If a snapshot
    corresponding to the specified snapshot ``name`` is successfully cut and
    ready to use (meaning it MAY be specified as a ``volume_content_source`` in
    a ``CreateVolumeRequest``), the Plugin MUST reply ``0 OK`` with the
    corresponding ``CreateSnapshotResponse``": return the same snapshot, with
    ``ready_to_use`` current.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``CREATE_DELETE_SNAPSHOT``.

    Mirrors: CSI spec v1.12.0, Controller service, ``CreateSnapshot``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_delete_snapshot(
    driver: str, snapshot_id: str, secrets: Mapping[str, str]
) -> Literal[True] | None:
    """Delete a snapshot (CSI ``DeleteSnapshot``).

    Called when the caller no longer needs a snapshot it created. A snapshot
    with a ``group_snapshot_id`` is deleted with its group, never alone.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param snapshot_id: the snapshot; required.
    :param secrets: the secrets deletion needs, if any.
    :returns: ``True`` once the snapshot is gone. First non-None result wins;
        return ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``snapshot_id`` is empty, or
        the snapshot is part of a group snapshot and "CAN NOT be deleted stand
        alone".
    :raises podkit.errors.FailedPreconditionError: the snapshot is in use.
    :raises podkit.errors.AbortedError: an operation is pending for the
        snapshot.
    :raises podkit.errors.UnimplementedError: the driver lacks
        ``CREATE_DELETE_SNAPSHOT``.

    Idempotency: "This operation MUST be idempotent. If a snapshot
    corresponding to the specified ``snapshot_id`` does not exist or the
    artifacts associated with the snapshot do not exist anymore, the Plugin
    MUST reply ``0 OK``": return ``True`` for an unknown snapshot.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``CREATE_DELETE_SNAPSHOT``.

    Mirrors: CSI spec v1.12.0, Controller service, ``DeleteSnapshot``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_list_snapshots(  # noqa: PLR0913, PLR0917 -- the fields of ListSnapshotsRequest
    driver: str,
    max_entries: int,
    starting_token: str,
    source_volume_id: str,
    snapshot_id: str,
    secrets: Mapping[str, str],
) -> ListSnapshotsResult | None:
    """List snapshots, a page at a time (CSI ``ListSnapshots``).

    Called to reconcile, e.g. to find a snapshot whose ``CreateSnapshot`` timed
    out. List every snapshot on the storage system, however it was created,
    but not one still being cut: "``ListSnapshots`` SHALL NOT list a snapshot
    that is being created but has not been cut successfully yet."

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param max_entries: return at most this many entries and set
        ``next_token`` if there are more; 0 means no limit.
    :param starting_token: the ``next_token`` of the previous page; ``""`` for
        the first page.
    :param source_volume_id: list only snapshots of this volume; ``""`` for all.
    :param snapshot_id: list only this snapshot; ``""`` for all. Do not block
        while it is being processed.
    :param secrets: the secrets listing needs, if any.
    :returns: a :class:`~podkit.models.storage.ListSnapshotsResult`; an empty
        one when a filter matches nothing. First non-None result wins; return
        ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``max_entries`` is negative.
    :raises podkit.errors.AbortedError: ``starting_token`` is not valid; the
        caller starts again from the first page.
    :raises podkit.errors.UnimplementedError: the driver lacks ``LIST_SNAPSHOTS``.

    Idempotency: a query; it changes nothing.

    Called only when the driver advertises ``CONTROLLER_SERVICE`` and
    ``LIST_SNAPSHOTS``.

    Mirrors: CSI spec v1.12.0, Controller service, ``ListSnapshots``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_controller_expand_volume(
    driver: str,
    volume_id: str,
    capacity_range: CapacityRange,
    secrets: Mapping[str, str],
    volume_capability: VolumeCapability | None,
) -> ControllerExpandVolumeResult | None:
    """Grow a volume in the storage system (CSI ``ControllerExpandVolume``).

    Called when the user asks for a larger volume. With only
    :attr:`~podkit.models.storage.VolumeExpansion.OFFLINE` expansion, the caller
    first unpublishes the volume from every node.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param capacity_range: the size the volume must have afterwards.
    :param secrets: the secrets expansion needs, if any.
    :param volume_capability: how the volume is used, as for
        :func:`storage_controller_publish_volume`; ``None`` when not given.
        E.g. a block volume may need no node expansion.
    :returns: a :class:`~podkit.models.storage.ControllerExpandVolumeResult`
        with the new capacity, and ``node_expansion_required=True`` when the
        caller must then call :func:`storage_node_expand_volume`. First
        non-None result wins; return ``None`` for calls addressed to another
        driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` is empty, or
        ``volume_capability`` is not supported by the volume.
    :raises podkit.errors.NotFoundError: the volume does not exist.
    :raises podkit.errors.FailedPreconditionError: the volume is published on
        a node and the plugin has no ``ONLINE`` expansion.
    :raises podkit.errors.OutOfRangeError: ``capacity_range`` is not supported.
    :raises podkit.errors.AbortedError: an operation is pending for the volume.
    :raises podkit.errors.UnimplementedError: the driver lacks ``EXPAND_VOLUME``.

    Idempotency: "This operation MUST be idempotent. If a volume corresponding
    to the specified volume ID is already larger than or equal to the target
    capacity of the expansion request, the plugin SHOULD reply 0 OK."

    Called only when the driver advertises ``CONTROLLER_SERVICE``, the
    controller capability ``EXPAND_VOLUME`` and a ``VolumeExpansion`` kind.

    Mirrors: CSI spec v1.12.0, Controller service, ``ControllerExpandVolume``.

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------
# Node service
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def storage_node_stage_volume(  # noqa: PLR0913, PLR0917 -- the fields of NodeStageVolumeRequest
    driver: str,
    volume_id: str,
    publish_context: Mapping[str, str],
    staging_target_path: str,
    volume_capability: VolumeCapability,
    secrets: Mapping[str, str],
    volume_context: Mapping[str, str],
) -> Literal[True] | None:
    """Prepare a volume on this node for its workloads (CSI ``NodeStageVolume``).

    Called on the node, once per volume, before the first
    :func:`storage_node_publish_volume` of the volume there (and after
    :func:`storage_controller_publish_volume`, if the driver has it): e.g.
    format a device and mount it at ``staging_target_path``, which each
    publish then bind-mounts.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param publish_context: what :func:`storage_controller_publish_volume`
        returned; empty without ``PUBLISH_UNPUBLISH_VOLUME``.
    :param staging_target_path: an existing directory, one per volume, where the
        volume may be staged; required.
    :param volume_capability: how the volume will be used; fail if it cannot be.
    :param secrets: the secrets staging needs, if any.
    :param volume_context: the volume's
        :attr:`~podkit.models.storage.Volume.volume_context`, if any.
    :returns: ``True`` once the volume is staged. First non-None result wins;
        return ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or
        ``staging_target_path`` is empty.
    :raises podkit.errors.NotFoundError: the volume does not exist.
    :raises podkit.errors.AlreadyExistsError: the volume is staged at
        ``staging_target_path`` with an incompatible ``volume_capability``.
    :raises podkit.errors.FailedPreconditionError: the volume does not support
        ``volume_capability`` ("Exceeds capabilities").
    :raises podkit.errors.AbortedError: an operation is pending for the volume.
    :raises podkit.errors.UnimplementedError: the driver lacks
        ``STAGE_UNSTAGE_VOLUME``.

    Idempotency: "This operation MUST be idempotent. If the volume
    corresponding to the ``volume_id`` is already staged to the
    ``staging_target_path``, and is identical to the specified
    ``volume_capability`` the Plugin MUST reply ``0 OK``."

    Called only when the driver advertises ``STAGE_UNSTAGE_VOLUME``.

    Mirrors: CSI spec v1.12.0, Node service, ``NodeStageVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_node_unstage_volume(
    driver: str, volume_id: str, staging_target_path: str
) -> Literal[True] | None:
    """Undo :func:`storage_node_stage_volume` (CSI ``NodeUnstageVolume``).

    Called on the node once per staged path, after every
    :func:`storage_node_unpublish_volume` of the volume there succeeded and
    before :func:`storage_controller_unpublish_volume`. "This RPC MUST undo the
    work by the corresponding ``NodeStageVolume``."

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param staging_target_path: where the volume was staged; required.
    :returns: ``True`` once the volume is not staged there. First non-None
        result wins; return ``None`` for calls addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or
        ``staging_target_path`` is empty.
    :raises podkit.errors.NotFoundError: the volume does not exist.
    :raises podkit.errors.AbortedError: an operation is pending for the volume.
    :raises podkit.errors.UnimplementedError: the driver lacks
        ``STAGE_UNSTAGE_VOLUME``.

    Idempotency: "This operation MUST be idempotent. If the volume
    corresponding to the ``volume_id`` is not staged to the
    ``staging_target_path``, the Plugin MUST reply ``0 OK``."

    Called only when the driver advertises ``STAGE_UNSTAGE_VOLUME``.

    Mirrors: CSI spec v1.12.0, Node service, ``NodeUnstageVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_node_publish_volume(  # noqa: PLR0913, PLR0917 -- the fields of NodePublishVolumeRequest
    driver: str,
    volume_id: str,
    publish_context: Mapping[str, str],
    staging_target_path: str,
    target_path: str,
    volume_capability: VolumeCapability,
    readonly: bool,  # noqa: FBT001 -- pluggy passes every argument by name
    secrets: Mapping[str, str],
    volume_context: Mapping[str, str],
) -> Literal[True] | None:
    """Make a volume available to a workload at a path (CSI ``NodePublishVolume``).

    Called on the node when a pod that uses the volume is placed there, once
    per pod and volume; ``target_path`` is what the runtime then mounts into
    the containers. podkit's Secret and ConfigMap volumes come this way too,
    their data in ``secrets`` and ``volume_context``.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param publish_context: what :func:`storage_controller_publish_volume`
        returned; empty without ``PUBLISH_UNPUBLISH_VOLUME``.
    :param staging_target_path: where :func:`storage_node_stage_volume` staged
        the volume; set whenever the driver has ``STAGE_UNSTAGE_VOLUME``,
        ``""`` otherwise.
    :param target_path: where to publish, required. Its parent exists; create
        the path itself: a mounted directory for a
        :class:`~podkit.models.storage.MountVolume`, the block device for a
        :class:`~podkit.models.storage.BlockVolume`.
    :param volume_capability: how the volume will be used; fail if it cannot be.
    :param readonly: publish read-only.
    :param secrets: the secrets publishing needs, if any.
    :param volume_context: the volume's
        :attr:`~podkit.models.storage.Volume.volume_context`, if any.
    :returns: ``True`` once the volume is available at ``target_path``. First
        non-None result wins; return ``None`` for calls addressed to another
        driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or
        ``target_path`` is empty.
    :raises podkit.errors.NotFoundError: the volume does not exist.
    :raises podkit.errors.AlreadyExistsError: the volume is published at
        ``target_path`` "but is incompatible with the specified
        ``volume_capability`` or ``readonly`` flag".
    :raises podkit.errors.FailedPreconditionError: the volume does not support
        ``volume_capability`` ("Exceeds capabilities"); or the driver has
        ``STAGE_UNSTAGE_VOLUME`` and ``staging_target_path`` is empty; or the
        volume is published at another path and its access mode allows only
        one (see below).
    :raises podkit.errors.AbortedError: an operation is pending for the volume.

    Idempotency: "This operation MUST be idempotent. If the volume
    corresponding to the ``volume_id`` has already been published at the
    specified ``target_path``, and is compatible with the specified
    ``volume_capability`` and ``readonly`` flag, the Plugin MUST reply ``0
    OK``." For a second publish of the volume on the node, the spec's tables
    say (arguments compared without ``secrets``):

    ========================== =========================== ===========================
    second call at             same arguments              other arguments
    ========================== =========================== ===========================
    the same ``target_path``   ``True``                    ``AlreadyExistsError``
    another path, shared mode  ``True``                    ``True``
    another path, other mode   ``FailedPreconditionError`` ``FailedPreconditionError``
    ========================== =========================== ===========================

    where a shared mode is ``MULTI_NODE_*`` or ``SINGLE_NODE_MULTI_WRITER``.

    Always called: every plugin implements the Node service.

    Mirrors: CSI spec v1.12.0, Node service, ``NodePublishVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_node_unpublish_volume(
    driver: str, volume_id: str, target_path: str
) -> Literal[True] | None:
    """Undo :func:`storage_node_publish_volume` (CSI ``NodeUnpublishVolume``).

    Called on the node when the pod is gone, at least once per published
    path. "This RPC MUST undo the work by the corresponding
    ``NodePublishVolume``": unmount, and "The SP MUST delete the file or
    directory it created at this path."

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param target_path: where the volume was published; required.
    :returns: ``True`` once nothing is published at ``target_path`` and the
        path is removed. First non-None result wins; return ``None`` for calls
        addressed to another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or
        ``target_path`` is empty.
    :raises podkit.errors.NotFoundError: the volume does not exist.
    :raises podkit.errors.AbortedError: an operation is pending for the volume.

    Idempotency: "This operation MUST be idempotent. If this RPC failed, or the
    CO does not know if it failed or not, it can choose to call
    ``NodeUnpublishVolume`` again": return ``True`` when nothing is published
    at ``target_path`` (any more), e.g. for a repeated call.

    Always called: every plugin implements the Node service.

    Mirrors: CSI spec v1.12.0, Node service, ``NodeUnpublishVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_node_get_volume_stats(
    driver: str, volume_id: str, volume_path: str, staging_target_path: str
) -> NodeGetVolumeStatsResult | None:
    """Report how full a staged or published volume is (CSI ``NodeGetVolumeStats``).

    Called periodically for metrics and volume health.

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param volume_path: a path where the volume is staged or published;
        required.
    :param staging_target_path: where the volume is staged, for drivers with
        ``STAGE_UNSTAGE_VOLUME``; ``""`` otherwise or when not given. It tells
        whether ``volume_path`` is the staged or a published path.
    :returns: a :class:`~podkit.models.storage.NodeGetVolumeStatsResult` with
        usage in bytes (and inodes, when known; block volumes may report
        ``total`` only), and a ``volume_condition`` with ``VOLUME_CONDITION``.
        First non-None result wins; return ``None`` for calls addressed to
        another driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or
        ``volume_path`` is empty.
    :raises podkit.errors.NotFoundError: the volume does not exist at
        ``volume_path``.
    :raises podkit.errors.UnimplementedError: the driver lacks both
        ``GET_VOLUME_STATS`` and ``VOLUME_CONDITION``.

    Idempotency: a query; it changes nothing.

    Called only when the driver advertises ``GET_VOLUME_STATS`` or
    ``VOLUME_CONDITION``.

    Mirrors: CSI spec v1.12.0, Node service, ``NodeGetVolumeStats``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_node_expand_volume(  # noqa: PLR0913, PLR0917 -- the fields of NodeExpandVolumeRequest
    driver: str,
    volume_id: str,
    volume_path: str,
    capacity_range: CapacityRange | None,
    staging_target_path: str,
    volume_capability: VolumeCapability | None,
    secrets: Mapping[str, str],
) -> int | None:
    """Grow a volume on this node, e.g. its filesystem (CSI ``NodeExpandVolume``).

    Called on the node after :func:`storage_controller_expand_volume` asked for
    it (or alone, for node-only expansion), on a volume that is staged (with
    ``STAGE_UNSTAGE_VOLUME``) or published (without).

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :param volume_id: the volume; required.
    :param volume_path: where the volume is staged or published; required.
    :param capacity_range: the size the volume must have; ``None`` lets you
        grow it to the most the underlying device allows.
    :param staging_target_path: where the volume is staged, for drivers with
        ``STAGE_UNSTAGE_VOLUME``; ``""`` otherwise or when not given.
    :param volume_capability: how the volume is used; ``None`` when not given,
        then tell block from mount by ``volume_path``. A block volume may need
        no filesystem resize.
    :param secrets: the secrets expansion needs, if any.
    :returns: the capacity after expansion in bytes, 0 if unknown. First
        non-None result wins; return ``None`` for calls addressed to another
        driver.
    :raises podkit.errors.InvalidArgumentError: ``volume_id`` or
        ``volume_path`` is empty, or ``volume_capability`` is not supported by
        the volume.
    :raises podkit.errors.NotFoundError: the volume does not exist.
    :raises podkit.errors.FailedPreconditionError: the volume is staged or
        published and its filesystem cannot grow while it is; the caller does
        not retry.
    :raises podkit.errors.OutOfRangeError: ``capacity_range`` is not supported.
    :raises podkit.errors.AbortedError: an operation is pending for the volume.
    :raises podkit.errors.UnimplementedError: the driver lacks the node
        capability ``EXPAND_VOLUME``.

    Idempotency: "This operation MUST be idempotent. If a volume corresponding
    to the specified volume ID is already larger than or equal to the target
    capacity of the expansion request, the plugin SHOULD reply 0 OK."

    Called only when the driver advertises the node capability
    ``EXPAND_VOLUME`` and a ``VolumeExpansion`` kind.

    Mirrors: CSI spec v1.12.0, Node service, ``NodeExpandVolume``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_node_get_capabilities(driver: str) -> tuple[NodeServiceCapability, ...] | None:
    """Report what the Node service supports (CSI ``NodeGetCapabilities``).

    Called before the other Node hooks, to learn which ones to call (e.g.
    whether to stage volumes before publishing them).

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :returns: the :class:`~podkit.models.storage.NodeServiceCapability` members
        that apply, possibly none; each one obliges you to implement its hooks.
        First non-None result wins; return ``None`` for calls addressed to
        another driver.
    :raises podkit.errors.PodkitError: a subclass that fits, when the plugin
        cannot answer.

    Idempotency: a query; it changes nothing.

    Always called: every plugin implements it.

    Mirrors: CSI spec v1.12.0, Node service, ``NodeGetCapabilities``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def storage_node_get_info(driver: str) -> NodeGetInfoResult | None:
    """Identify this node to the plugin's controller (CSI ``NodeGetInfo``).

    Called on the node when the driver is registered there; the caller passes
    the ``node_id`` to :func:`storage_controller_publish_volume` and matches
    the topology against :attr:`~podkit.models.storage.Volume.accessible_topology`.
    "The Plugin SHALL assume that this RPC will be executed on the node where
    the volume will be used."

    :param driver: the CSI driver name the call is addressed to; answer only
        for your own (see *Addressing* above).
    :returns: a :class:`~podkit.models.storage.NodeGetInfoResult`; set
        ``accessible_topology`` only with ``VOLUME_ACCESSIBILITY_CONSTRAINTS``.
        First non-None result wins; return ``None`` for calls addressed to
        another driver.
    :raises podkit.errors.PodkitError: a subclass that fits, when the plugin
        cannot answer.

    Idempotency: a query; it changes nothing. "The CO MAY call this RPC more
    than once for a given node. The SP SHALL NOT expect the CO to call this RPC
    more than once."

    Required with the controller capability ``PUBLISH_UNPUBLISH_VOLUME``; a
    kubelet calls it for every driver it registers, so implement it always.

    Mirrors: CSI spec v1.12.0, Node service, ``NodeGetInfo``.

    .. versionadded:: 0.1
    """


__all__ = [
    "storage_controller_expand_volume",
    "storage_controller_get_capabilities",
    "storage_controller_get_volume",
    "storage_controller_modify_volume",
    "storage_controller_publish_volume",
    "storage_controller_unpublish_volume",
    "storage_create_snapshot",
    "storage_create_volume",
    "storage_delete_snapshot",
    "storage_delete_volume",
    "storage_get_capacity",
    "storage_get_plugin_capabilities",
    "storage_get_plugin_info",
    "storage_list_snapshots",
    "storage_list_volumes",
    "storage_node_expand_volume",
    "storage_node_get_capabilities",
    "storage_node_get_info",
    "storage_node_get_volume_stats",
    "storage_node_publish_volume",
    "storage_node_stage_volume",
    "storage_node_unpublish_volume",
    "storage_node_unstage_volume",
    "storage_probe",
    "storage_validate_volume_capabilities",
]
