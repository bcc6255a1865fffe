"""The built-in ``trace`` plugin: one log line per hook call.

It is a plain hook wrapper (``wrapper=True``) on every hook of every kind, the
same mechanism a third-party plugin uses to observe or adjust calls. Each
line gives the hook, the name the call was addressed to, the duration and the
outcome. Off by default; ``podkit --trace`` or ``PODKIT_TRACE=1`` turns it on.
An async implementation's result is awaited before its line is logged, so the
duration covers the whole operation.
"""

from __future__ import annotations

import inspect
import logging
import time
from typing import TYPE_CHECKING, Any, Final, final

from podkit._markers import hookimpl
from podkit.hookspecs import KINDS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Generator

#: The logger the trace plugin writes to.
LOGGER: Final = logging.getLogger("podkit.trace")


def _log(hook: str, target: str, started: float, outcome: str) -> None:
    elapsed_ms = (time.perf_counter() - started) * 1000
    LOGGER.info("%s %r %.3fms %s", hook, target, elapsed_ms, outcome)


def _describe(exc: BaseException) -> str:
    return f"error {type(exc).__name__}: {exc}"


async def _traced(hook: str, target: str, started: float, awaitable: Awaitable[Any]) -> Any:  # noqa: ANN401 - the hook's own result type
    try:
        result = await awaitable
    except BaseException as exc:
        _log(hook, target, started, _describe(exc))
        raise
    _log(hook, target, started, "ok" if result is not None else "declined")
    return result


def _wrapper_for(hook: str, target_arg: str) -> Callable[..., Generator[None, Any, Any]]:
    """Build a wrapper whose single argument is named ``target_arg``.

    pluggy passes arguments by the names in the function's code object, so
    the wrapper is built from a template per target argument name.
    """

    def wrap(target: str) -> Generator[None, Any, Any]:
        started = time.perf_counter()
        try:
            result = yield
        except BaseException as exc:
            _log(hook, target, started, _describe(exc))
            raise
        if inspect.isawaitable(result):
            return _traced(hook, target, started, result)
        _log(hook, target, started, "ok" if result is not None else "no plugin answered")
        return result

    wrap.__code__ = wrap.__code__.replace(co_varnames=(target_arg, *wrap.__code__.co_varnames[1:]))
    wrap.__name__ = wrap.__qualname__ = hook
    return hookimpl(wrapper=True)(wrap)


@final
class TracePlugin:
    """Logs every hook call to the ``podkit.trace`` logger.

    .. versionadded:: 0.1
    """

    def __init__(self) -> None:
        for kind in KINDS.values():
            for hook in getattr(kind.module, "__all__", ()):
                setattr(self, hook, _wrapper_for(hook, kind.target_arg))
