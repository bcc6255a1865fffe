from __future__ import annotations

import json

import pytest

from podkit import statefiles


def test_write_json_replaces_the_file_whole(tmp_path):
    path = tmp_path / "state" / "sandbox.json"
    statefiles.write_json(path, {"id": "a", "state": "ready"})
    statefiles.write_json(path, {"id": "a", "state": "notready"})
    assert json.loads(path.read_text()) == {"id": "a", "state": "notready"}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["sandbox.json"]  # no temporary file left


def test_a_failed_write_leaves_the_old_content_and_no_temporary_file(tmp_path):
    path = tmp_path / "state.json"
    statefiles.write_json(path, {"v": 1})
    with pytest.raises(TypeError):
        statefiles.write_json(path, {"v": object()})
    assert json.loads(path.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.mark.parametrize("durable", [True, False])
def test_a_write_fsyncs_only_when_durable(tmp_path, monkeypatch, durable):
    synced: list[int] = []
    real_fsync = statefiles.os.fsync
    monkeypatch.setattr(statefiles.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    path = tmp_path / "10.22.0.5"
    statefiles.write_bytes(path, b"c1\r\neth0", mode=0o644, durable=durable)
    assert path.read_bytes() == b"c1\r\neth0"
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in tmp_path.iterdir()] == ["10.22.0.5"]
    assert len(synced) == (2 if durable else 0)  # the file, then its directory
