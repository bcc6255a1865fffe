"""The per-container monitor: starts the container, pumps its logs, records its exit.

StartContainer asks the zygote (:mod:`._zygote`) for a monitor; the zygote
forks one (:func:`forked`), in a new session, so the monitor is not the
agent's child and outlives the agent when the agent is killed: the container
is the monitor's child, not the agent's (no shim is needed for that, and
nothing dies with the agent). The monitor

1. enters the pod's PID namespace, or unshares a new one, and forks the
   container's init (:mod:`._init`), whose stdout and stderr are pipes;
2. waits for the init to exec (or fail), writes ``started.json`` (PIDs and
   start times, for re-adoption) and reports to the agent on the zygote's
   connection;
3. copies the pipes into the CRI log (:mod:`._logs`); SIGUSR1 reopens it;
4. when the init exits, writes ``exit.json`` (exit code, reason, time)
   atomically and exits.

Only the standard library and podkit's stdlib-only modules are imported, to
keep the zygote, and so every monitor, small.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

from podkit.plugins.runtime import _atomicfile, _init, _logs, _proc
from podkit.plugins.runtime import _syscalls as sc
from podkit.plugins.runtime._preinit import PreInit

if TYPE_CHECKING:
    from podkit.plugins.runtime._handoff import Handoff

_READ_SIZE: Final = 65536
_START_ERROR_CODE: Final = 128


def _write_json(path: Path, value: dict[str, Any]) -> None:
    # Compact: json encodes in C only without indent. Atomic, not fsynced:
    # a kill -9 of the monitor must leave the old file or the new, a power
    # loss ends the container the file is about anyway (see _atomicfile).
    _atomicfile.replace(path, json.dumps(value, separators=(",", ":")).encode())


def _oom_kills(spec: dict[str, Any]) -> int:
    try:
        text = Path(spec["oom_file"]).read_text()
    except (OSError, KeyError, TypeError):
        return 0
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill" and value.strip().isdigit():
            return int(value)
    return 0


def _exit_record(status: int, spec: dict[str, Any]) -> dict[str, Any]:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # killed by a signal: shells and Kubernetes say 128 + signal
        code = 128 - code
    reason = "Completed" if code == 0 else "Error"
    if _oom_kills(spec) > 0:
        reason = "OOMKilled"
    return {"exit_code": code, "finished_at": time.time_ns(), "reason": reason, "message": ""}


class _Pump:
    """Copies the container's output into the log until the init exits."""

    def __init__(self, log: _logs.CriLog, out_fd: int, err_fd: int) -> None:
        self.log = log
        self.streams = {out_fd: "stdout", err_fd: "stderr"}
        self.reopen = False
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.wake = wake_r
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGUSR1, self._on_usr1)

    def _on_usr1(self, _signum: int, _frame: object) -> None:
        self.reopen = True

    def _read(self, fd: int) -> bool:
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            return True
        if not data:
            self.log.close_stream(self.streams.pop(fd))
            os.close(fd)
            return False
        self.log.write(self.streams[fd], data)
        return True

    def run(self, pidfd: int) -> None:
        exited = False
        while self.streams and not exited:
            readable, _, _ = select.select([*self.streams, self.wake, pidfd], [], [])
            if self.wake in readable:
                with contextlib.suppress(BlockingIOError):
                    os.read(self.wake, 64)
            if self.reopen:
                self.reopen = False
                self.log.reopen()
            for fd in readable:
                if fd in self.streams:
                    self._read(fd)
            exited = pidfd in readable
        # The init is gone; what is left in the pipes is drained without
        # waiting for other holders (processes of a shared PID namespace).
        for fd in list(self.streams):
            os.set_blocking(fd, False)
            while fd in self.streams and self._read(fd):
                pass
        for fd in list(self.streams):
            self.log.close_stream(self.streams.pop(fd))
            os.close(fd)


def _fork_init(spec: dict[str, Any], report_fd: int) -> PreInit:
    """Fork the init (in the PID namespace the spec names); return its PID and pipes.

    The fresh-fork path, for a container that does not get a PID namespace
    of its own (those get the init the spare forked in advance, :mod:`._preinit`).
    """
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    sync_r, sync_w = os.pipe2(os.O_CLOEXEC)
    go_r, go_w = os.pipe2(os.O_CLOEXEC)
    cgroup_tasks, _ = _init.split_cgroup_files(spec["cgroup_procs"])
    pid_ns = spec["namespaces"].get("pid")
    if pid_ns:
        sc.setns_path(pid_ns, sc.CLONE_NEWPID)
    elif spec["namespaces"].get("new_pid"):
        sc.unshare(sc.CLONE_NEWPID)
    pid = os.fork()
    if pid == 0:
        for fd in (out_r, err_r, sync_r, go_w, report_fd):
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        _init.run(spec, sync_w, go_r, cgroup_tasks)
    for fd in (out_w, err_w, sync_w, go_r):
        os.close(fd)
    return PreInit(pid, job_w=-1, out_r=out_r, err_r=err_r, sync_r=sync_r, go_w=go_w)


def _release(init: PreInit, spec: dict[str, Any]) -> None:
    """Put the init into its cgroup v2 (on v1 it joins itself) and let it exec."""
    _, cgroup_procs = _init.split_cgroup_files(spec["cgroup_procs"])
    try:
        _init.join_cgroups(init.pid, cgroup_procs)
        os.write(init.go_w, _init.CGROUPS_JOINED)
    except OSError as exc:
        # The init reads EOF and fails its start; say why in the log.
        os.write(2, f"failed to join the container's cgroup: {exc}\n".encode())
    finally:
        os.close(init.go_w)
        init.go_w = -1


def _await_exec(sync_r: int, handoff: Handoff | None) -> bytes:
    """Wait for the init's exec (EOF) or its error; tell the zygote if a request waits."""
    while handoff is not None and handoff.watched:
        ready, _, _ = select.select([sync_r, *handoff.watched], [], [])
        handoff.check(ready)
        if sync_r in ready:
            break
    return _read_all(sync_r)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, _READ_SIZE):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def _report(report_fd: int, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        os.write(report_fd, json.dumps(message).encode() + b"\n")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, report_fd)
    os.close(null)


def _open_log(spec: dict[str, Any], init: PreInit | None) -> _logs.CriLog:
    """The container's log; when it cannot be opened, the init is stopped before its exec."""
    try:
        return _logs.CriLog(spec["log_path"])
    except BaseException:
        if init is not None:
            init.discard()  # no go: the init fails before its exec
            with contextlib.suppress(ChildProcessError):
                os.waitpid(init.pid, 0)
        raise


def monitor(
    directory: Path,
    report_fd: int,
    preinit: PreInit | None = None,
    handoff: Handoff | None = None,
) -> None:
    """Start the container of ``directory`` and watch it until it exits.

    :param preinit: an init forked in advance (:mod:`._preinit`), when the
        request said that the container gets a PID namespace of its own,
        already sent the directory (:meth:`PreInit.start`): it builds the
        root meanwhile. ``None``: a fresh fork.
    :param handoff: tells the zygote that its spare was taken (:mod:`._handoff`),
        once the start is reported at the latest.
    """
    spec = json.loads((directory / "spec.json").read_text())
    log = _open_log(spec, preinit)  # a failure starts nothing
    init = preinit or _fork_init(spec, report_fd)
    _release(init, spec)
    pid, out_r, err_r, sync_r = init.pid, init.out_r, init.err_r, init.sync_r
    pidfd = os.pidfd_open(pid)
    # Its SIGUSR1 handler before started.json: from then on the plugin may
    # ask for a log reopen, and SIGUSR1's default action is to terminate.
    pump = _Pump(log, out_r, err_r)
    # Recorded while the init builds the root (in parallel, on another CPU):
    # taken back below if the init fails before its exec.
    started = {
        "pid": pid,
        "pid_start": _proc.start_time(pid) or 0,
        "monitor_pid": os.getpid(),
        "monitor_start": _proc.start_time(os.getpid()) or 0,
        "started_at": time.time_ns(),
    }
    _write_json(directory / "started.json", started)
    failure = _await_exec(sync_r, handoff)
    if failure:
        _, status = os.waitpid(pid, 0)
        message = failure.decode(errors="replace")
        record = {
            "exit_code": _START_ERROR_CODE,
            "finished_at": time.time_ns(),
            "reason": "StartError",
            "message": message,
        }
        (directory / "started.json").unlink()
        _write_json(directory / "exit.json", record)
        _report(report_fd, {"error": message})
        return
    _report(report_fd, started)
    if handoff is not None:
        handoff.tell()
    pump.run(pidfd)
    _, status = os.waitpid(pid, 0)
    _write_json(directory / "exit.json", _exit_record(status, spec))
    log.close()


def ignore_signals() -> None:
    """Ignore what a terminal, a closed pipe or a stray ``kill`` would end us with."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_IGN)


def reap_children_automatically() -> None:
    """Let the kernel reap our children (the zygote does not wait for its monitors)."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)


def forked(directory: Path, report_fd: int, preinit: PreInit | None, handoff: Handoff) -> NoReturn:
    """Run the monitor of ``directory`` in a child of the zygote, then exit.

    ``handoff`` is told (the zygote forks its next spare) once the start is reported.
    """
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    sc.name_process(b"podkit-monitor")
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
        errors = os.open(directory / "monitor.log", flags, 0o600)
        os.dup2(errors, 2)
        os.close(errors)
        monitor(directory, report_fd, preinit, handoff)
    except BaseException as exc:  # noqa: BLE001 - the agent reads it from the report
        _report(report_fd, {"error": f"monitor failed: {exc!r}"})
        handoff.tell()
        os._exit(1)
    handoff.tell()  # a start that failed returns before its container ran
    os._exit(0)


__all__ = ["forked", "ignore_signals", "monitor", "reap_children_automatically"]
