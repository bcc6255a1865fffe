from __future__ import annotations

import pytest

from podkit import errors
from podkit.plugins.runtime._images._reference import parse_reference

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("library/busybox", "docker.io/library/busybox:latest"),
        ("docker.io/busybox", "docker.io/library/busybox:latest"),
        ("index.docker.io/library/busybox:x", "docker.io/library/busybox:x"),
        ("user/app", "docker.io/user/app:latest"),
        ("127.0.0.1:5000/pki/busybox", "127.0.0.1:5000/pki/busybox:latest"),
        ("localhost/app:v1", "localhost/app:v1"),
        ("quay.io/a/b/c:v1.2-3_x", "quay.io/a/b/c:v1.2-3_x"),
        (f"busybox@{DIGEST}", f"docker.io/library/busybox@{DIGEST}"),
        (f"busybox:1@{DIGEST}", f"docker.io/library/busybox:1@{DIGEST}"),
    ],
)
def test_references_are_normalized_as_docker_does(text, normalized):
    assert str(parse_reference(text)) == normalized


def test_a_reference_names_its_repository_tag_and_digests():
    ref = parse_reference("127.0.0.1:5000/pki/busybox:v1")
    assert ref.name == "127.0.0.1:5000/pki/busybox"
    assert ref.tagged == "127.0.0.1:5000/pki/busybox:v1"
    assert ref.with_digest(DIGEST) == f"127.0.0.1:5000/pki/busybox@{DIGEST}"
    assert parse_reference(f"busybox@{DIGEST}").tagged == ""


@pytest.mark.parametrize(
    "text",
    ["", "Busybox", "busybox:", "busybox@sha256:abc", "a//b", "busy box", "-a/b", "busybox:-x"],
)
def test_invalid_references_are_refused_with_their_text(text):
    with pytest.raises(errors.InvalidArgumentError, match="invalid image reference"):
        parse_reference(text)
