"""``podkit install-cni``: the ``python -S`` launcher and its type links in a CNI bin folder.

The launcher and the agent are exercised in ``test_agent.py`` (every test
there runs through both the console script and the launcher); this module
checks what the install does to a folder: what it writes, what it leaves
alone, what ``--remove`` takes away, and that the launcher runs without
``site`` until it needs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from podkit.errors import InvalidArgumentError
from podkit.wire.cni import _install

BIN = Path(sys.executable).parent


def podkit_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "podkit", *map(str, args)], capture_output=True, text=True, check=False, timeout=60
    )


def exec_plugin(
    path: Path, command: str, socket: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    config = {"cniVersion": "1.0.0", "name": "pkic-net", "type": path.name}
    environ = {"PATH": os.environ["PATH"], "CNI_COMMAND": command, "PODKIT_CNI_AGENT": str(socket)}
    return subprocess.run(
        [path],
        input=json.dumps(config),
        env=environ | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_install_links_every_network_type_to_one_launcher(tmp_path: Path) -> None:
    folder = tmp_path / "opt" / "cni" / "bin"
    done = podkit_cli("install-cni", "--bin-dir", folder)
    assert done.returncode == 0, done.stderr
    # The reference plugins' types at least (other installed plugins may add theirs).
    types = {"bridge", "host-local", "loopback", "portmap"}
    assert types <= {path.name for path in folder.iterdir()}
    for name in types:
        assert (folder / name).readlink() == Path("podkit-cni")
        assert f"linked {folder / name} -> podkit-cni" in done.stdout
    launcher = folder / "podkit-cni"
    assert _install.is_launcher(launcher)
    assert launcher.stat().st_mode & 0o777 == 0o755
    assert launcher.read_text().splitlines()[0] == f"#!{sys.executable} -S"
    assert not [path for path in folder.iterdir() if path.name.startswith(".")]  # no temp files


def test_the_launcher_runs_the_plugin_in_process_without_an_agent(tmp_path: Path) -> None:
    _install.install(tmp_path, ["loopback"])
    done = exec_plugin(tmp_path / "loopback", "VERSION", tmp_path / "no-agent.sock")
    assert done.returncode == 0, done.stderr
    assert "1.1.0" in json.loads(done.stdout)["supportedVersions"]
    # Errors come back as the SPEC's JSON, from the in-process fallback (``site`` loaded late).
    bad = exec_plugin(tmp_path / "loopback", "BOGUS", tmp_path / "no-agent.sock")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["code"] == 4  # SPEC: invalid necessary environment variables


def test_the_launcher_does_not_load_site_on_the_agent_path(tmp_path: Path) -> None:
    # Python's own view from inside the launcher's interpreter: flags and loaded modules.
    probe = tmp_path / "probe"
    text = _install.launcher_text(sys.executable, str(tmp_path))
    (tmp_path / "_thin.py").write_text(
        "import sys\n"
        "def main():\n"
        "    print(sys.flags.no_site, 'site' in sys.modules, flush=True)\n"
        "    return 0\n"
    )
    probe.write_text(text)
    probe.chmod(0o755)
    done = subprocess.run([probe], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["1", "False"]


def test_a_baked_in_socket_is_the_default_and_the_environment_still_wins(tmp_path: Path) -> None:
    text = _install.launcher_text(sys.executable, "/nowhere", "/run/pkic/cni.sock")
    assert "os.environ.setdefault('PODKIT_CNI_AGENT', '/run/pkic/cni.sock')" in text


def test_files_that_are_not_podkits_are_left_alone_unless_forced(tmp_path: Path) -> None:
    upstream = tmp_path / "bridge"
    upstream.write_text("#!/bin/sh\necho upstream\n")
    upstream.chmod(0o755)
    done = podkit_cli(
        "install-cni", "--bin-dir", tmp_path, "--type", "bridge", "--type", "loopback"
    )
    assert done.returncode == 1
    assert f"skipped bridge: {upstream} exists and is not podkit's" in done.stderr
    assert upstream.read_text().endswith("echo upstream\n")
    assert (tmp_path / "loopback").readlink() == Path("podkit-cni")
    # Installing again is the same (our own links and launcher are replaced in place).
    again = _install.install(tmp_path, ["loopback"])
    assert again.linked == ("loopback",)
    assert again.skipped == ()
    forced = _install.install(tmp_path, ["bridge"], force=True)
    assert forced.linked == ("bridge",)
    assert upstream.readlink() == Path("podkit-cni")


def test_remove_takes_only_podkits_files(tmp_path: Path) -> None:
    foreign = tmp_path / "macvlan"
    foreign.write_text("#!/bin/sh\n")
    elsewhere = tmp_path / "tuning"
    elsewhere.symlink_to("/usr/lib/cni/tuning")
    _install.install(tmp_path, ["bridge", "host-local"])
    done = podkit_cli("install-cni", "--bin-dir", tmp_path, "--remove")
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["macvlan", "tuning"]
    assert f"removed {tmp_path / 'podkit-cni'}" in done.stdout
    assert _install.uninstall(tmp_path) == []  # nothing left to remove: no error


def test_a_foreign_launcher_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "podkit-cni").write_text("#!/bin/sh\n# someone else's\n")
    with pytest.raises(InvalidArgumentError, match="is not a podkit-cni launcher"):
        _install.install(tmp_path, ["bridge"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["podkit-cni"]


@pytest.mark.parametrize("name", ["", "../bridge", "a/b", ".", "podkit-cni"])
def test_a_type_that_is_not_a_file_name_is_refused_before_any_change(
    tmp_path: Path, name: str
) -> None:
    done = podkit_cli("install-cni", "--bin-dir", tmp_path / "bin", "--type", "ok", "--type", name)
    assert done.returncode == 1
    assert f"invalid CNI type {name!r}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "bin").exists()
