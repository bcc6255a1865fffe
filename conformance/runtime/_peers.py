"""Where a CRI runtime may legitimately answer otherwise than podkit's hookspec says.

The suite checks CRI behaviour, not podkit's: it is validated against Debian's
containerd 1.6 reached over the real CRI (tests/wire/cri/test_containerd_conformance.py).
Where containerd keeps the CRI's rules but answers in its own way, the tests
accept both answers through these helpers; each names containerd's answer
exactly (its message, from containerd 1.6's ``pkg/cri/server``), so that
nothing else slips through:

- **Refusals without a code.** containerd answers several refusals with gRPC
  ``UNKNOWN``, saying why only in its message: a container that is not
  ``CONTAINER_CREATED`` started again ("container is in CONTAINER_RUNNING
  state"), a name reserved twice ("is reserved for"), a sandbox that is not
  running ("is not running"). The call is refused all the same, which is
  the rule; :func:`refused` accepts the hookspec's error or that message.
- **Stop of an id that is gone.** containerd 1.6's StopContainer and
  StopPodSandbox look the id up first and answer ``NOT_FOUND`` for one that
  was removed or never existed (api.proto's idempotency words are about an
  already *stopped* container, and the kubelet ignores ``NOT_FOUND`` on stop);
  Remove* of an unknown id succeeds in both. :func:`stop_of_gone` accepts
  success or ``NotFoundError``.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING

import pytest

import podkit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@contextlib.contextmanager
def refused(expected: type[podkit.PodkitError], containerd: str) -> Iterator[None]:
    """The block must fail: with ``expected``, or with containerd's message ``containerd``.

    :param expected: the error class the hookspec names for this refusal.
    :param containerd: a regular expression of containerd 1.6's message for it
        (which it sends with gRPC ``UNKNOWN`` or another code than ``expected``'s).
    """
    with pytest.raises(podkit.PodkitError) as caught:
        yield
    error = caught.value
    assert isinstance(error, expected) or re.search(containerd, str(error)), (  # noqa: S101
        f"{type(error).__name__}: {error} -- neither {expected.__name__} nor containerd's"
        f" answer /{containerd}/"
    )


def stop_of_gone(stop: Callable[[], object]) -> None:
    """A stop of an id that was removed (or never was): success, or containerd's NotFound."""
    with contextlib.suppress(podkit.NotFoundError):
        assert stop() is True  # noqa: S101


__all__ = ["refused", "stop_of_gone"]
