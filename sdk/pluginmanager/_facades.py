"""The typed facades of the plugin manager: one method per hook.

pluggy's ``pm.hook.<name>(**kwargs)`` calls cannot be typed, so the kubelet,
the wire adapters and the conformance suites call the hooks through these
classes instead, as tox's ``Plugin`` class does: ``pm.runtime``
(:class:`RuntimeHooks`), ``pm.network`` (:class:`NetworkHooks`) and
``pm.storage`` (:class:`StorageHooks`). Each method is a hook's name without
its kind prefix (``runtime_run_pod_sandbox`` is
``pm.runtime.run_pod_sandbox``; ``network_del`` is ``pm.network.del_``), and:

* takes the spec's parameters, with the spec's names and types, in the
  spec's order, the target (``handler``, ``cni_type``, ``driver``) first;
  trailing parameters the spec lets be empty or ``None`` default to that
  (``verbose=False``, ``auth=None``, an empty mapping, the default filter);
* returns the spec's result type without ``| None``: when no plugin answers,
  :meth:`PluginManager.call <podkit.PluginManager.call>` raises
  :class:`~podkit.NoPluginError` or :class:`~podkit.UnimplementedError`
  instead;
* in async code, is awaited through the manager:
  ``await pm.acall(pm.network.add, cni_type=..., config=..., attachment=...)``.

The facade modules import models only on first use (the default filters, and
:class:`~podkit.models.storage.Secrets`), so that building a plugin manager
does not import the models of every kind: ``podkit-cni`` is executed once
per CNI call and should pay for the network models alone.
"""

from __future__ import annotations

from podkit.pluginmanager._facade_network import NetworkHooks
from podkit.pluginmanager._facade_runtime import RuntimeHooks
from podkit.pluginmanager._facade_storage import StorageHooks

__all__ = ["NetworkHooks", "RuntimeHooks", "StorageHooks"]
