"""Check a plugin against the hook specs before pluggy registers it.

pluggy reports a misspelt argument only as "argument not available in
hookspec", and a misspelt hook name only later through ``check_pending``.
podkit checks both up front and names the distribution, the plugin, the hook
and the argument, with a close match when there is one, so that a plugin
author sees at once what to fix.
"""

from __future__ import annotations

import difflib
import inspect
from typing import TYPE_CHECKING

from podkit.errors import PluginValidationError
from podkit.hookspecs import KINDS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

#: The hook prefixes a plugin's attributes are recognised by.
HOOK_PREFIXES = tuple(kind.prefix for kind in KINDS.values())


def spec_arguments() -> dict[str, tuple[str, ...]]:
    """Map every hook name to the argument names of its spec."""
    specs: dict[str, tuple[str, ...]] = {}
    for kind in KINDS.values():
        for name in getattr(kind.module, "__all__", ()):
            function = getattr(kind.module, name)
            specs[name] = tuple(inspect.signature(function).parameters)
    return specs


def implementation_arguments(function: Callable[..., object]) -> tuple[str, ...]:
    """The argument names pluggy will pass to ``function`` (no ``self``)."""
    parameters = inspect.signature(function).parameters.values()
    return tuple(
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    )


def _close(word: str, candidates: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, candidates, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def check_hook(
    *,
    where: str,
    hook_name: str,
    function: Callable[..., object],
    specs: Mapping[str, tuple[str, ...]],
    kind: str | None,
) -> None:
    """Raise :class:`PluginValidationError` when ``hook_name`` does not fit a spec.

    :param where: names the plugin and its distribution, for the message.
    :param kind: the plugin's kind, or ``None`` when it may implement hooks of
        every kind (the ``podkit.plugins`` entry-point group).
    """
    if hook_name not in specs:
        msg = f"{where}: hook {hook_name!r} is not a podkit hook{_close(hook_name, list(specs))}"
        raise PluginValidationError(msg)
    if kind is not None and not hook_name.startswith(KINDS[kind].prefix):
        msg = (
            f"{where}: hook {hook_name!r} is not a {kind} hook; a {kind} plugin implements"
            f" only {KINDS[kind].prefix}* hooks (register wrappers of other kinds in the"
            " 'podkit.plugins' group)"
        )
        raise PluginValidationError(msg)
    allowed = specs[hook_name]
    for argument in implementation_arguments(function):
        if argument not in allowed:
            msg = (
                f"{where}: hook {hook_name!r} takes argument {argument!r}, which its spec"
                f" does not have{_close(argument, allowed)}; the spec's arguments are:"
                f" {', '.join(allowed)}"
            )
            raise PluginValidationError(msg)
