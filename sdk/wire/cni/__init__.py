"""The CNI executable protocol: the ``podkit-cni`` executable.

Until the network issue lands, ``podkit-cni`` answers ``VERSION`` only and
says so for every other command. It imports nothing it does not need, so
that a CNI caller pays little for each exec.
"""

from __future__ import annotations

from podkit.wire.cni._exec import main

__all__ = ["main"]
