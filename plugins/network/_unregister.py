"""Links taken out of service at once and deleted in the background (``lazy_unregister``).

Deleting a veth pair takes the kernel ~15-20 ms: it waits for RCU grace
periods before the devices are gone, and that wait is most of a bridge
``DEL``. :func:`unregister_later` makes the link inert at once (down, and
renamed so that its name is free for the next ``ADD``) and leaves the
deletion to a thread. A process killed before its thread ended leaves the
renamed link behind; :func:`sweep` (run by each ``ADD`` in the namespace)
deletes such leftovers, and the namespace's deletion takes them too.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from typing import TYPE_CHECKING, Final

import podkit

if TYPE_CHECKING:
    from podkit.plugins.network._netlink import Netlink

_LOG: Final = logging.getLogger(__name__)
#: The name prefix of links taken out of service and awaiting deletion.
UNREGISTERING: Final = "pkdel"
_PENDING: Final[set[threading.Thread]] = set()
#: The names of the links this process's threads are deleting (:func:`sweep` skips them).
_PENDING_NAMES: Final[set[str]] = set()
_PENDING_LOCK: Final = threading.Lock()


def unregister_later(netlink: Netlink, index: int) -> None:
    """Take a link out of service now, and delete it in a thread; ``netlink`` goes with it.

    Unregistering a veth pair takes the kernel ~15 ms (it waits for RCU grace
    periods). Set down and renamed ``pkdel<hex>``, the link carries no traffic
    and its name is free for the next ``ADD`` at once; the deletion runs in a
    non-daemon thread, which the interpreter waits for at exit
    (:func:`wait_for_unregistrations` waits earlier). Killed before, the
    process leaves the renamed link in its namespace, which goes with it.
    """
    name = f"{UNREGISTERING}{secrets.token_hex(4)}"
    with _PENDING_LOCK:
        _PENDING_NAMES.add(name)
    try:
        netlink.set_link(index, state="down")
        netlink.rename_link(index, name)
    except BaseException:
        with _PENDING_LOCK:
            _PENDING_NAMES.discard(name)
        with netlink, contextlib.suppress(podkit.NotFoundError):
            netlink.delete_link(index)
        raise
    thread = threading.Thread(
        target=_unregister, args=(netlink, index, name), name="podkit-unregister", daemon=False
    )
    with _PENDING_LOCK:
        _PENDING.add(thread)
    thread.start()


def _unregister(netlink: Netlink, index: int, name: str) -> None:
    try:
        with netlink, contextlib.suppress(podkit.NotFoundError):  # gone with its netns: done
            netlink.delete_link(index)
    except podkit.PodkitError as exc:  # nobody waits for this thread's errors: say it
        _LOG.warning("link %d, out of service, is left in %s: %s", index, netlink.where, exc)
    finally:
        with _PENDING_LOCK:
            _PENDING.discard(threading.current_thread())
            _PENDING_NAMES.discard(name)


def sweep(netlink: Netlink) -> None:
    """Delete the out-of-service links in ``netlink``'s namespace that nobody here deletes.

    They are what a process killed during :func:`unregister_later`'s deletion
    left (or another process is deleting right now: then one of the two
    finds it gone, which is no error).
    """
    for link in netlink.links():
        if link.name.startswith(UNREGISTERING):
            with _PENDING_LOCK:
                pending = link.name in _PENDING_NAMES
            if not pending:
                with contextlib.suppress(podkit.NotFoundError):
                    netlink.delete_link(link.index)


def wait_for_unregistrations(timeout: float | None = None) -> bool:
    """Wait for the deletions :func:`unregister_later` started; ``False`` on timeout."""
    with _PENDING_LOCK:
        pending = list(_PENDING)
    deadline = None if timeout is None else time.monotonic() + timeout
    for thread in pending:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    with _PENDING_LOCK:
        return not _PENDING


__all__ = ["UNREGISTERING", "sweep", "unregister_later", "wait_for_unregistrations"]
