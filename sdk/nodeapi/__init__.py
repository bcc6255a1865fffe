"""The node agent's local API: JSON over HTTP/1.1 on a root-only unix socket.

``podkit node`` serves it (:class:`NodeApiServer`, on the agent's
:class:`~podkit.kubelet.Node`); ``podkit get/describe/logs/exec/delete`` use
it (:class:`NodeApiClient`). Paths and objects are Kubernetes' (``GET
/api/v1/namespaces/{ns}/pods``...), so that what the commands print reads as
kubectl's. Only root (and the agent's own user) may connect: the socket is
mode 0600 and each connection's peer credentials are checked.
"""

from __future__ import annotations

from podkit.nodeapi._client import NodeApiClient
from podkit.nodeapi._paths import DEFAULT_SOCKET
from podkit.nodeapi._server import NodeApiServer

__all__ = ["DEFAULT_SOCKET", "NodeApiClient", "NodeApiServer"]
