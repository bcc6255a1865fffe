"""The node's state on disk: what it was given comes back as it was (no root needed)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from podkit import manifests
from podkit.errors import IncompatibleVersionError, InternalError
from podkit.kubelet._codec import decode, encode
from podkit.kubelet._convert import container_hash
from podkit.kubelet._store import NodeStore
from podkit.models.kube import Pod

EXAMPLES = Path(__file__).parents[2] / "examples" / "manifests"


def examples():
    return [obj for path in sorted(EXAMPLES.glob("*.yaml")) for obj in manifests.load_file(path)]


@pytest.mark.parametrize("obj", examples(), ids=lambda o: f"{type(o).__name__}-{o.metadata.name}")
def test_every_example_object_comes_back_equal_through_json(obj):
    assert decode(json.loads(json.dumps(encode(obj)))) == obj


def test_a_pod_with_its_uid_and_deletion_mark_comes_back(tmp_path):
    store = NodeStore(tmp_path / "desired")
    (pod,) = [o for o in examples() if isinstance(o, Pod)][:1]
    pod = attrs.evolve(pod, metadata=attrs.evolve(pod.metadata, uid="pkkc-uid-1"))
    store.save_pod(pod)
    (entry,) = store.pods()
    assert (entry.pod, entry.deleting) == (pod, False)
    store.save_pod(pod, deleting=True)
    (entry,) = store.pods()
    assert entry.deleting
    store.forget_pod("pkkc-uid-1")
    assert store.pods() == []
    store.remove_empty()
    assert not (tmp_path / "desired").exists()


def test_secrets_and_config_maps_are_kept_by_name_and_replaced(tmp_path):
    store = NodeStore(tmp_path / "desired")
    objects = [o for o in examples() if type(o).__name__ in {"Secret", "ConfigMap"}]
    assert objects
    for obj in objects:
        store.save_object(obj)
        store.save_object(obj)
    assert sorted(map(repr, store.objects())) == sorted(map(repr, objects))
    store.clear_objects()
    assert store.objects() == []


def test_a_file_of_another_version_is_refused_not_overwritten(tmp_path):
    store = NodeStore(tmp_path / "desired")
    (tmp_path / "desired" / "pods").mkdir(parents=True)
    path = tmp_path / "desired" / "pods" / "x.json"
    path.write_text(json.dumps({"version": 2, "object": {}}))
    with pytest.raises(IncompatibleVersionError, match="version 2"):
        store.pods()
    path.write_text("{not json")
    with pytest.raises(InternalError):
        store.pods()


def test_an_unknown_model_name_is_refused():
    with pytest.raises(InternalError, match="unknown model"):
        decode({"$": "os.system"})


def test_leftovers_of_cut_writes_are_removed(tmp_path):
    store = NodeStore(tmp_path / "desired")
    (tmp_path / "desired" / "pods").mkdir(parents=True)
    (tmp_path / "desired" / "pods" / ".abc.json.x1.tmp").write_text("{")
    assert store.remove_temporaries() == 1
    assert store.pods() == []


def test_the_container_hash_follows_the_definition():
    (pod,) = [o for o in examples() if isinstance(o, Pod)][:1]
    container = pod.spec.containers[0]
    assert container_hash(container) == container_hash(attrs.evolve(container))
    changed = attrs.evolve(container, image=container.image + "-other")
    assert container_hash(changed) != container_hash(container)
