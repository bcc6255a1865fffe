from __future__ import annotations

import base64
import json
import shutil

import pytest
from pki_registry import (
    PASSWORD,
    USER,
    WRONG_PASSWORD,
    TokenProxy,
    bcrypt_htpasswd,
)

from podkit import errors
from podkit.plugins.runtime._images import ImageStore
from podkit.testing import require_binary
from podkit.testing.registry import LocalRegistry, free_port, push_oci_layout

pytestmark = [pytest.mark.root, pytest.mark.server, pytest.mark.integration]


@pytest.fixture
def store(tmp_path):
    return ImageStore(tmp_path / "pki-store")


@pytest.fixture
def pushed(registry, busybox_image, tmp_path):
    """The busybox image pushed to the registry as pki/busybox:latest."""
    push_oci_layout(busybox_image.path, f"{registry.host}/pki/busybox:latest", workdir=tmp_path)
    return f"{registry.host}/pki/busybox"


def stored_files(store):
    return sorted(
        str(path.relative_to(store.root))
        for path in store.root.rglob("*")
        if path.is_file() and not path.name.endswith((".lock", "refs.json", "leases.json"))
    )


def test_an_image_is_pulled_by_tag(store, busybox_image, pushed):
    record = store.pull(f"{pushed}:latest")
    assert record.id == busybox_image.config_digest
    assert record.repo_tags == (f"{pushed}:latest",)
    assert record.repo_digests == (f"{pushed}@{busybox_image.manifest_digest}",)
    assert record.cmd == ("sh",)
    layer = store.layer_dirs(record)[0]
    assert (layer / "bin" / "busybox").is_file()
    assert str((layer / "bin" / "sh").readlink()) == "busybox"
    assert store.resolve(pushed) == record


def test_an_image_is_pulled_by_digest(store, busybox_image, pushed):
    record = store.pull(f"{pushed}@{busybox_image.manifest_digest}")
    assert record.id == busybox_image.config_digest
    assert record.repo_tags == ()
    assert record.repo_digests == (f"{pushed}@{busybox_image.manifest_digest}",)
    assert store.resolve(f"{pushed}@{busybox_image.manifest_digest}") == record


def test_pulling_again_reuses_the_layer(store, busybox_image, pushed):
    first = store.pull(f"{pushed}:latest")
    assert store.pull(f"{pushed}@{busybox_image.manifest_digest}") == first
    assert len(list((store.root / "layers").iterdir())) == 1


def test_a_corrupted_layer_in_the_registry_is_refused_and_leaves_nothing(
    store, busybox_image, pushed, registry
):
    blob = registry.blob_file(busybox_image.layer_digests[0])
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    with pytest.raises(errors.InvalidArgumentError, match=r"failed to verify layer 0 .* hashes to"):
        store.pull(f"{pushed}:latest")
    assert store.list() == []
    assert stored_files(store) == []
    with pytest.raises(errors.NotFoundError):
        store.resolve(f"{pushed}:latest")


def test_an_unknown_image_or_digest_is_not_found(store, pushed):
    with pytest.raises(errors.NotFoundError, match="HTTP 404"):
        store.pull(f"{pushed}:nope")
    with pytest.raises(errors.NotFoundError, match="HTTP 404"):
        store.pull(f"{pushed}@sha256:{'0' * 64}")
    assert stored_files(store) == []


def test_an_unreachable_registry_is_unavailable(store):
    with pytest.raises(errors.UnavailableError, match="Connection refused"):
        store.pull(f"127.0.0.1:{free_port()}/pki/busybox:latest")


def test_docker_schema2_manifests_are_pulled(store, busybox_image, registry, tmp_path):
    dest = f"{registry.host}/pki/busybox:v2s2"
    push_oci_layout(busybox_image.path, dest, workdir=tmp_path, extra=["--format", "v2s2"])
    record = store.pull(dest)
    assert record.id == busybox_image.config_digest
    [repo_digest] = record.repo_digests
    assert not repo_digest.endswith(busybox_image.manifest_digest)  # a Docker manifest now
    assert record.diff_ids == busybox_image.diff_ids
    assert (store.layer_dirs(record)[0] / "bin" / "busybox").is_file()


def test_uncompressed_layers_are_pulled(store, registry, tmp_path, image_tools):
    entry = image_tools.Entry
    layout = image_tools.write_layout(
        tmp_path / "pki-plain", [image_tools.make_tar([entry("hello", data=b"hi")])], compress=False
    )
    push_oci_layout(layout.path, f"{registry.host}/pki/plain:latest", workdir=tmp_path)
    record = store.pull(f"{registry.host}/pki/plain")
    assert record.id == layout.config_digest
    assert (store.layer_dirs(record)[0] / "hello").read_bytes() == b"hi"


def multi_platform_layout(busybox_image, tmp_path, image_tools):
    """The busybox layout with an index of two platforms: this one and linux/s390x."""
    layout = tmp_path / "pki-multi"
    shutil.copytree(busybox_image.path, layout)
    blobs = layout / "blobs" / "sha256"

    def put(document):
        data = json.dumps(document).encode()
        digest = image_tools.sha256(data)
        (blobs / digest.removeprefix("sha256:")).write_bytes(data)
        return {"digest": digest, "size": len(data)}

    config = json.loads(busybox_image.blob_path(busybox_image.config_digest).read_bytes())
    config["architecture"] = "s390x"
    manifest = json.loads(busybox_image.blob_path(busybox_image.manifest_digest).read_bytes())
    manifest["config"].update(put(config))
    other = put(manifest)
    manifest_type = "application/vnd.oci.image.manifest.v1+json"
    index = put(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": manifest_type,
                    "digest": busybox_image.manifest_digest,
                    "size": busybox_image.manifest_size,
                    "platform": {"os": "linux", "architecture": busybox_image.architecture},
                },
                {
                    "mediaType": manifest_type,
                    **other,
                    "platform": {"os": "linux", "architecture": "s390x"},
                },
            ],
        }
    )
    top = {
        "mediaType": "application/vnd.oci.image.index.v1+json",
        **index,
        "annotations": {"org.opencontainers.image.ref.name": "latest"},
    }
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [top]}))
    return layout, index["digest"], image_tools.sha256(json.dumps(config).encode())


def test_the_manifest_for_the_platform_is_chosen_from_an_index(
    store, busybox_image, registry, tmp_path, image_tools
):
    layout, index_digest, s390x_config = multi_platform_layout(busybox_image, tmp_path, image_tools)
    name = f"{registry.host}/pki/multi"
    push_oci_layout(layout, f"{name}:latest", workdir=tmp_path, all_images=True)
    mine = store.pull(f"{name}:latest")
    assert mine.id == busybox_image.config_digest
    assert mine.repo_digests == (f"{name}@{index_digest}",)  # the digest the tag points at
    other = store.pull(f"{name}:latest", platform=("linux", "s390x"))
    assert other.id == s390x_config
    assert store.layer_dirs(other) == store.layer_dirs(mine)
    with pytest.raises(errors.NotFoundError, match="none is for linux/riscv64"):
        store.pull(f"{name}:latest", platform=("linux", "riscv64"))
    # The same layout imports the same way from disk.
    assert store.import_oci_layout(layout, ref="pki/multi").id == busybox_image.config_digest


@pytest.fixture
def basic_auth_registry(tmp_path, busybox_image):
    """A docker-registry asking for basic auth pki:secret, with busybox pushed to it."""
    require_binary("skopeo")
    htpasswd = bcrypt_htpasswd(tmp_path / "pki-htpasswd", USER, PASSWORD)
    registry = LocalRegistry(tmp_path, htpasswd=htpasswd)
    try:
        push_oci_layout(
            busybox_image.path,
            f"{registry.host}/pki/busybox:latest",
            workdir=tmp_path,
            extra=["--dest-creds", f"{USER}:{PASSWORD}"],
        )
        yield registry
    finally:
        registry.stop()


def test_basic_auth_is_answered_with_the_credentials(store, busybox_image, basic_auth_registry):
    ref = f"{basic_auth_registry.host}/pki/busybox:latest"
    with pytest.raises(errors.UnauthenticatedError, match="HTTP 401"):
        store.pull(ref)
    with pytest.raises(errors.UnauthenticatedError):
        store.pull(ref, username=USER, password=WRONG_PASSWORD)
    assert store.pull(ref, username=USER, password=PASSWORD).id == busybox_image.config_digest
    store.remove(ref)
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert store.pull(ref, auth=auth).id == busybox_image.config_digest


def test_an_auth_that_is_no_base64_is_an_invalid_argument(store):
    with pytest.raises(errors.InvalidArgumentError, match="base64"):
        store.pull("127.0.0.1:1/pki/busybox", auth="!!!")


@pytest.fixture
def token_registry(pushed, registry):
    proxy = TokenProxy(registry.host)
    yield proxy
    proxy.stop()


def test_a_bearer_challenge_is_answered_with_a_token(store, busybox_image, token_registry):
    ref = f"{token_registry.host}/pki/busybox:latest"
    with pytest.raises(errors.UnauthenticatedError, match="registry token"):
        store.pull(ref)
    record = store.pull(ref, username=USER, password=PASSWORD)
    assert record.id == busybox_image.config_digest
    assert token_registry.token_requests[-1] == {
        "scope": ["repository:pki/busybox:pull"],
        "service": ["pki-registry"],
    }


def test_a_registry_token_is_sent_as_it_is(store, busybox_image, token_registry):
    ref = f"{token_registry.host}/pki/busybox:latest"
    record = store.pull(ref, registry_token=TokenProxy.TOKEN)
    assert record.id == busybox_image.config_digest
    assert token_registry.token_requests == []
