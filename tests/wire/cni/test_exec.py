"""``podkit-cni``: podkit network plugins as CNI binaries, in-process and exec'd."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import podkit
from podkit.wire.cni import run

BIN = Path(sys.executable).parent
PLUGIN = """
    import podkit
    from podkit.models.network import CNI_VERSIONS, IPConfig, Result, VersionResult

    @podkit.answers_for("pkw-ipam")
    class Plugin:
        leases = {}

        def network_add(self, config, attachment):
            address = f"192.0.2.{len(self.leases) + 10}/24"
            self.leases[attachment.container_id] = address
            return Result(cni_version=config.cni_version, ips=(IPConfig(address=address),))

        def network_del(self, attachment):
            self.leases.pop(attachment.container_id, None)
            return True

        def network_check(self, attachment):
            if attachment.container_id == "tampered":
                raise podkit.FailedPreconditionError("failed to check 'tampered': address gone")
            return True

        def network_status(self):
            return True

        def network_gc(self, valid_attachments):
            return True

        def network_version(self):
            return VersionResult(supported_versions=("0.4.0", "1.0.0", "1.1.0"))
"""
CONFIG = {"cniVersion": "1.0.0", "name": "pkw-net", "type": "pkw-ipam"}
ENV = {"CNI_CONTAINERID": "c1", "CNI_NETNS": "/run/netns/p", "CNI_IFNAME": "eth0"}


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A distribution that registers the plugin, where importlib.metadata finds it."""
    dist = tmp_path / "pkw_cni-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pkw-cni\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[podkit.network]\npkw-ipam = pkw_plugin:Plugin\n")
    (tmp_path / "pkw_plugin.py").write_text(textwrap.dedent(PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def _call(command, config=CONFIG, env=ENV, argv0="podkit-cni"):
    out = io.StringIO()
    environ = {"CNI_COMMAND": command, **env}
    stdin = io.StringIO(config if isinstance(config, str) else json.dumps(config))
    code = run([argv0], getenv=environ.get, stdin=stdin, stdout=out)
    text = out.getvalue()
    return code, json.loads(text) if text else None


def test_add_prints_the_result_in_the_configs_version(installed):
    code, body = _call("ADD")
    assert code == 0
    assert body == {"cniVersion": "1.0.0", "ips": [{"address": "192.0.2.10/24"}], "dns": {}}


def test_del_check_status_gc_print_nothing_on_success(installed):
    for command in ("DEL", "CHECK", "STATUS", "GC"):
        assert _call(command) == (0, None), command


def test_version_of_a_plugin_invoked_under_its_type_name(installed):
    code, body = _call("VERSION", {"cniVersion": "1.0.0"}, env={}, argv0="/opt/cni/bin/pkw-ipam")
    assert code == 0
    assert body == {"cniVersion": "1.0.0", "supportedVersions": ["0.4.0", "1.0.0", "1.1.0"]}


@pytest.mark.parametrize(
    ("command", "config", "env", "code", "message"),
    [
        ("BOGUS", CONFIG, ENV, 4, "CNI_COMMAND 'BOGUS' is not one of"),
        ("ADD", CONFIG, {"CNI_IFNAME": "eth0"}, 4, "CNI_CONTAINERID, CNI_NETNS"),
        ("ADD", "{not json", ENV, 6, "failed to decode network configuration"),
        ("ADD", CONFIG | {"cniVersion": "0.2.0"}, ENV, 1, "incompatible CNI versions"),
        ("ADD", CONFIG | {"cniVersion": "7.0.0"}, ENV, 1, "unsupported CNI version"),
        ("ADD", CONFIG | {"ipam": {"type": 3}}, ENV, 7, "ipam.type: expected a string"),
        ("ADD", CONFIG | {"type": "pkw-missing"}, ENV, 7, "no network plugin answers"),
        ("CHECK", CONFIG, ENV | {"CNI_CONTAINERID": "tampered"}, 999, "address gone"),
    ],
)
def test_errors_are_the_specs_json_with_its_code(installed, command, config, env, code, message):
    exit_code, body = _call(command, config, env)
    assert exit_code == 1
    assert body["code"] == code
    assert message in body["msg"]
    assert body["cniVersion"]


def test_the_executable_runs_under_a_symlink_with_the_cni_environment(installed, tmp_path):
    link = tmp_path / "bin" / "pkw-ipam"
    link.parent.mkdir()
    link.symlink_to(BIN / "podkit-cni")
    env = {**os.environ, "PYTHONPATH": str(installed), "CNI_COMMAND": "ADD", **ENV}
    env["PODKIT_CNI_AGENT"] = str(tmp_path / "no-agent.sock")  # in-process, whatever runs here
    done = subprocess.run(
        [str(link)], input=json.dumps(CONFIG), env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["ips"] == [{"address": "192.0.2.10/24"}]


def test_the_installed_executable_prints_its_version():
    done = subprocess.run(
        [str(BIN / "podkit-cni"), "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"podkit-cni {podkit.__version__}\n"


def test_version_without_a_type_lists_what_the_wire_speaks():
    code, body = _call("VERSION", "", env={})
    assert code == 0
    assert body["supportedVersions"] == ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]
