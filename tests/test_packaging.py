"""podkit as a user gets it: a wheel in a fresh virtualenv, and a third-party plugin."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "third-party-plugin"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _run(*argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, check=True, **kwargs)


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A new virtualenv with podkit installed from a freshly built wheel."""
    tmp = tmp_path_factory.mktemp("packaging")
    wheels = tmp / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT))
    [wheel] = wheels.glob("podkit-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "-q", str(wheel))
    return env_dir


def test_the_wheel_holds_the_whole_package_tree(fresh_venv):
    code = (
        "import podkit, podkit.plugins, podkit.conformance.plugin, podkit.hookspecs.network;"
        "import podkit.models.kube, podkit.manifests, podkit.testing;"
        "print(podkit.__file__)"
    )
    done = _run(str(fresh_venv / "bin" / "python"), "-c", code, cwd="/")
    assert "site-packages/podkit/__init__.py" in done.stdout
    typed = list((fresh_venv / "lib").glob("python3*/site-packages/podkit/py.typed"))
    assert typed, "py.typed is missing from the wheel"


def test_the_console_scripts_work(fresh_venv):
    import podkit

    done = _run(str(fresh_venv / "bin" / "podkit"), "--version", cwd="/")
    assert done.stdout == f"podkit {podkit.__version__}\n"
    done = _run(str(fresh_venv / "bin" / "podkit-cni"), "--version", cwd="/")
    assert done.stdout == f"podkit-cni {podkit.__version__}\n"


def test_a_third_party_plugin_installs_lists_and_conforms(fresh_venv):
    bin_dir = fresh_venv / "bin"
    _run(str(bin_dir / "python"), "-m", "pip", "install", "-q", str(EXAMPLE))
    table = _run(str(bin_dir / "podkit"), "plugins", cwd="/").stdout.splitlines()
    assert table[0].split() == ["NAME", "KIND", "ANSWERS", "FOR", "VERSION", "DISTRIBUTION"]
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert rows["example-runtime"] == [
        "example-runtime",
        "runtime",
        "example",
        "0.1.0",
        "podkit-example-plugin",
    ]
    assert rows["example-network"][1:3] == ["network", "example-bridge"]
    assert rows["example-storage"][1:3] == ["storage", "example.podkit.dev"]
    for kind in ("runtime", "network", "storage"):
        done = _run(
            str(bin_dir / "podkit"),
            "conformance",
            kind,
            "--plugin",
            f"example-{kind}",
            "--smoke",
            cwd="/",
        )
        assert done.stdout.splitlines()[-1].startswith(
            f"podkit conformance {kind}: plugin 'example-{kind}' conforms ("
        )
