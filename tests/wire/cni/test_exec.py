from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import podkit
from podkit.wire.cni._exec import SUPPORTED_VERSIONS, run


def _run(env):
    out = io.StringIO()
    code = run(["podkit-cni"], getenv=env.get, stdout=out)
    return code, json.loads(out.getvalue())


def test_version_lists_the_supported_spec_versions():
    code, body = _run({"CNI_COMMAND": "VERSION"})
    assert code == 0
    assert body == {"cniVersion": "1.1.0", "supportedVersions": list(SUPPORTED_VERSIONS)}


def test_missing_command_is_cni_error_4():
    code, body = _run({})
    assert code == 1
    assert body["code"] == 4
    assert body["msg"] == "CNI_COMMAND is not set"


def test_other_commands_say_they_are_not_there_yet():
    code, body = _run({"CNI_COMMAND": "ADD"})
    assert code == 1
    assert body["code"] == 4
    assert "VERSION only" in body["details"]


def test_the_installed_executable_prints_its_version():
    exe = shutil.which("podkit-cni", path=str(Path(sys.executable).parent))
    assert exe is not None
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout == f"podkit-cni {podkit.__version__}\n"
