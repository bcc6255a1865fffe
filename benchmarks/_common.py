"""What the benchmarks share: timing, concurrency, the table, cleanup on Ctrl-C.

Every benchmark prints rows of ``label  n  median  p90  ratio``, where the
ratio is podkit's median over its upstream peer's, measured in the same run.
Cleanup goes on an :class:`contextlib.ExitStack` opened by :func:`cleanup_stack`,
which turns SIGTERM and SIGHUP into ``KeyboardInterrupt`` so that the stack
unwinds on any polite stop, as it does on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import statistics
import subprocess
import threading
import time
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from types import FrameType

#: The prefix of everything the benchmarks create (namespaces, links, cgroups, dirs).
PREFIX: Final = "pkb"
MIB: Final = 1 << 20
#: Seconds to wait for the calls under way when a concurrent phase is interrupted.
_JOIN_ON_INTERRUPT: Final = 30.0


def token() -> str:
    """A short random hex string for unique names."""
    return secrets.token_hex(4)


def median(samples: Sequence[float]) -> float:
    """The median of ``samples``."""
    return statistics.median(samples)


def p90(samples: Sequence[float]) -> float:
    """The 90th percentile of ``samples`` (nearest rank)."""
    ordered = sorted(samples)
    return ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sequential(fn: Callable[[int], object], n: int) -> list[float]:
    """Seconds of each of ``n`` calls ``fn(i)``, one after the other."""
    return [timed(lambda i=i: fn(i)) for i in range(n)]  # type: ignore[misc]


def concurrent(fn: Callable[[int], object], n: int) -> tuple[list[float], float]:
    """Run ``fn(0..n-1)`` in ``n`` threads released at once.

    :returns: each call's seconds, and the wall time until the last one ended.
    :raises BaseException: the first error a call raised, after all threads ended.
    """
    barrier = threading.Barrier(n + 1)
    samples: list[float] = [0.0] * n
    failures: list[BaseException] = []

    def worker(i: int) -> None:
        barrier.wait()
        try:
            samples[i] = timed(lambda: fn(i))
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # Ctrl-C: let the calls under way end before the cleanup
        for thread in threads:
            thread.join(_JOIN_ON_INTERRUPT)
        raise
    wall = time.perf_counter() - start
    if failures:
        raise failures[0]
    return samples, wall


def header(title: str, notes: Sequence[str] = ()) -> None:
    """Print a benchmark's title, machine and notes, and the table's header."""
    load = os.getloadavg()[0]
    print(f"\n== {title} ({os.cpu_count()} cores, load average {load:.1f})")
    for note in notes:
        print(f"   {note}")
    print(f"{'':52s} {'n':>4s} {'median':>11s} {'p90':>11s}  ratio")


def row(
    label: str, samples: Sequence[float], peer: Sequence[float] | None = None, *, unit: str = "ms"
) -> None:
    """Print one row: median and p90 (seconds shown in ``unit``), ratio to ``peer``'s median."""
    scale = {"ms": 1e3, "us": 1e6, "s": 1.0, "MiB": 1 / MIB}[unit]
    ratio = ""
    if peer:
        ratio = f"{median(samples) / median(peer):6.2f} x"
    print(
        f"{label:52s} {len(samples):4d} {median(samples) * scale:8.2f} {unit:<3s}"
        f"{p90(samples) * scale:8.2f} {unit:<3s} {ratio}"
    )


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``).

    All CPUs' user, nice, system, irq, softirq and steal time: what every
    process and the kernel's own threads used. 10 ms resolution.
    """
    with open("/proc/stat", encoding="ascii") as stat:  # noqa: PTH123
        fields = [int(value) for value in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def note(text: str) -> None:
    """Print a remark under the table."""
    print(f"   {text}")


def memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process, in bytes, from ``/proc/PID/smaps_rollup``."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:  # noqa: PTH123
        for line in rollup:
            name, _, rest = line.partition(":")
            if name in {"Rss", "Pss"}:
                fields[name] = int(rest.split()[0]) * 1024
    return fields["Rss"], fields["Pss"]


#: The benchmark's process; a forked child (pyroute2 forks to open netns sockets, and
#: stops the child with SIGTERM) inherits the handlers but must never unwind our stack.
_OWNER = os.getpid()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    del frame
    if os.getpid() != _OWNER:
        os._exit(128 + signum)  # a forked child: die as the default action would
    raise KeyboardInterrupt(signal.Signals(signum).name)


class DeadlineExceededError(Exception):
    """The benchmark ran past its time limit (a call hung): it stops and cleans up."""


def _deadline(signum: int, frame: FrameType | None) -> None:
    del frame
    if os.getpid() != _OWNER:
        os._exit(128 + signum)
    msg = "the benchmark ran past its time limit; stopped, cleaning up"
    raise DeadlineExceededError(msg)


@contextlib.contextmanager
def cleanup_stack(limit: float) -> Iterator[contextlib.ExitStack]:
    """An exit stack that also unwinds on SIGTERM, SIGHUP and after ``limit`` seconds.

    Ctrl-C unwinds it as always. The time limit is a ``SIGALRM`` (it interrupts a
    call blocked in the kernel too); it is cancelled before the stack unwinds, and
    the unwinding is :func:`shielded`, so that the cleanup itself is never cut short.
    """
    global _OWNER  # noqa: PLW0603 - the process that installs the handlers
    _OWNER = os.getpid()
    previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, _deadline)
    stack = contextlib.ExitStack()
    try:
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            yield stack
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        try:
            with shielded():
                stack.close()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


_shield_depth = 0


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP off a cleanup; raise ``KeyboardInterrupt`` after it.

    Nested shields defer to the outermost one. Outside the main thread (where no
    signal handler runs) it does nothing.
    """
    global _shield_depth  # noqa: PLW0603 - one shield at a time, whatever the nesting
    if _shield_depth or threading.current_thread() is not threading.main_thread():
        _shield_depth += 1
        try:
            yield
        finally:
            _shield_depth -= 1
        return
    caught: list[int] = []

    def defer(signum: int, frame: FrameType | None) -> None:
        del frame
        if os.getpid() != _OWNER:
            os._exit(128 + signum)
        caught.append(signum)

    held = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, defer) for s in held}
    _shield_depth += 1
    try:
        yield
    finally:
        _shield_depth -= 1
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if caught:
        raise KeyboardInterrupt(signal.Signals(caught[0]).name)


def run(*argv: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output."""
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=timeout)


__all__ = [
    "MIB",
    "PREFIX",
    "DeadlineExceededError",
    "busy_cpu_seconds",
    "cleanup_stack",
    "concurrent",
    "header",
    "median",
    "memory",
    "note",
    "p90",
    "row",
    "run",
    "sequential",
    "shielded",
    "timed",
    "token",
]
