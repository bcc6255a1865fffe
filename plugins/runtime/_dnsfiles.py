"""The ``/etc/hostname``, ``/etc/hosts`` and ``/etc/resolv.conf`` a sandbox's containers mount.

The runtime writes them once per sandbox, from the sandbox's configuration,
as containerd's ``RunPodSandbox`` does: the hostname; a hosts file with the
loopback names (the node's own file for a pod on the node's network); and
``resolv.conf`` from ``dns_config`` (the node's file when there is none).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit.plugins.runtime import _atomicfile

if TYPE_CHECKING:
    from podkit.models.runtime import PodSandboxConfig

NODE_HOSTS: Final = Path("/etc/hosts")
NODE_RESOLV_CONF: Final = Path("/etc/resolv.conf")
# containerd's default /etc/hosts for a sandbox (internal/cri/server/sandbox_run.go).
_HOSTS: Final = """127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
fe00::0\tip6-mcastprefix
fe00::1\tip6-allnodes
fe00::2\tip6-allrouters
"""
FILES: Final = ("hostname", "hosts", "resolv.conf")


def sandbox_hostname(config: PodSandboxConfig) -> str:
    """The hostname of the sandbox: the configured one, else the node's."""
    return config.hostname or socket.gethostname()


def resolv_conf(config: PodSandboxConfig) -> bytes:
    """The sandbox's ``resolv.conf`` (resolv.conf(5) syntax)."""
    dns = config.dns_config
    if dns is None:
        try:
            return NODE_RESOLV_CONF.read_bytes()
        except OSError:
            return b""
    lines = [f"search {' '.join(dns.searches)}"] if dns.searches else []
    lines += [f"nameserver {server}" for server in dns.servers]
    if dns.options:
        lines.append(f"options {' '.join(dns.options)}")
    return "".join(f"{line}\n" for line in lines).encode()


def hosts(*, node_network: bool) -> bytes:
    """The sandbox's hosts file."""
    if node_network:
        try:
            return NODE_HOSTS.read_bytes()
        except OSError:
            pass
    return _HOSTS.encode()


def write_files(directory: Path, config: PodSandboxConfig, *, node_network: bool) -> None:
    """Write the three files into ``directory``, readable by every user of the pod."""
    # Run-time files of the state dir: atomic, not fsynced (see _atomicfile).
    _atomicfile.replace(
        directory / "hostname", f"{sandbox_hostname(config)}\n".encode(), mode=0o644
    )
    _atomicfile.replace(directory / "hosts", hosts(node_network=node_network), mode=0o644)
    _atomicfile.replace(directory / "resolv.conf", resolv_conf(config), mode=0o644)


__all__ = ["FILES", "hosts", "resolv_conf", "sandbox_hostname", "write_files"]
