"""podkit: the node side of Kubernetes, as a Python SDK.

This module is the public API for plugin authors and embedders; so are the
documented modules :mod:`podkit.hookspecs` (``.runtime``, ``.network``,
``.storage``), :mod:`podkit.models`, :mod:`podkit.errors`,
:mod:`podkit.manifests` and :mod:`podkit.testing`. Everything else is
internal.

Names are imported on first use (PEP 562) so that ``import podkit`` stays
cheap for short-lived processes such as the ``podkit-cni`` executable.
"""

from __future__ import annotations

import importlib

# Not `from typing import TYPE_CHECKING`: importing typing costs each `podkit-cni`
# exec 3-9 ms. mypy reads any name TYPE_CHECKING as True.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from podkit._markers import hookimpl as hookimpl
    from podkit.errors import AbortedError as AbortedError
    from podkit.errors import AlreadyExistsError as AlreadyExistsError
    from podkit.errors import DeadlineExceededError as DeadlineExceededError
    from podkit.errors import FailedPreconditionError as FailedPreconditionError
    from podkit.errors import FieldError as FieldError
    from podkit.errors import IncompatibleVersionError as IncompatibleVersionError
    from podkit.errors import InternalError as InternalError
    from podkit.errors import InvalidArgumentError as InvalidArgumentError
    from podkit.errors import LimitedConnectivityError as LimitedConnectivityError
    from podkit.errors import ManifestError as ManifestError
    from podkit.errors import NoPluginError as NoPluginError
    from podkit.errors import NotFoundError as NotFoundError
    from podkit.errors import OutOfRangeError as OutOfRangeError
    from podkit.errors import PermissionDeniedError as PermissionDeniedError
    from podkit.errors import PluginNotAvailableError as PluginNotAvailableError
    from podkit.errors import PluginValidationError as PluginValidationError
    from podkit.errors import PodkitError as PodkitError
    from podkit.errors import ResourceExhaustedError as ResourceExhaustedError
    from podkit.errors import UnauthenticatedError as UnauthenticatedError
    from podkit.errors import UnavailableError as UnavailableError
    from podkit.errors import UnimplementedError as UnimplementedError
    from podkit.kubelet import Node as Node
    from podkit.kubelet import SyncNode as SyncNode
    from podkit.pluginmanager import PluginInfo as PluginInfo
    from podkit.pluginmanager import PluginManager as PluginManager
    from podkit.pluginmanager import answers_for as answers_for
    from podkit.wire.cni import CniExecPlugin as CniExecPlugin
    from podkit.wire.cri import CriClientPlugin as CriClientPlugin
    from podkit.wire.csi import CsiClientPlugin as CsiClientPlugin

__version__ = "0.1.0.dev0"

__all__ = [
    "AbortedError",
    "AlreadyExistsError",
    "CniExecPlugin",
    "CriClientPlugin",
    "CsiClientPlugin",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "FieldError",
    "IncompatibleVersionError",
    "InternalError",
    "InvalidArgumentError",
    "LimitedConnectivityError",
    "ManifestError",
    "NoPluginError",
    "Node",
    "NotFoundError",
    "OutOfRangeError",
    "PermissionDeniedError",
    "PluginInfo",
    "PluginManager",
    "PluginNotAvailableError",
    "PluginValidationError",
    "PodkitError",
    "ResourceExhaustedError",
    "SyncNode",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "__version__",
    "answers_for",
    "hookimpl",
]

_LAZY = {
    **{name: "podkit.errors" for name in __all__ if name.endswith("Error")},
    "PluginInfo": "podkit.pluginmanager",
    "PluginManager": "podkit.pluginmanager",
    "answers_for": "podkit.pluginmanager",
    "CniExecPlugin": "podkit.wire.cni",
    "Node": "podkit.kubelet",
    "SyncNode": "podkit.kubelet",
    "CriClientPlugin": "podkit.wire.cri",
    "CsiClientPlugin": "podkit.wire.csi",
    "hookimpl": "podkit._markers",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'podkit' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
