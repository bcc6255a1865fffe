"""Pod sandboxes: RunPodSandbox to ListPodSandbox, without a pause process.

A sandbox here is a directory: the bind-mounted namespace files
(:mod:`._namespaces`), the hostname/hosts/resolv.conf files
(:mod:`._dnsfiles`), a cgroup its containers' cgroups nest in, and its
record. Stopping it (after the plugin stopped its containers) only marks it
not ready and ends a shared PID namespace: the network namespace stays until
removal, so that the runtime layer can detach the networks (hookspec,
``runtime_stop_pod_sandbox``).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from typing import TYPE_CHECKING, Final

import attrs

from podkit import errors
from podkit.models.runtime import (
    LinuxPodSandboxStatus,
    Namespace,
    NamespaceMode,
    PodSandbox,
    PodSandboxConfig,
    PodSandboxState,
    PodSandboxStatus,
    PodSandboxStatusResponse,
)
from podkit.plugins.runtime import _dnsfiles, _namespaces, _records
from podkit.plugins.runtime._locks import Reservations

if TYPE_CHECKING:
    from podkit.models.runtime import PodSandboxFilter
    from podkit.plugins.runtime._cgroups import Cgroups
    from podkit.plugins.runtime._records import Layout, SandboxRecord
    from podkit.plugins.runtime._spawner import MonitorSpawner

# Sysctls namespaced by the IPC and network namespaces (kubelet's sysctl
# allowlist, pkg/kubelet/sysctl/namespace.go), by prefix.
_IPC_SYSCTLS: Final = ("kernel.shm", "kernel.msg", "kernel.sem", "fs.mqueue.")
_NET_SYSCTLS: Final = ("net.",)
_UTS_SYSCTLS: Final = ("kernel.hostname", "kernel.domainname")


def _check_config(config: PodSandboxConfig) -> None:
    options = config.linux.security_context.namespace_options
    userns = options.userns_options
    if userns is not None and userns.mode is NamespaceMode.POD:
        msg = (
            f"failed to run pod sandbox {config.metadata.name!r}: user namespaces "
            "(namespace_options.userns_options mode POD) are not supported"
        )
        raise errors.UnimplementedError(msg)
    for key in config.linux.sysctls:
        if key.startswith(_NET_SYSCTLS) and options.network is not NamespaceMode.NODE:
            continue
        if key.startswith(_IPC_SYSCTLS) and options.ipc is not NamespaceMode.NODE:
            continue
        if key.startswith(_UTS_SYSCTLS) and options.network is not NamespaceMode.NODE:
            continue
        msg = (
            f"invalid PodSandboxConfig.linux.sysctls key {key!r}: not namespaced "
            "by the pod's own namespaces"
        )
        raise errors.InvalidArgumentError(msg)


def _matches(record: SandboxRecord, flt: PodSandboxFilter) -> bool:
    if flt.id and record.id != flt.id:
        return False
    if flt.state is not None and record.state is not flt.state:
        return False
    labels = record.config.labels
    return all(labels.get(k) == v for k, v in flt.label_selector.items())


class Sandboxes:
    """The sandboxes of one plugin instance, with their records on disk."""

    def __init__(
        self, layout: Layout, cgroups: Cgroups, cgroup_parent: str, spawner: MonitorSpawner
    ) -> None:
        self._layout = layout
        self._spawner = spawner
        self._cgroups = cgroups
        self._cgroup_parent = cgroup_parent.strip("/")
        self.records: dict[str, SandboxRecord] = _records.load_all(
            layout.state / "sandboxes", _records.SANDBOX_FILE, _records.SandboxRecord
        )
        self._making = Reservations()

    def get(self, sandbox_id: str, verb: str) -> SandboxRecord:
        """The record of a sandbox, or :class:`NotFoundError`."""
        record = self.records.get(sandbox_id)
        if record is None:
            msg = f"failed to {verb} pod sandbox {sandbox_id!r}: not found"
            raise errors.NotFoundError(msg)
        return record

    def _save(self, record: SandboxRecord) -> None:
        path = self._layout.sandbox_dir(record.id) / _records.SANDBOX_FILE
        _records.save(path, record)
        self.records[record.id] = record

    def run(self, handler: str, config: PodSandboxConfig) -> str:
        """Make the namespaces, files and cgroup of a new sandbox; record it ready."""
        _check_config(config)
        metadata = config.metadata

        def check_free() -> None:
            for other in list(self.records.values()):
                if other.config.metadata == metadata:
                    msg = f"failed to run pod sandbox {metadata.name!r}: {other.id} has it"
                    raise errors.AlreadyExistsError(msg)
            if self._making.is_reserved(metadata):
                msg = f"failed to run pod sandbox {metadata.name!r}: it is being made"
                raise errors.AlreadyExistsError(msg)

        with self._making.reserve(metadata, check_free):
            sandbox_id = secrets.token_hex(32)
            with contextlib.ExitStack() as undo:
                record = self._make(sandbox_id, handler, config, undo)
                self._save(record)
                undo.pop_all()
        return sandbox_id

    def _make(
        self, sandbox_id: str, handler: str, config: PodSandboxConfig, undo: contextlib.ExitStack
    ) -> SandboxRecord:
        options = config.linux.security_context.namespace_options
        directory = self._layout.sandbox_dir(sandbox_id)
        directory.mkdir(parents=True)
        undo.callback(_records.remove_tree, directory)
        node_net = options.network is NamespaceMode.NODE
        names = () if node_net else ("net", "uts")
        if options.ipc is not NamespaceMode.NODE:
            names = (*names, "ipc")
        hostname = _dnsfiles.sandbox_hostname(config)
        # The namespaces are made by a thread while this one writes the files
        # and makes the cgroup (the kernel's work on two CPUs at once).
        making = _namespaces.NamespacesInMaking(
            directory / "ns", names, hostname, config.linux.sysctls
        )
        undo.callback(making.release)
        _dnsfiles.write_files(directory, config, node_network=node_net)
        cgroup = f"{self._cgroup_parent}/{sandbox_id}" if self._cgroup_parent else sandbox_id
        self._cgroups.create(cgroup)
        undo.callback(self._remove_cgroup, cgroup)
        paths = making.wait()
        init, pid_path = None, ""
        if options.pid is NamespaceMode.POD:
            init, pid_path = _namespaces.start_pid_init(
                directory / "ns", self._spawner.start_pid_init
            )
            undo.callback(_namespaces.release_namespaces, [pid_path])
            undo.callback(_namespaces.stop_pid_init, init)
        return _records.SandboxRecord(
            id=sandbox_id,
            handler=handler,
            created_at=time.time_ns(),
            state=PodSandboxState.SANDBOX_READY,
            config=config,
            net_path=paths.get("net", ""),
            ipc_path=paths.get("ipc", ""),
            uts_path=paths.get("uts", ""),
            pid_path=pid_path,
            pid_init=init,
            cgroup=cgroup,
        )

    def _remove_cgroup(self, cgroup: str) -> None:
        self._cgroups.remove(cgroup, parents=len(self._cgroup_parent.split("/")))

    def remove_unrecorded_cgroup(self, sandbox_id: str) -> None:
        """Remove the cgroup of a sandbox whose RunPodSandbox was killed before its record."""
        cgroup = f"{self._cgroup_parent}/{sandbox_id}" if self._cgroup_parent else sandbox_id
        self._cgroups.kill_all(cgroup)
        self._remove_cgroup(cgroup)

    def stop(self, sandbox_id: str) -> None:
        """Mark the sandbox not ready and end its PID namespace; keep the netns."""
        record = self.records.get(sandbox_id)
        if record is None:
            # "must not return an error if all relevant resources have already
            # been reclaimed"
            return
        _namespaces.stop_pid_init(record.pid_init)
        if record.state is not PodSandboxState.SANDBOX_NOTREADY or record.pid_init is not None:
            record = attrs.evolve(record, state=PodSandboxState.SANDBOX_NOTREADY, pid_init=None)
            self._save(record)

    def remove(self, sandbox_id: str) -> None:
        """Release the namespaces, cgroup, files and record of a stopped sandbox."""
        record = self.records.get(sandbox_id)
        if record is None:
            return  # "must not return an error if the sandbox has already been removed"
        _namespaces.stop_pid_init(record.pid_init)
        paths = [record.net_path, record.ipc_path, record.uts_path, record.pid_path]
        _namespaces.release_namespaces(paths)
        self._remove_cgroup(record.cgroup)
        _records.remove_tree(self._layout.sandbox_dir(sandbox_id))
        del self.records[sandbox_id]

    def status(self, sandbox_id: str, *, verbose: bool) -> PodSandboxStatusResponse:
        """The CRI status of one sandbox."""
        record = self.get(sandbox_id, "get the status of")
        config = record.config
        options = config.linux.security_context.namespace_options
        state = record.state
        if record.net_path and not _namespaces.is_bound(record.net_path):
            state = PodSandboxState.SANDBOX_NOTREADY  # its namespaces were lost
        status = PodSandboxStatus(
            id=record.id,
            metadata=config.metadata,
            state=state,
            created_at=record.created_at,
            linux=LinuxPodSandboxStatus(
                namespaces=Namespace(options=options, network_path=record.net_path)
            ),
            labels=config.labels,
            annotations=config.annotations,
            runtime_handler=record.handler,
        )
        info = {}
        if verbose:
            init = record.pid_init.pid if record.pid_init else 0
            info["info"] = json.dumps({"cgroup": record.cgroup, "pid_init": init})
        return PodSandboxStatusResponse(status=status, info=info, timestamp=time.time_ns())

    def list(self, flt: PodSandboxFilter) -> tuple[PodSandbox, ...]:
        """The sandboxes matching a filter."""
        return tuple(
            PodSandbox(
                id=r.id,
                metadata=r.config.metadata,
                state=r.state,
                created_at=r.created_at,
                labels=r.config.labels,
                annotations=r.config.annotations,
                runtime_handler=r.handler,
            )
            for r in list(self.records.values())
            if _matches(r, flt)
        )


__all__ = ["Sandboxes"]
