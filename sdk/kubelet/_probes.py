"""Probes: startup, liveness and readiness, as the kubelet's prober runs them.

One task per running container that has probes. The startup probe runs
first; until it passes, the others do not run and the container is not
``started``. Then liveness and readiness run side by side, each every
``periodSeconds`` after ``initialDelaySeconds``; ``failureThreshold``
failures in a row fail a probe, ``successThreshold`` successes pass it.
A failed startup or liveness probe stops the container (its pod's restart
policy then decides); readiness sets the container's ``ready``.

A handler is ``exec`` (``ExecSync`` in the container, exit 0 passes),
``tcpSocket`` (a connection to the pod's address passes) or ``httpGet`` (a
status from 200 to 399 passes; HTTPS certificates are not verified, as the
kubelet does not verify them).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import TYPE_CHECKING, Final, final

from podkit.errors import PodkitError
from podkit.models.kube import URIScheme

if TYPE_CHECKING:
    from podkit.kubelet._containers import PodRuntime
    from podkit.kubelet._pod import ContainerSlot
    from podkit.models.kube import HTTPGetAction, Probe

#: What the kubelet sends as its user agent (``kube-probe/<major>.<minor>``).
USER_AGENT: Final = "kube-probe/1.31"
_HTTP_OK: Final = range(200, 400)


class ProbeFailure(Exception):  # noqa: N818 - an outcome, not an error of podkit
    """A probe did not pass; the message says why."""


async def http_get(action: HTTPGetAction, host: str, port: int) -> None:
    """GET ``action.path`` from ``host:port``.

    :raises ProbeFailure: the answer's status is not from 200 to 399.
    """
    context = None
    if action.scheme is URIScheme.HTTPS:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.open_connection(host, port, ssl=context)
    try:
        headers = {"Host": f"{host}:{port}", "User-Agent": USER_AGENT, "Accept": "*/*"}
        headers |= {h.name: h.value for h in action.http_headers}
        lines = [f"GET {action.path or '/'} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        writer.write("\r\n".join([*lines, "Connection: close", "", ""]).encode())
        await writer.drain()
        status_line = (await reader.readline()).decode(errors="replace").split()
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    code = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    if code not in _HTTP_OK:
        msg = f"HTTP probe failed with statuscode: {code}"
        raise ProbeFailure(msg)


def container_port(slot: ContainerSlot, port: int | str) -> int:
    """A port number, or the number of the container's port of that name."""
    return _port(slot, port)


def _port(slot: ContainerSlot, port: int | str) -> int:
    if isinstance(port, int):
        return port
    for declared in slot.spec.ports:
        if declared.name == port:
            return declared.container_port
    msg = f"port {port!r} is not a port of the container"
    raise ProbeFailure(msg)


@final
class Prober:
    """Runs the probes of one run of one container."""

    def __init__(self, runtime: PodRuntime, slot: ContainerSlot) -> None:
        self.runtime = runtime
        self.slot = slot
        self.container_id = slot.container_id
        spec = slot.spec
        self.startup, self.liveness, self.readiness = (
            spec.startup_probe,
            spec.liveness_probe,
            spec.readiness_probe,
        )

    @staticmethod
    def wanted(slot: ContainerSlot) -> bool:
        """Whether the container has probes to run."""
        spec = slot.spec
        return any((spec.startup_probe, spec.liveness_probe, spec.readiness_probe))

    async def run(self) -> None:
        """Probe until cancelled, or until a failed probe stopped the container."""
        self.slot.probe_started = self.startup is None
        self.slot.probe_ready = self.readiness is None
        if self.startup is not None:
            if not await self._until(self.startup, "Startup", passing=True):
                await self._stop("Startup")
                return
            self.slot.probe_started = True
        tasks = []
        if self.readiness is not None:
            tasks.append(asyncio.create_task(self._readiness(self.readiness)))
        try:
            if self.liveness is not None and not await self._until(
                self.liveness, "Liveness", passing=False
            ):
                await self._stop("Liveness")
                return
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _until(self, probe: Probe, kind: str, *, passing: bool) -> bool:
        """Probe until ``probe`` passes (``passing``) or, otherwise, until it fails.

        :returns: whether the probe passed (always ``False`` when waiting for
            a failure).
        """
        await asyncio.sleep(probe.initial_delay_seconds)
        successes = failures = 0
        while True:
            ok = await self._once(probe, kind)
            successes, failures = (successes + 1, 0) if ok else (0, failures + 1)
            if failures >= probe.failure_threshold:
                return False
            if passing and successes >= probe.success_threshold:
                return True
            await asyncio.sleep(probe.period_seconds)

    async def _readiness(self, probe: Probe) -> None:
        await asyncio.sleep(probe.initial_delay_seconds)
        successes = failures = 0
        while True:
            ok = await self._once(probe, "Readiness")
            successes, failures = (successes + 1, 0) if ok else (0, failures + 1)
            if successes >= probe.success_threshold:
                self.slot.probe_ready = True
            elif failures >= probe.failure_threshold:
                self.slot.probe_ready = False
            await asyncio.sleep(probe.period_seconds)

    async def _once(self, probe: Probe, kind: str) -> bool:
        try:
            await asyncio.wait_for(self._handle(probe), timeout=probe.timeout_seconds)
        except (ProbeFailure, PodkitError, OSError) as exc:
            self.runtime.record("Warning", "Unhealthy", f"{kind} probe failed: {exc}")
            return False
        except TimeoutError:
            message = f"{kind} probe failed: timeout after {probe.timeout_seconds}s"
            self.runtime.record("Warning", "Unhealthy", message)
            return False
        return True

    async def _handle(self, probe: Probe) -> None:
        if probe.exec is not None:
            await self._exec(probe.exec.command, probe.timeout_seconds)
        elif probe.tcp_socket is not None:
            action = probe.tcp_socket
            host = action.host or self._pod_ip()
            _, writer = await asyncio.open_connection(host, _port(self.slot, action.port))
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        elif probe.http_get is not None:
            await self._http_get(probe.http_get)

    def _pod_ip(self) -> str:
        if not self.runtime.pod_ips:
            msg = "the pod has no address"
            raise ProbeFailure(msg)
        return self.runtime.pod_ips[0]

    async def _exec(self, command: tuple[str, ...], seconds: int) -> None:
        runtime = self.runtime.ctx.manager.runtime
        result = await self.runtime.ctx.call(
            runtime.exec_sync, self.runtime.handler, self.container_id, command, seconds
        )
        if result.exit_code:
            output = (result.stdout + result.stderr).decode(errors="replace").strip()
            msg = f"command {list(command)!r} exited with {result.exit_code}: {output}"
            raise ProbeFailure(msg.rstrip(": "))

    async def _http_get(self, action: HTTPGetAction) -> None:
        host = action.host or self._pod_ip()
        await http_get(action, host, _port(self.slot, action.port))

    async def _stop(self, kind: str) -> None:
        message = f"Container {self.slot.name} failed {kind.lower()} probe, will be restarted"
        self.runtime.record("Normal", "Killing", message)
        probe = self.liveness if kind == "Liveness" else self.startup
        grace = probe.termination_grace_period_seconds if probe is not None else None
        if grace is None:
            grace = self.runtime.pod.spec.termination_grace_period_seconds
        try:
            await self.runtime.ctx.call(
                self.runtime.ctx.layer.stop_container, self.container_id, grace
            )
        except PodkitError as exc:
            self.runtime.record("Warning", "FailedKillPod", f"error killing container: {exc}")


__all__ = ["USER_AGENT", "ProbeFailure", "Prober", "container_port", "http_get"]
