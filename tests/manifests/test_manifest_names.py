"""Property tests: names in manifests are accepted or rejected with a field-path error."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podkit import manifests
from podkit.errors import ManifestError
from podkit.models.kube import Pod

LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
LABEL_RE = re.compile(LABEL)
SUBDOMAIN_RE = re.compile(rf"{LABEL}(\.{LABEL})*")

labels = st.from_regex(LABEL, fullmatch=True)
subdomains = st.lists(labels, min_size=1, max_size=5).map(".".join).filter(lambda s: len(s) <= 253)
not_labels = st.text(min_size=1, max_size=80).filter(
    lambda s: not (LABEL_RE.fullmatch(s) and len(s) <= 63)
)
not_subdomains = st.text(min_size=1, max_size=300).filter(
    lambda s: not (SUBDOMAIN_RE.fullmatch(s) and len(s) <= 253)
)


def pod(name="web", container="app", volume="data", env="NAME"):
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name},
            "spec": {
                "volumes": [{"name": volume, "emptyDir": {}}],
                "containers": [
                    {
                        "name": container,
                        "image": "busybox",
                        "env": [{"name": env, "value": "x"}],
                        "volumeMounts": [{"name": volume, "mountPath": "/data"}],
                    }
                ],
            },
        }
    )


def rejected(text):
    with pytest.raises(ManifestError) as info:
        manifests.load(text)
    return info.value.errors


@given(subdomains, labels, labels)
def test_valid_names_are_accepted(name, container, volume):
    (loaded,) = manifests.load(pod(name=name, container=container, volume=volume))
    assert isinstance(loaded, Pod)
    assert loaded.metadata.name == name
    assert loaded.spec.containers[0].name == container
    assert loaded.spec.volumes[0].name == volume


@given(not_labels)
def test_invalid_container_names_are_rejected_at_their_path(name):
    errors = rejected(pod(container=name))
    assert {error.path for error in errors} == {"spec.containers[0].name"}
    prefix = f"invalid value {json.dumps(name, ensure_ascii=False)}: "
    assert all(error.message.startswith(prefix) for error in errors)


@given(not_labels)
def test_invalid_volume_names_are_rejected_at_their_path(name):
    errors = rejected(pod(volume=name))
    assert {error.path for error in errors} == {"spec.volumes[0].name"}


@given(not_subdomains)
def test_invalid_object_names_are_rejected_at_their_path(name):
    errors = rejected(pod(name=name))
    assert {error.path for error in errors} == {"metadata.name"}


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1))
def test_env_names_may_be_any_printable_ascii_but_equals(name):
    text = pod(env=name)
    if "=" in name:
        errors = rejected(text)
        assert [error.path for error in errors] == ["spec.containers[0].env[0].name"]
    else:
        (loaded,) = manifests.load(text)
        assert isinstance(loaded, Pod)
        assert loaded.spec.containers[0].env[0].name == name
