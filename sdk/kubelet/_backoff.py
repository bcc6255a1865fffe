"""The crash-loop back-off of a container: how long to wait before restarting it.

As the kubelet's ``flowcontrol.Backoff`` with its defaults: the first
restart is immediate, then each waits twice as long as the one before, from
10 seconds up to 5 minutes; a container that ran for 10 minutes before it
exited starts over from no delay. The base is configurable (tests use a
small one).
"""

from __future__ import annotations

from typing import Final, final

import attrs

#: The kubelet's initial and maximum back-off, seconds.
DEFAULT_BASE: Final = 10.0
DEFAULT_MAX: Final = 300.0
#: How long a container must run for its back-off to be forgotten.
DEFAULT_RESET: Final = 600.0


@final
@attrs.frozen(kw_only=True)
class BackOffPolicy:
    """The back-off settings of a node.

    .. versionadded:: 0.1
    """

    #: The delay before the second restart, seconds; it doubles after each.
    base: float = attrs.field(default=DEFAULT_BASE, validator=attrs.validators.ge(0))
    #: The longest delay, seconds.
    max: float = attrs.field(default=DEFAULT_MAX, validator=attrs.validators.ge(0))
    #: A run this long (seconds) resets the back-off.
    reset: float = attrs.field(default=DEFAULT_RESET, validator=attrs.validators.ge(0))


@final
class BackOff:
    """The back-off of one container."""

    def __init__(self, policy: BackOffPolicy) -> None:
        self.policy = policy
        self.delay = 0.0

    def next_delay(self, ran_for: float) -> float:
        """The wait before the next restart, after a run of ``ran_for`` seconds."""
        if ran_for >= self.policy.reset:
            self.delay = 0.0
        current = self.delay
        self.delay = min(self.policy.max, self.policy.base if not current else current * 2)
        return current


__all__ = ["DEFAULT_BASE", "DEFAULT_MAX", "DEFAULT_RESET", "BackOff", "BackOffPolicy"]
