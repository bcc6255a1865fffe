"""Reading manifest text and files: YAML and JSON, documents, syntax errors, sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podkit import manifests
from podkit.errors import FieldError, InvalidArgumentError, ManifestError
from podkit.models.kube import ConfigMap, Pod

INVALID = Path(__file__).parent / "data" / "invalid"
VALID = Path(__file__).parent / "data" / "valid"

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: busybox}]
"""


def errors_of(call):
    with pytest.raises(ManifestError) as info:
        call()
    return info.value


def test_errors_of_several_documents_carry_the_document_index():
    error = errors_of(lambda: manifests.load_file(INVALID / "multi-document.yaml"))
    assert error.source == str(INVALID / "multi-document.yaml")
    assert error.errors == (
        FieldError("[0].spec.containers[0].resources.limits.memory", 'invalid quantity "64Q"'),
        FieldError("[2].spec.containers[1].name", 'duplicate value "app"'),
    )
    assert str(error).splitlines()[1] == (
        f'{INVALID / "multi-document.yaml"}: [2].spec.containers[1].name: duplicate value "app"'
    )


def test_a_single_document_has_no_index():
    error = errors_of(lambda: manifests.load(POD.replace("busybox", '""')))
    assert error.errors == (FieldError("spec.containers[0].image", "required value"),)


def test_empty_documents_do_not_count():
    text = "---\n# nothing\n---\n" + POD.replace("busybox", '""') + "---\n"
    error = errors_of(lambda: manifests.load(text))
    assert error.errors == (FieldError("spec.containers[0].image", "required value"),)


def messages(error):
    assert all(not e.path for e in error.errors)
    return [e.message for e in error.errors]


# libyaml (PyYAML's C loader) and the pure-Python loader word some problems differently.
def test_a_syntax_error_gives_line_and_column_after_the_earlier_documents():
    error = errors_of(lambda: manifests.load_file(INVALID / "syntax-error.yaml"))
    (message,) = messages(error)
    assert re.fullmatch(
        r"invalid YAML at line 15, column \d+: did not find expected ',' or '}'", message
    )


def test_earlier_documents_are_still_checked_before_a_syntax_error():
    text = POD.replace("busybox", '""') + "---\nkey: [unclosed\n"
    error = errors_of(lambda: manifests.load(text, source="two.yaml"))
    assert error.errors[0] == FieldError("spec.containers[0].image", "required value")
    assert error.errors[1].path == ""
    assert re.fullmatch(
        r"invalid YAML at line 8, column \d+: did not find expected ',' or ']'",
        error.errors[1].message,
    )


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("a: b: c\n", r"invalid YAML at line 1, column 5: mapping values are not allowed .*"),
        (
            "a:\n\t- b\n",
            r"invalid YAML at line 2, column 1: found character .*that cannot start any token",
        ),
        ("a: *nowhere\n", r"invalid YAML at line 1, column 4: found undefined alias.*"),
        (
            '{"a": 1,}',
            r"invalid JSON at line 1, column 9: Expecting property name enclosed in double quotes",
        ),
        ('{"a": 1, "a": 2}', r'invalid JSON: duplicate key "a"'),
        ("[" * 2000 + "]" * 2000, r"invalid manifest: nested too deeply"),
    ],
)
def test_syntax_errors_are_manifest_errors_not_tracebacks(text, pattern):
    error = errors_of(lambda: manifests.load(text))
    (message,) = messages(error)
    assert re.fullmatch(pattern, message)


def test_a_repeated_key_is_an_error():
    error = errors_of(lambda: manifests.load_file(INVALID / "duplicate-key.yaml"))
    assert error.errors == (
        FieldError("", 'invalid YAML at line 9, column 5: duplicate key "image"'),
    )


def test_merge_keys_may_be_overridden():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - &base {name: c, image: busybox}
  - <<: *base
    name: d
"""
    (pod,) = manifests.load(text)
    assert isinstance(pod, Pod)
    assert [c.name for c in pod.spec.containers] == ["c", "d"]


def test_scalar_keys_are_strings_and_dates_stay_text():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {1: 2001-12-14, true: x}\n"
    (config_map,) = manifests.load(text)
    assert isinstance(config_map, ConfigMap)
    assert config_map.data == {"1": "2001-12-14", "true": "x"}


def test_a_document_that_is_not_an_object():
    error = errors_of(lambda: manifests.load("- a\n- b\n"))
    assert error.errors == (FieldError("", "expected object, got array"),)


def test_bytes_are_read_as_utf8():
    (pod,) = manifests.load(("\ufeff" + POD).encode())
    assert isinstance(pod, Pod)
    error = errors_of(lambda: manifests.load(b"name: \xff\n", source="bin.yaml"))
    assert error.errors == (FieldError("", "invalid manifest: not UTF-8 text (byte 6)"),)


def test_empty_text_has_no_objects():
    assert manifests.load("") == []
    assert manifests.load("# just a comment\n---\n") == []


def test_a_missing_file_is_a_manifest_error(tmp_path):
    path = tmp_path / "missing.yaml"
    error = errors_of(lambda: manifests.load_file(path))
    assert error.source == str(path)
    assert error.errors == (FieldError("", "failed to read manifest: No such file or directory"),)
    assert isinstance(error, InvalidArgumentError)


def test_load_files_reports_one_invalid_file_as_load_file_does():
    error = errors_of(
        lambda: manifests.load_files([VALID / "csi-inline.yaml", INVALID / "duplicate-key.yaml"])
    )
    assert error.source == str(INVALID / "duplicate-key.yaml")


def test_load_files_reports_every_invalid_file():
    paths = [
        INVALID / "duplicate-key.yaml",
        VALID / "csi-inline.yaml",
        INVALID / "multi-document.yaml",
    ]
    error = errors_of(lambda: manifests.load_files(paths))
    assert error.source == ""
    assert [e.path for e in error.errors] == [
        str(INVALID / "duplicate-key.yaml"),
        f"{INVALID / 'multi-document.yaml'}: [0].spec.containers[0].resources.limits.memory",
        f"{INVALID / 'multi-document.yaml'}: [2].spec.containers[1].name",
    ]


def test_a_list_inside_a_list_is_not_supported():
    text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List, items: []}\n"
    error = errors_of(lambda: manifests.load(text))
    assert error.errors == (
        FieldError(
            "items[0].kind",
            'unsupported value "List": supported kinds: "ConfigMap", "Pod", "Secret"',
        ),
    )


def test_public_api():
    assert manifests.__all__ == ["load", "load_file", "load_files"]
