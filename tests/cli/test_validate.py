"""``podkit validate`` on generated manifests: bad names and quantities, valid files, stdin."""

from __future__ import annotations

import io
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podkit.cli import main

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: app
      image: busybox
      resources:
        limits:
          memory: {memory}
"""
SUFFIXES = {"", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}
EXPONENT = re.compile(r"^[eE][+-]?\d+$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# A number followed by a suffix Kubernetes does not know (a bare suffix such as
# "P" is a valid quantity: apimachinery reads the missing number as 0).
bad_suffixes = st.text(alphabet=string.ascii_letters, min_size=1, max_size=3).filter(
    lambda s: s not in SUFFIXES and not EXPONENT.match(s)
)
bad_quantities = st.builds(
    lambda number, suffix: f"{number}{suffix}", st.integers(0, 10**6), bad_suffixes
)
bad_names = st.text(
    alphabet=string.ascii_letters + string.digits + "-._", min_size=1, max_size=20
).filter(lambda s: not DNS_SUBDOMAIN.match(s))


def _validate(tmp_path, capsys, text):
    path = tmp_path / "pod.yaml"
    path.write_text(text)
    code = main(["validate", "-f", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines()


@SETTINGS
@given(memory=bad_quantities)
def test_an_invalid_quantity_is_reported_at_its_path(tmp_path, capsys, memory):
    code, lines = _validate(tmp_path, capsys, POD.format(name="web", memory=f'"{memory}"'))
    assert code == 1
    path = f"{tmp_path}/pod.yaml"
    assert lines == [
        f'spec.containers[0].resources.limits.memory: invalid quantity "{memory}"  ({path})'
    ]


@SETTINGS
@given(name=bad_names)
def test_an_invalid_name_is_reported_at_its_path(tmp_path, capsys, name):
    code, lines = _validate(tmp_path, capsys, POD.format(name=f'"{name}"', memory="64Mi"))
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f'metadata.name: invalid value "{name}": ')


def test_valid_files_and_folders_exit_0(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(POD.format(name="a", memory="64Mi"))
    (tmp_path / "b.json").write_text(
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"k": "v"}}'
    )
    (tmp_path / "notes.txt").write_text("not a manifest")
    assert main(["validate", "-f", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path}/a.yaml: valid (pod/a)",
        f"{tmp_path}/b.json: valid (configmap/b)",
    ]


def test_stdin_and_a_missing_file(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(POD.format(name="x", memory="1Gi")))
    assert main(["validate", "-f", "-"]) == 0
    assert capsys.readouterr().out == "-: valid (pod/x)\n"
    missing = tmp_path / "missing.yaml"
    assert main(["validate", "-f", str(missing)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [f"failed to read manifest: No such file or directory  ({missing})"]


def test_a_yaml_syntax_error_names_line_and_column(tmp_path, capsys):
    code, lines = _validate(tmp_path, capsys, "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")
    assert code == 1
    assert len(lines) == 1
    assert re.search(r"line \d+", lines[0])
    assert lines[0].endswith(f"({tmp_path}/pod.yaml)")


def test_every_file_is_checked_even_after_a_bad_one(tmp_path, capsys):
    (tmp_path / "1-bad.yaml").write_text(POD.format(name="Bad", memory="64Mi"))
    (tmp_path / "2-good.yaml").write_text(POD.format(name="good", memory="64Mi"))
    assert main(["validate", "-f", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('metadata.name: invalid value "Bad"')
    assert lines[1] == f"{tmp_path}/2-good.yaml: valid (pod/good)"


@pytest.mark.parametrize("path", ["examples/manifests"])
def test_the_example_manifests_are_valid(path, capsys):
    from pathlib import Path

    root = Path(__file__).parent.parent.parent
    assert main(["validate", "-f", str(root / path)]) == 0
    assert "valid (" in capsys.readouterr().out
