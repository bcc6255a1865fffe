"""The runtime contract: CRI ``runtime.v1`` as pluggy hooks.

A runtime plugin runs pod sandboxes and their containers on the node, and
keeps the images they run from: it is what containerd's CRI plugin and runc
are to a kubelet. Each hook here is one RPC of the CRI ``RuntimeService`` or
``ImageService`` (``k8s.io/cri-api/pkg/apis/runtime/v1/api.proto``), with the
request's fields as arguments and the models of :mod:`podkit.models.runtime`
in place of protobuf messages.

Who does what
    podkit's *runtime layer* is the CRI runtime the kubelet core and the CRI
    server talk to. It calls the runtime hooks and the network hooks
    (:mod:`podkit.hookspecs.network`), as containerd runs CNI itself:

    * a runtime plugin makes namespaces, cgroups, root filesystems and
      processes, and stores images;
    * the runtime layer attaches the sandbox's network namespace to the pod
      networks after :func:`runtime_run_pod_sandbox`, detaches it when the
      sandbox stops, fills in :attr:`PodSandboxStatus.network
      <podkit.models.runtime.PodSandboxStatus.network>` and hands the
      port mappings to the network plugins;
    * the kubelet sets volumes up (storage hooks) and passes their host paths
      as mounts (:class:`~podkit.models.runtime.Mount`).

Addressing
    Every hook takes ``handler`` first: the runtime handler (Kubernetes'
    ``RuntimeClass.handler``) the call is addressed to. Answer only for your
    own handler(s): declare them with ``@podkit.answers_for("runc")`` on the
    plugin and the plugin manager routes only matching calls to you; a plugin
    that declares nothing must return ``None`` for the handlers it does not
    serve. CRI names a handler only in ``RunPodSandbox`` (and in
    ``ImageSpec.runtime_handler``); for the other calls the runtime layer
    knows which handler owns the sandbox or container and addresses the call
    to it. An empty CRI handler means the node's default; the runtime layer
    resolves it to that handler's name before calling.

Results
    Hooks are ``firstresult``: the first non-``None`` result wins, and
    ``None`` means "addressed to another plugin". So a hook whose RPC answers
    with an empty message returns ``True`` when done; one whose answer holds
    a single value returns that value (:func:`runtime_run_pod_sandbox`
    returns the sandbox id); lists are tuples of models.

Errors
    Raise the :mod:`podkit.errors` class each hook names; the CRI server
    answers with its gRPC code. Messages follow ``failed to <verb> <object>
    <id!r>: <cause>``. Any other exception is treated as a bug in the plugin.

Wrapping calls
    Any plugin may wrap any hook with ``@podkit.hookimpl(wrapper=True)``: a
    generator that sees the arguments, yields once, and returns the result
    (or another one), or sees the exception, for tracing, metrics or policy.
    The models are frozen and pluggy hands the inner implementations the
    caller's arguments, so a wrapper cannot change what they receive.

State and concurrency
    Hooks are called from worker threads, possibly at once, also for the
    same sandbox or container: serialize what must be. Keep your state on
    disk: after the agent is killed at any point and restarted, list,
    status, stop and remove must still find every sandbox and container, so
    that nothing is leaked.

.. versionadded:: 0.1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from podkit._markers import hookspec

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.runtime import (
        AuthConfig,
        Container,
        ContainerConfig,
        ContainerFilter,
        ContainerStats,
        ContainerStatsFilter,
        ContainerStatusResponse,
        ExecSyncResponse,
        Image,
        ImageFilter,
        ImageFsInfoResponse,
        ImageSpec,
        ImageStatusResponse,
        LinuxContainerResources,
        PodSandbox,
        PodSandboxConfig,
        PodSandboxFilter,
        PodSandboxStatusResponse,
        StatusResponse,
        VersionResponse,
    )

# The CRI's boolean ``verbose`` is a positional parameter because pluggy passes
# arguments by name and ignores keyword-only ones (FBT001); ``filter`` is the
# upstream field name (A002).
# ruff: noqa: FBT001, A002

# -------------------------------------------------------------------------
# RuntimeService: runtime, Version and Status
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def runtime_version(handler: str, version: str) -> VersionResponse | None:
    """Say which runtime this is and which CRI version it implements.

    Called when the runtime layer loads the plugin, and for CRI ``Version``.

    :param handler: the runtime handler the call is addressed to.
    :param version: the runtime API version of the caller (the kubelet sends
        ``0.1.0``); you may ignore it, as containerd does.
    :returns: a :class:`~podkit.models.runtime.VersionResponse` with
        ``runtime_name`` and ``runtime_version`` (semver) of your runtime,
        ``runtime_api_version="v1"`` and ``version="0.1.0"``. First non-None
        result wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.IncompatibleVersionError: you cannot serve a caller
        of that ``version``.

    Mirrors: CRI ``RuntimeService.Version``, "Version returns the runtime name,
    runtime version, and runtime API version."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_status(handler: str, verbose: bool) -> StatusResponse | None:
    """Report whether the handler can run containers, and what it supports.

    Called periodically by the kubelet (through CRI ``Status``), which marks
    the node not ready while a required condition is false.

    :param handler: the runtime handler the call is addressed to.
    :param verbose: fill in ``info`` (values in JSON) only when true.
    :returns: a :class:`~podkit.models.runtime.StatusResponse` whose
        ``status.conditions`` hold a :data:`~podkit.models.runtime.RUNTIME_READY`
        condition, true when sandboxes and containers can be run (``reason``
        and ``message`` say why not), plus any informative ones; whose
        ``runtime_handlers`` describe the handler(s) you serve with their
        features; and whose ``features`` say what you support whatever the
        handler. Leave :data:`~podkit.models.runtime.NETWORK_READY` out: the
        runtime layer decides it from the network plugins (as containerd asks
        CNI) and replaces any the plugin gives. First non-None result wins;
        return ``None`` for calls addressed to another plugin.

    Report trouble through the conditions rather than by raising.

    Mirrors: CRI ``RuntimeService.Status``, "Status returns the status of the
    runtime."

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------
# RuntimeService: sandboxes, RunPodSandbox to ListPodSandbox
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def runtime_run_pod_sandbox(handler: str, config: PodSandboxConfig) -> str | None:
    """Create and start a pod sandbox, ready to hold containers.

    Called when a pod is to run on the node (also for every new attempt after
    its sandbox died). The upstream request's ``runtime_handler`` is
    ``handler``.

    What to do, following ``config.linux.security_context.namespace_options``:

    * make the namespaces the pod shares: a network namespace kept by a bind
      mount when ``network`` is ``POD`` (report its path in
      :attr:`Namespace.network_path
      <podkit.models.runtime.Namespace.network_path>` of the status), IPC and
      UTS namespaces, a PID namespace when ``pid`` is ``POD``, a user
      namespace with ``userns_options``' mappings when its mode is ``POD``;
      ``NODE`` means the node's own namespace;
    * set the hostname (``config.hostname``; the node's when empty) and write
      the files that containers will mount: ``/etc/hostname``, ``/etc/hosts``
      and ``/etc/resolv.conf`` from ``config.dns_config`` (the node's
      ``resolv.conf`` when ``None``);
    * apply ``config.linux.sysctls`` inside the new namespaces, and place the
      sandbox's processes, if any, under ``config.linux.cgroup_parent``;
    * record the sandbox, in state ``SANDBOX_READY``.

    Do not attach networks or map ports: once this returns, the runtime layer
    attaches the network namespace through the network hooks, and on failure
    calls :func:`runtime_stop_pod_sandbox` and
    :func:`runtime_remove_pod_sandbox`. If anything fails here, undo what was
    done before raising, so that nothing is left behind.

    :param handler: the runtime handler the call is addressed to.
    :param config: the sandbox's configuration; keep it, since
        :func:`runtime_create_container` receives it again and statuses
        return its labels and annotations unchanged.
    :returns: the new sandbox's id, unique on the node (e.g. 64 hex digits).
        First non-None result wins; return ``None`` for calls addressed to
        another plugin.
    :raises podkit.errors.InvalidArgumentError: ``config`` is invalid, e.g. a
        sysctl that is not namespaced.
    :raises podkit.errors.AlreadyExistsError: a sandbox of the same metadata
        (name, namespace, uid, attempt) exists.
    :raises podkit.errors.UnimplementedError: ``config`` asks for something the
        handler does not support (e.g. user namespaces).
    :raises podkit.errors.PermissionDeniedError: the agent lacks a privilege
        it needs.

    Not idempotent: each call makes a new sandbox; the kubelet retries with a
    new ``attempt``.

    Mirrors: CRI ``RuntimeService.RunPodSandbox``, "RunPodSandbox creates and
    starts a pod-level sandbox. Runtimes must ensure the sandbox is in the
    ready state on success."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_stop_pod_sandbox(handler: str, pod_sandbox_id: str) -> Literal[True] | None:
    """Stop a sandbox: kill its containers and processes; it becomes not ready.

    Called when the pod is deleted or its sandbox must be replaced, at least
    once before :func:`runtime_remove_pod_sandbox`, and possibly many times.

    Kill every running container of the sandbox at once (they become
    ``CONTAINER_EXITED``) and any process of the sandbox itself; the sandbox
    becomes ``SANDBOX_NOTREADY``. Keep its network namespace and its path
    until :func:`runtime_remove_pod_sandbox`: the runtime layer detaches the
    networks (which "reclaims network resources (e.g., IP addresses)")
    after this returns.

    :param handler: the runtime handler that runs the sandbox.
    :param pod_sandbox_id: the sandbox's id.
    :returns: ``True`` when done. First non-None result wins; return ``None``
        for calls addressed to another plugin.
    :raises podkit.errors.InternalError: a process could not be killed.

    Idempotency: "This call is idempotent, and must not return an error if
    all relevant resources have already been reclaimed." A stopped sandbox,
    and an id you do not know (already removed), succeed: return ``True``,
    as containerd does.

    Mirrors: CRI ``RuntimeService.StopPodSandbox``, "StopPodSandbox stops any
    running process that is part of the sandbox and reclaims network resources
    (e.g., IP addresses) allocated to the sandbox. If there are any running
    containers in the sandbox, they must be forcibly terminated."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_remove_pod_sandbox(handler: str, pod_sandbox_id: str) -> Literal[True] | None:
    """Remove a sandbox, its containers, namespaces and files.

    Called after :func:`runtime_stop_pod_sandbox` and after the runtime layer
    detached the sandbox's networks, when the kubelet no longer needs it.

    Stop it first if it is not stopped; remove every container of the
    sandbox as :func:`runtime_remove_container` does; then unmount and remove
    the namespaces (the network namespace's bind mount included), the
    cgroups, the hostname/hosts/resolv.conf files and the sandbox's record.
    Leave the log directory: the kubelet removes logs.

    :param handler: the runtime handler that runs the sandbox.
    :param pod_sandbox_id: the sandbox's id.
    :returns: ``True`` when done. First non-None result wins; return ``None``
        for calls addressed to another plugin.
    :raises podkit.errors.InternalError: something could not be removed; a
        later call must be able to finish the job.

    Idempotency: "This call is idempotent, and must not return an error if
    the sandbox has already been removed." An id you do not know succeeds:
    return ``True``.

    Mirrors: CRI ``RuntimeService.RemovePodSandbox``, "RemovePodSandbox
    removes the sandbox. If there are any running containers in the sandbox,
    they must be forcibly terminated and removed."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_pod_sandbox_status(
    handler: str, pod_sandbox_id: str, verbose: bool
) -> PodSandboxStatusResponse | None:
    """Report a sandbox's state, namespaces and metadata.

    Called by the kubelet to sync the pod, and by the runtime layer to find
    the sandbox's network namespace.

    :param handler: the runtime handler that runs the sandbox.
    :param pod_sandbox_id: the sandbox's id.
    :param verbose: fill in ``info`` (values in JSON) only when true.
    :returns: a :class:`~podkit.models.runtime.PodSandboxStatusResponse` whose
        status has the sandbox's id, metadata, state, ``created_at``
        (nanoseconds, > 0), ``linux.namespaces`` (the modes it was made with
        and ``network_path``), labels and annotations exactly as configured,
        and ``runtime_handler``; leave ``network`` ``None``, the runtime layer
        fills it in. ``containers_statuses`` may stay empty. First non-None
        result wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.NotFoundError: no sandbox has that id.

    Mirrors: CRI ``RuntimeService.PodSandboxStatus``, "PodSandboxStatus
    returns the status of the PodSandbox. If the PodSandbox is not present,
    returns an error."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_list_pod_sandbox(
    handler: str, filter: PodSandboxFilter
) -> tuple[PodSandbox, ...] | None:
    """List the handler's sandboxes that match a filter.

    Called by the kubelet to find the pods on the node, including after a
    restart of the agent; the runtime layer calls it once per handler and
    merges the results.

    :param handler: the runtime handler the call is addressed to.
    :param filter: the conditions, ANDed: ``id``, ``state`` (``None`` for
        any) and ``label_selector`` (every pair must match exactly). The
        default filter matches every sandbox; the CRI server passes it when
        the request has none.
    :returns: the matching sandboxes, in any order; an empty tuple when none
        match (an unknown ``id`` is no error). First non-None result wins;
        return ``None`` for calls addressed to another plugin.

    Mirrors: CRI ``RuntimeService.ListPodSandbox``, "ListPodSandbox returns a
    list of PodSandboxes."

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------
# RuntimeService: containers, CreateContainer to ListContainerStats
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def runtime_create_container(
    handler: str,
    pod_sandbox_id: str,
    config: ContainerConfig,
    sandbox_config: PodSandboxConfig,
) -> str | None:
    """Create a container in a sandbox, ready to start.

    Called by the kubelet for each init, regular and ephemeral container, in
    turn; the image has been pulled already.

    What to do:

    * make the root filesystem from ``config.image`` (read-only if
      ``readonly_rootfs``);
    * prepare the process: ``command`` and ``args`` (the image's
      ``Entrypoint`` and ``Cmd`` when empty), the image's environment
      overridden by ``envs``, ``working_dir``, and the user from the security
      context or the image;
    * mount ``config.mounts`` (following symlinks on the host) and the
      sandbox's hostname, hosts and resolv.conf files, and make
      ``config.devices`` available;
    * join the sandbox's namespaces, or not, as
      ``config.linux.security_context.namespace_options`` say, and create a
      cgroup under the sandbox's with ``config.linux.resources``;
    * confine the process as the security context says: capabilities,
      ``no_new_privs``, masked and read-only paths, the ``seccomp`` profile
      (``RuntimeDefault`` is the plugin's own; ``Localhost`` names a profile
      file on the node) and ``apparmor``. A profile the plugin cannot apply
      is refused (``UnimplementedError``, or ``InvalidArgumentError`` for a
      missing or malformed file), never silently left out: the pod's author
      counts on it;
    * open the log file, ``sandbox_config.log_directory`` joined with
      ``config.log_path``, to which stdout and stderr will go in the CRI log
      format;
    * record the container, in state ``CONTAINER_CREATED``; do not start it.

    If anything fails, undo what was done before raising.

    :param handler: the runtime handler that runs the sandbox.
    :param pod_sandbox_id: the sandbox to create the container in.
    :param config: the container's configuration; its labels and annotations
        come back unchanged in statuses.
    :param sandbox_config: the sandbox's configuration, as given to
        :func:`runtime_run_pod_sandbox`.
    :returns: the new container's id, unique on the node. First non-None
        result wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.NotFoundError: no sandbox has that id, the image is
        not present, or a mount's host path does not exist.
    :raises podkit.errors.FailedPreconditionError: the sandbox is not ready.
    :raises podkit.errors.AlreadyExistsError: the sandbox has a container of
        the same name and attempt ("(name, attempt) is unique within a
        sandbox for the entire lifetime of the sandbox").
    :raises podkit.errors.InvalidArgumentError: ``config`` is invalid, e.g. a
        ``run_as_username`` that the image does not know.
    :raises podkit.errors.UnimplementedError: ``config`` asks for something
        the handler does not support.

    Not idempotent: each call makes a new container.

    Mirrors: CRI ``RuntimeService.CreateContainer``, "CreateContainer creates
    a new container in specified PodSandbox".

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_start_container(handler: str, container_id: str) -> Literal[True] | None:
    """Start a created container's process.

    Called by the kubelet after :func:`runtime_create_container` (and its
    pre-start hooks).

    Start the process and record ``started_at``: the container becomes
    ``CONTAINER_RUNNING``. If the process cannot be started, the container
    becomes ``CONTAINER_EXITED`` (with ``reason`` and ``message`` saying why)
    and you raise.

    :param handler: the runtime handler that runs the container's sandbox.
    :param container_id: the container's id.
    :returns: ``True`` when the process runs. First non-None result wins;
        return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.NotFoundError: no container has that id.
    :raises podkit.errors.FailedPreconditionError: the container is not in
        state ``CONTAINER_CREATED``, or its sandbox is not ready.
    :raises podkit.errors.InvalidArgumentError: the process cannot start
        (e.g. no such executable in the image).

    Not idempotent: a container starts once.

    Mirrors: CRI ``RuntimeService.StartContainer``, "StartContainer starts the
    container."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_stop_container(handler: str, container_id: str, timeout: int) -> Literal[True] | None:
    """Stop a running container: signal it, then kill it after a grace period.

    Called by the kubelet when a container must end (pod deletion, failed
    liveness probe, restart).

    Send the stop signal (the container's ``stop_signal``, else the image's
    ``StopSignal``, else ``SIGTERM``), wait up to ``timeout`` seconds, then
    send ``SIGKILL``, and return once the process is gone: the container is
    ``CONTAINER_EXITED`` with ``finished_at`` and ``exit_code`` set. A
    container that is not running (created, exited) is left as it is.

    :param handler: the runtime handler that runs the container's sandbox.
    :param container_id: the container's id.
    :param timeout: the grace period in seconds; 0 kills at once.
    :returns: ``True`` when the container is stopped. First non-None result
        wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.InternalError: the process could not be killed.

    Idempotency: "This call is idempotent, and must not return an error if
    the container has already been stopped." An id you do not know succeeds
    too: return ``True``, as containerd does.

    Mirrors: CRI ``RuntimeService.StopContainer``, "StopContainer stops a
    running container with a grace period (i.e., timeout). [...] The runtime
    must forcibly kill the container after the grace period is reached."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_remove_container(handler: str, container_id: str) -> Literal[True] | None:
    """Remove a container and everything it holds.

    Called by the kubelet for exited containers it no longer needs (garbage
    collection, pod deletion).

    Kill it first if it is running (or ``CONTAINER_UNKNOWN``); then unmount
    and remove its root filesystem and writable layer, its cgroup and its
    record. Leave the log file: the kubelet removes logs.

    :param handler: the runtime handler that runs the container's sandbox.
    :param container_id: the container's id.
    :returns: ``True`` when done. First non-None result wins; return ``None``
        for calls addressed to another plugin.
    :raises podkit.errors.InternalError: something could not be removed; a
        later call must be able to finish the job.

    Idempotency: "This call is idempotent, and must not return an error if
    the container has already been removed." An id you do not know succeeds:
    return ``True``.

    Mirrors: CRI ``RuntimeService.RemoveContainer``, "RemoveContainer removes
    the container. If the container is running, the container must be
    forcibly removed."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_container_status(
    handler: str, container_id: str, verbose: bool
) -> ContainerStatusResponse | None:
    """Report a container's state, timestamps, exit and configuration.

    Called by the kubelet to sync the pod.

    :param handler: the runtime handler that runs the container's sandbox.
    :param container_id: the container's id.
    :param verbose: fill in ``info`` (values in JSON, e.g. the pid) only when
        true.
    :returns: a :class:`~podkit.models.runtime.ContainerStatusResponse`: state
        and ``created_at``/``started_at``/``finished_at`` in nanoseconds
        (0 for "not yet"); once exited, ``exit_code`` and a ``reason`` -
        ``OOMKilled`` after the cgroup OOM killer struck (upstream: "Must be
        set"), else ``Completed`` (exit 0) or ``Error`` as containerd says;
        ``image_ref`` and ``image_id`` equal to what
        :func:`runtime_pull_image` returned for the image; labels and
        annotations exactly as configured; the mounts; ``log_path`` as an
        absolute path; ``resources`` as in force. First non-None result wins;
        return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.NotFoundError: no container has that id.

    Mirrors: CRI ``RuntimeService.ContainerStatus``, "ContainerStatus returns
    status of the container. If the container is not present, returns an
    error."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_list_containers(handler: str, filter: ContainerFilter) -> tuple[Container, ...] | None:
    """List the handler's containers that match a filter.

    Called by the kubelet to find the containers on the node; the runtime
    layer calls it once per handler and merges the results.

    :param handler: the runtime handler the call is addressed to.
    :param filter: the conditions, ANDed: ``id``, ``state`` (``None`` for
        any), ``pod_sandbox_id`` and ``label_selector`` (every pair must match
        exactly). The default filter matches every container; the CRI server
        passes it when the request has none.
    :returns: the matching containers, in any order; an empty tuple when none
        match (an unknown id is no error). First non-None result wins; return
        ``None`` for calls addressed to another plugin.

    Mirrors: CRI ``RuntimeService.ListContainers``, "ListContainers lists all
    containers by filters."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_exec_sync(
    handler: str, container_id: str, cmd: tuple[str, ...], timeout: int
) -> ExecSyncResponse | None:
    """Run a command in a running container and collect its output.

    Called by the kubelet for exec probes and by ``crictl exec --sync``.

    Run ``cmd`` inside the container's namespaces and cgroup, with its
    environment, user and working directory, without a terminal and with an
    empty stdin; keep at most
    :data:`~podkit.models.runtime.EXEC_SYNC_OUTPUT_LIMIT` bytes of each of
    stdout and stderr, discarding the rest without error.

    :param handler: the runtime handler that runs the container's sandbox.
    :param container_id: the container's id.
    :param cmd: the command and its arguments.
    :param timeout: seconds to let the command run; 0 for no limit.
    :returns: an :class:`~podkit.models.runtime.ExecSyncResponse` with the
        output and the exit code; a command that exits non-zero is not an
        error. First non-None result wins; return ``None`` for calls
        addressed to another plugin.
    :raises podkit.errors.NotFoundError: no container has that id.
    :raises podkit.errors.FailedPreconditionError: the container is not
        running.
    :raises podkit.errors.InvalidArgumentError: ``cmd`` is empty or cannot be
        started (no such executable).
    :raises podkit.errors.DeadlineExceededError: the command outlived
        ``timeout``; kill it (and its children) first. The kubelet reads this
        code as a probe timeout, as containerd returns it.

    Mirrors: CRI ``RuntimeService.ExecSync``, "ExecSync runs a command in a
    container synchronously."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_update_container_resources(
    handler: str,
    container_id: str,
    linux: LinuxContainerResources | None,
    annotations: Mapping[str, str],
) -> Literal[True] | None:
    """Change a container's resource limits (in-place pod resize).

    Called by the kubelet when a pod's resources are resized, and by
    ``crictl update``.

    Apply ``linux`` to the container's cgroup if it runs, and record it in
    either case: a created container starts with it and
    :func:`runtime_container_status` reports it. Fields left at 0 or empty
    are "not specified" and keep their current values.

    :param handler: the runtime handler that runs the container's sandbox.
    :param container_id: the container's id.
    :param linux: the new Linux resources; ``None`` when the request carries
        none (nothing to change).
    :param annotations: extra, runtime-specific options of the update.
    :returns: ``True`` when done. First non-None result wins; return ``None``
        for calls addressed to another plugin.
    :raises podkit.errors.NotFoundError: no container has that id.
    :raises podkit.errors.InvalidArgumentError: a value is invalid (e.g. a
        cpuset outside the node's CPUs).
    :raises podkit.errors.FailedPreconditionError: the kernel refused the new
        limit (e.g. a memory limit below the current usage).

    Atomic: "If runtime fails to transactionally update the requested
    resources, an error is returned"; restore the previous limits before
    raising.

    Mirrors: CRI ``RuntimeService.UpdateContainerResources``,
    "UpdateContainerResources updates ContainerConfig of the container
    synchronously."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_reopen_container_log(handler: str, container_id: str) -> Literal[True] | None:
    """Reopen a container's log file, after the kubelet rotated it.

    Called by the kubelet's log rotation, after it renamed the log file:
    close the old file and go on writing the container's output to a new
    file at the container's log path.

    :param handler: the runtime handler that runs the container's sandbox.
    :param container_id: the container's id.
    :returns: ``True`` when output goes to the new file. First non-None
        result wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.NotFoundError: no container has that id.
    :raises podkit.errors.FailedPreconditionError: the container is not
        running (as containerd answers). Upstream: "Once it returns error,
        new container log file MUST NOT be created."

    Mirrors: CRI ``RuntimeService.ReopenContainerLog``, "ReopenContainerLog
    asks runtime to reopen the stdout/stderr log file for the container."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_container_stats(handler: str, container_id: str) -> ContainerStats | None:
    """Report a container's CPU, memory and writable-layer usage.

    Called by the kubelet's summary API (eviction, autoscaling, ``kubectl
    top``).

    :param handler: the runtime handler that runs the container's sandbox.
    :param container_id: the container's id.
    :returns: a :class:`~podkit.models.runtime.ContainerStats` with the
        container's attributes and, each with its timestamp in nanoseconds,
        the CPU time used (``usage_core_nano_seconds``), the memory working
        set (``working_set_bytes``) and the writable layer's ``used_bytes``
        and ``inodes_used``; a usage you cannot measure is ``None``. First
        non-None result wins; return ``None`` for calls addressed to another
        plugin.
    :raises podkit.errors.NotFoundError: no container has that id.

    Mirrors: CRI ``RuntimeService.ContainerStats``, "ContainerStats returns
    stats of the container. If the container does not exist, the call returns
    an error."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_list_container_stats(
    handler: str, filter: ContainerStatsFilter
) -> tuple[ContainerStats, ...] | None:
    """Report the usage of the handler's running containers that match a filter.

    Called by the kubelet's summary API; the runtime layer calls it once per
    handler and merges the results.

    :param handler: the runtime handler the call is addressed to.
    :param filter: the conditions, ANDed: ``id``, ``pod_sandbox_id`` and
        ``label_selector`` (every pair must match exactly). The default filter
        matches every container.
    :returns: the stats of the matching running containers, as
        :func:`runtime_container_stats` gives them; an empty tuple when none
        match. First non-None result wins; return ``None`` for calls addressed
        to another plugin.

    Mirrors: CRI ``RuntimeService.ListContainerStats``, "ListContainerStats
    returns stats of all running containers."

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------
# ImageService: PullImage to ImageFsInfo
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def runtime_pull_image(
    handler: str,
    image: ImageSpec,
    auth: AuthConfig | None,
    sandbox_config: PodSandboxConfig | None,
) -> str | None:
    """Pull an image from its registry into the handler's image store.

    Called by the kubelet before creating a container whose image is not
    present (or always, with ``imagePullPolicy: Always``).

    Resolve ``image.image`` (a tag or a digest reference; the default
    registry is ``docker.io``), pick the manifest for the node's platform
    (``image.annotations`` may help with an index), fetch and verify the
    layers you lack and record the image under its id and the reference. An
    image already present is resolved again (a tag may have moved) but only
    missing content is fetched.

    :param handler: the runtime handler whose image store the call is
        addressed to: ``image.runtime_handler``, or the default handler's
        name when that is empty.
    :param image: the image to pull.
    :param auth: the registry credentials, or ``None`` to pull anonymously.
    :param sandbox_config: the configuration of the sandbox the image is
        pulled for, when known (to pull in the pod's context).
    :returns: the image's id on the node (``image_ref``), the same value that
        :class:`~podkit.models.runtime.Image` ``.id``, ``Container.image_id``
        and ``ContainerStatus.image_id`` carry for that image. First non-None
        result wins; return ``None`` for calls addressed to another plugin.
    :raises podkit.errors.InvalidArgumentError: the reference is malformed.
    :raises podkit.errors.NotFoundError: the registry has no such image, or no
        manifest for the node's platform.
    :raises podkit.errors.PermissionDeniedError: the registry refused the
        credentials.
    :raises podkit.errors.UnavailableError: the registry cannot be reached;
        the kubelet retries with a back-off.

    Idempotent: pulling an image twice leaves one image and returns the same
    id (if the reference did not move).

    Mirrors: CRI ``ImageService.PullImage``, "PullImage pulls an image with
    authentication config."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_list_images(handler: str, filter: ImageFilter) -> tuple[Image, ...] | None:
    """List the images in the handler's image store.

    Called by the kubelet's image garbage collector and node status; the
    runtime layer calls it once per handler and merges the results.

    :param handler: the runtime handler whose image store the call is
        addressed to.
    :param filter: ``filter.image``, when set, names the image (by reference,
        digest or id) to list; the default filter matches every image.
    :returns: the matching images, each with its id, ``repo_tags``,
        ``repo_digests``, ``size`` in bytes, the user of its config and its
        ``spec``; an empty tuple when none match. First non-None result wins;
        return ``None`` for calls addressed to another plugin.

    Mirrors: CRI ``ImageService.ListImages``, "ListImages lists existing
    images."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_image_status(
    handler: str, image: ImageSpec, verbose: bool
) -> ImageStatusResponse | None:
    """Report an image of the handler's image store, or its absence.

    Called by the kubelet before each container creation, to decide whether
    to pull.

    :param handler: the runtime handler whose image store the call is
        addressed to: ``image.runtime_handler``, or the default handler's
        name when that is empty.
    :param image: the image, by reference, digest or id.
    :param verbose: fill in ``info`` (values in JSON, e.g. the image config)
        only when true.
    :returns: an :class:`~podkit.models.runtime.ImageStatusResponse` with the
        image, or with ``image=None`` when it is not present: absence is not
        an error. First non-None result wins; return ``None`` for calls
        addressed to another plugin.
    :raises podkit.errors.InvalidArgumentError: the reference is malformed.

    Mirrors: CRI ``ImageService.ImageStatus``, "ImageStatus returns the status
    of the image. If the image is not present, returns a response with
    ImageStatusResponse.Image set to nil."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_remove_image(handler: str, image: ImageSpec) -> Literal[True] | None:
    """Remove an image, under all its names, from the handler's image store.

    Called by the kubelet's image garbage collector and by ``crictl rmi``.

    Remove the image that ``image.image`` names, with every tag and digest
    that points to it ("removing the image by a single tag will remove all of
    its tags"); pinned images too, when asked. Content that containers still
    use must stay until they are removed: never break an existing container.
    Space may be reclaimed after this returns.

    :param handler: the runtime handler whose image store the call is
        addressed to: ``image.runtime_handler``, or the default handler's
        name when that is empty.
    :param image: the image, by reference, digest or id.
    :returns: ``True`` when the image is gone from
        :func:`runtime_list_images` and :func:`runtime_image_status`. First
        non-None result wins; return ``None`` for calls addressed to another
        plugin.
    :raises podkit.errors.InvalidArgumentError: the reference is malformed.

    Idempotency: "This call is idempotent, and must not return an error if
    the image has already been removed." A missing image succeeds: return
    ``True``.

    Mirrors: CRI ``ImageService.RemoveImage``, "RemoveImage removes the
    image."

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def runtime_image_fs_info(handler: str) -> ImageFsInfoResponse | None:
    """Report the space and inodes the handler's images use.

    Called by the kubelet's eviction manager and image garbage collector; the
    runtime layer calls it once per handler and merges the results.

    :param handler: the runtime handler whose image store the call is
        addressed to.
    :returns: an :class:`~podkit.models.runtime.ImageFsInfoResponse` with one
        :class:`~podkit.models.runtime.FilesystemUsage` per filesystem that
        holds images (its mountpoint, the bytes and inodes the images use,
        and a timestamp in nanoseconds), and, if containers' writable layers
        live on other filesystems, one per such filesystem in
        ``container_filesystems``. Usage may include images removed but not
        yet cleaned up. First non-None result wins; return ``None`` for calls
        addressed to another plugin.

    Mirrors: CRI ``ImageService.ImageFsInfo``, "ImageFSInfo returns
    information of the filesystem that is used to store images."

    .. versionadded:: 0.1
    """


__all__ = [
    "runtime_container_stats",
    "runtime_container_status",
    "runtime_create_container",
    "runtime_exec_sync",
    "runtime_image_fs_info",
    "runtime_image_status",
    "runtime_list_container_stats",
    "runtime_list_containers",
    "runtime_list_images",
    "runtime_list_pod_sandbox",
    "runtime_pod_sandbox_status",
    "runtime_pull_image",
    "runtime_remove_container",
    "runtime_remove_image",
    "runtime_remove_pod_sandbox",
    "runtime_reopen_container_log",
    "runtime_run_pod_sandbox",
    "runtime_start_container",
    "runtime_status",
    "runtime_stop_container",
    "runtime_stop_pod_sandbox",
    "runtime_update_container_resources",
    "runtime_version",
]
