"""The ``podkit`` command line, run in-process and as the installed script."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import podkit
from podkit.cli import main

EXAMPLE_INSTALLED = shutil.which("podkit", path=str(Path(sys.executable).parent)) is not None


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"podkit {podkit.__version__}\n"


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("plugins", "validate", "conformance"):
        assert command in out
    assert "PODKIT_TRACE" in out


def _install(tmp_path, name, entry_points, module, source):
    dist = tmp_path / f"{name.replace('-', '_')}-0.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.3\n")
    (dist / "entry_points.txt").write_text(entry_points)
    (tmp_path / f"{module}.py").write_text(source)


def test_plugins_prints_a_table_of_installed_plugins(capsys, monkeypatch, tmp_path):
    _install(
        tmp_path,
        "acme-volumes",
        "[podkit.storage]\nacme-volumes = acme_volumes:Plugin\n",
        "acme_volumes",
        "import podkit\n"
        "@podkit.answers_for('a.acme.dev', 'b.acme.dev')\n"
        "class Plugin:\n"
        "    def storage_probe(self):\n"
        "        return None\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["plugins"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "ANSWERS", "FOR", "VERSION", "DISTRIBUTION"]
    rows = {line.split()[0]: line.split(maxsplit=1)[1] for line in lines[1:]}
    assert rows["acme-volumes"].split() == [
        "storage",
        "a.acme.dev,",
        "b.acme.dev",
        "0.3",
        "acme-volumes",
    ]


def test_plugins_with_trace_lists_the_trace_wrapper(capsys, monkeypatch):
    monkeypatch.setenv("PODKIT_TRACE", "0")  # main() sets it; undo that afterwards
    assert main(["--trace", "plugins"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert ["trace", "any", "(any)"] in [row[:3] for row in rows]


def test_a_broken_plugin_is_one_clear_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    _install(
        tmp_path,
        "broken-cni",
        "[podkit.network]\nbroken = no_such_module:Plugin\n",
        "unrelated",
        "",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["plugins"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "podkit plugins: failed to load plugin 'broken' from distribution 'broken-cni'"
    )
    assert "Traceback" not in err
    monkeypatch.setenv("PODKIT_DISABLED_PLUGINS", "broken")
    assert main(["plugins"]) == 0


def test_conformance_runs_the_suite_and_summarises(tmp_path, capsys, monkeypatch):
    (tmp_path / "cli_smoke_plugin.py").write_text(
        "import podkit\n"
        "from podkit.models.network import VersionResult\n"
        "@podkit.answers_for('cli-smoke')\n"
        "class Plugin:\n"
        "    def network_version(self):\n"
        "        return VersionResult(supported_versions=('1.0.0', '1.1.0'))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    report = tmp_path / "report.xml"
    code = main(
        [
            "conformance",
            "network",
            "--plugin",
            "cli_smoke_plugin:Plugin",
            "--smoke",
            "--junitxml",
            str(report),
            "--",
            "-p",
            "no:hypothesispytest",
        ]
    )
    assert code == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == (
        "podkit conformance network: plugin 'cli_smoke_plugin:Plugin' conforms (3 passed)"
    )
    assert 'tests="3"' in report.read_text()


def test_the_installed_script_exits_1_on_a_bad_plugin_spec():
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "podkit"),
            "conformance",
            "network",
            "--plugin",
            "no_such_module:Plugin",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    assert "no_such_module" in done.stdout + done.stderr
