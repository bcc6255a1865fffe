"""Pods and their status as the Kubernetes API writes them (``v1.Pod``, ``v1.EventList``).

The models have the upstream field names in snake_case, so the spec is
written back generically (camelCase, fields left at their defaults dropped);
the status is written field by field, as its shape differs from the models'
(``state: {running: {...}}``, ``status: "True"``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, cast

import attrs

from podkit.kubelet import (
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
)
from podkit.models.kube import Quantity

if TYPE_CHECKING:
    from podkit.kubelet import ContainerState, ContainerStatus, PodEvent, PodStatus
    from podkit.models.kube import Pod

Json = dict[str, object]
#: Where Kubernetes' names do not follow from the snake_case ones.
_NAMES: Final = {"host_pid": "hostPID", "host_ipc": "hostIPC", "pod_ips": "podIPs"}
_SUFFIXES: Final = (("Ip", "IP"), ("Id", "ID"), ("Ips", "IPs"), ("Url", "URL"))


def camel(name: str) -> str:
    """``host_ip`` -> ``hostIP``: a snake_case field's Kubernetes name."""
    if name in _NAMES:
        return _NAMES[name]
    first, *rest = name.split("_")
    words = [first, *(word.capitalize() for word in rest)]
    for suffix, upstream in _SUFFIXES:
        if len(words) > 1 and words[-1] == suffix:
            words[-1] = upstream
    return "".join(words)


def timestamp(value: dt.datetime | None) -> str | None:
    """RFC 3339 in UTC, to the second, as Kubernetes writes times."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_default(field: attrs.Attribute[object], value: object, owner: object) -> bool:
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        factory = default.factory  # type: ignore[attr-defined]
        default = factory(owner) if default.takes_self else factory()  # type: ignore[attr-defined]
    try:
        return bool(value == default) or value in ((), {}, None)
    except TypeError:
        return False


def plain(value: object) -> object:  # noqa: PLR0911 - one return per JSON type
    """A model (or a value in one) as JSON: camelCase keys, defaults dropped."""
    if attrs.has(type(value)):
        out: Json = {}
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(value))):
            item = getattr(value, field.name)
            if not _is_default(field, item, value):
                out[camel(field.name)] = plain(item)
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Quantity):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value


def _state(state: ContainerState | None) -> Json:
    if isinstance(state, ContainerStateWaiting):
        return {"waiting": _dropped({"reason": state.reason, "message": state.message})}
    if isinstance(state, ContainerStateRunning):
        return {"running": {"startedAt": timestamp(state.started_at)}}
    if isinstance(state, ContainerStateTerminated):
        terminated = {
            "exitCode": state.exit_code,
            "reason": state.reason,
            "message": state.message,
            "startedAt": timestamp(state.started_at),
            "finishedAt": timestamp(state.finished_at),
            "containerID": state.container_id,
        }
        return {"terminated": _dropped(terminated, keep=("exitCode",))}
    return {}


def _dropped(values: Json, keep: tuple[str, ...] = ()) -> Json:
    return {k: v for k, v in values.items() if k in keep or v not in ("", None)}


def _container(status: ContainerStatus) -> Json:
    return {
        "name": status.name,
        "state": _state(status.state),
        "lastState": _state(status.last_state),
        "ready": status.ready,
        "restartCount": status.restart_count,
        "image": status.image,
        "imageID": status.image_id,
        "containerID": status.container_id,
        "started": status.started,
    }


def pod_status(status: PodStatus) -> Json:
    """``v1.PodStatus`` (without the events: see :func:`event_list`)."""
    out: Json = {
        "phase": status.phase.value,
        "conditions": [
            _dropped(
                {
                    "type": c.type,
                    "status": "True" if c.status else "False",
                    "reason": c.reason,
                    "message": c.message,
                }
            )
            for c in status.conditions
        ],
        "hostIP": status.host_ip,
        "podIP": status.pod_ip,
        "podIPs": [{"ip": ip} for ip in status.pod_ips],
        "startTime": timestamp(status.start_time),
        "qosClass": status.qos_class,
        "reason": status.reason,
        "message": status.message,
        "initContainerStatuses": [_container(c) for c in status.init_container_statuses],
        "containerStatuses": [_container(c) for c in status.container_statuses],
    }
    return _dropped(out, keep=("phase",))


def pod(pod: Pod, status: PodStatus, *, deleting: dt.datetime | None = None) -> Json:
    """``v1.Pod``: the pod as it runs, and its status; ``deleting`` when it is being deleted."""
    metadata = plain(pod.metadata)
    assert isinstance(metadata, dict)  # noqa: S101 - an attrs model gives a dict
    created = timestamp(status.start_time)
    if created:
        metadata["creationTimestamp"] = created
    if deleting is not None:
        metadata["deletionTimestamp"] = timestamp(deleting)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": plain(pod.spec),
        "status": pod_status(status),
    }


def event_list(pod: Pod, events: tuple[PodEvent, ...]) -> Json:
    """The pod's events as ``v1.EventList``, oldest first."""
    meta = pod.metadata
    involved = {"kind": "Pod", "namespace": meta.namespace, "name": meta.name, "uid": meta.uid}
    items = [
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"namespace": meta.namespace, "name": f"{meta.name}.{index}"},
            "involvedObject": involved,
            "type": event.type,
            "reason": event.reason,
            "message": event.message,
            "firstTimestamp": timestamp(event.time),
            "lastTimestamp": timestamp(event.time),
            "count": 1,
            "source": {"component": "kubelet", "host": pod.spec.node_name},
        }
        for index, event in enumerate(events)
    ]
    return {"apiVersion": "v1", "kind": "EventList", "items": items}


__all__ = ["camel", "event_list", "plain", "pod", "pod_status", "timestamp"]
