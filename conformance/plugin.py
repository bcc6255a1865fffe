"""The conformance pytest plugin (entry point ``pytest11``).

Inert unless ``--podkit-plugin`` is given: it only adds options and fixtures,
which the suites in this package use. It selects the target plugin, loads it
into a :class:`podkit.PluginManager`, and gives the suites a
:class:`Target` per kind. Each suite test names the spec rule it checks in
its docstring.

Options:

``--podkit-plugin NAME``
    an installed plugin's entry-point name, or ``module:attribute`` for a
    plugin object that is not installed (a class is instantiated).
``--podkit-target NAME``
    the handler / CNI type / CSI driver to address; by default the first
    name the plugin declares with :func:`podkit.answers_for`.
``--via-exec``
    (network) reach the plugin through the ``podkit-cni`` executable, as a
    CNI runtime would: a folder of symbolic links named by its types, run
    by :class:`podkit.CniExecPlugin`. The plugin must be installed.
``--cni-path DIR``
    (network) test the CNI plugin binaries in ``DIR`` (e.g. Debian's
    ``/usr/lib/cni``) instead of a podkit plugin; pick one with
    ``--podkit-target``.
``--csi-endpoint unix://PATH``
    (storage) test the CSI driver serving on that unix socket instead of a
    podkit plugin, through :class:`podkit.CsiClientPlugin`; calls are
    addressed to the driver name it reports.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import final

import attrs
import pytest

import podkit
from podkit.hookspecs import KINDS


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the target options."""
    group = parser.getgroup("podkit-conformance", "podkit conformance suites")
    group.addoption(
        "--podkit-plugin",
        metavar="NAME",
        help="plugin under test: an installed plugin's name or module:attribute",
    )
    group.addoption(
        "--via-exec",
        action="store_true",
        help="network: call the plugin through the podkit-cni executable",
    )
    group.addoption(
        "--cni-path",
        metavar="DIR",
        help="network: test the upstream CNI plugin binaries in DIR",
    )
    group.addoption(
        "--csi-endpoint",
        metavar="unix://PATH",
        help="storage: test the CSI driver serving on this unix socket",
    )
    group.addoption(
        "--podkit-target",
        metavar="NAME",
        help="handler / CNI type / CSI driver to address (default: the plugin's first name)",
    )


@final
@attrs.frozen
class Target:
    """The plugin under test and the name calls are addressed to."""

    #: A manager that holds the plugin under test (and the trace plugin when
    #: ``PODKIT_TRACE=1``).
    manager: podkit.PluginManager
    #: The plugin's registered name.
    plugin: str
    #: The handler / CNI type / CSI driver calls are addressed to.
    name: str


_LOADED = pytest.StashKey[tuple[podkit.PluginManager, str]]()
_DEFAULT_TARGET = pytest.StashKey[str]()


def _load(spec: str) -> tuple[podkit.PluginManager, str]:
    if ":" in spec:
        module_name, _, attribute = spec.partition(":")
        try:
            plugin = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            msg = f"--podkit-plugin {spec}: cannot import it: {type(exc).__name__}: {exc}"
            raise pytest.UsageError(msg) from exc
        manager = podkit.PluginManager.load(entry_points=False)
        return manager, manager.register(plugin, name=attribute)
    manager = podkit.PluginManager.load(select=[spec])
    if spec not in {info.name for info in manager.plugins()}:
        msg = f"--podkit-plugin {spec}: no installed plugin has that name (see `podkit plugins`)"
        raise pytest.UsageError(msg)
    return manager, spec


def _exec_manager(cni_path: str) -> tuple[podkit.PluginManager, str]:
    manager = podkit.PluginManager.load(entry_points=False)
    return manager, manager.register(podkit.CniExecPlugin([cni_path]), name="cni-exec")


def _csi_manager(config: pytest.Config, endpoint: str) -> tuple[podkit.PluginManager, str]:
    client = podkit.CsiClientPlugin(endpoint)
    config.add_cleanup(client.close)
    manager = podkit.PluginManager.load(entry_points=False)
    return manager, manager.register(client, name="csi-client", kind="storage")


def _via_exec(config: pytest.Config, manager: podkit.PluginManager, plugin: str) -> str:
    """A folder of ``<type> -> podkit-cni`` links for the plugin's types."""
    executable = Path(sys.executable).parent / "podkit-cni"
    if not executable.exists():
        found = shutil.which("podkit-cni")
        if found is None:
            msg = "--via-exec: the podkit-cni executable is not installed"
            raise pytest.UsageError(msg)
        executable = Path(found)
    folder = Path(tempfile.mkdtemp(prefix="podkit-conformance-cni-"))
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    info = next(i for i in manager.plugins() if i.name == plugin)
    for name in info.answers_for or ():
        (folder / name).symlink_to(executable)
    return str(folder)


def pytest_configure(config: pytest.Config) -> None:
    """Load the plugin under test up front, so that a bad name is one clear line."""
    spec = config.getoption("--podkit-plugin")
    cni_path = config.getoption("--cni-path")
    csi_endpoint = config.getoption("--csi-endpoint")
    try:
        if cni_path:
            config.stash[_LOADED] = _exec_manager(cni_path)
        elif csi_endpoint:
            config.stash[_LOADED] = _csi_manager(config, csi_endpoint)
        elif spec:
            manager, plugin = _load(spec)
            if config.getoption("--via-exec"):
                names = next(i for i in manager.plugins() if i.name == plugin).answers_for
                config.stash[_LOADED] = _exec_manager(_via_exec(config, manager, plugin))
                config.stash[_DEFAULT_TARGET] = (names or ("",))[0]
            else:
                config.stash[_LOADED] = (manager, plugin)
    except podkit.PodkitError as exc:
        msg = f"--podkit-plugin {spec or cni_path or csi_endpoint}: {exc}"
        raise pytest.UsageError(msg) from exc


@pytest.fixture(scope="session")
def podkit_plugin(request: pytest.FixtureRequest) -> tuple[podkit.PluginManager, str]:
    """The manager holding the plugin under test, and the plugin's name."""
    loaded = request.config.stash.get(_LOADED, None)
    if loaded is None:
        pytest.skip(
            "no conformance target: pass --podkit-plugin NAME"
            " (or --cni-path DIR, or --csi-endpoint unix://PATH)"
        )
    return loaded


def _target(request: pytest.FixtureRequest, kind: str) -> Target:
    manager, plugin = request.getfixturevalue("podkit_plugin")
    info = next(i for i in manager.plugins() if i.name == plugin)
    name = (
        request.config.getoption("--podkit-target")
        or request.config.stash.get(_DEFAULT_TARGET, "")
        or (info.answers_for or (None,))[0]
    )
    if name is None:
        pytest.fail(
            f"plugin {plugin!r} declares no names (podkit.answers_for); pass --podkit-target",
            pytrace=False,
        )
    if info.kind not in {kind, "any"}:
        pytest.fail(f"plugin {plugin!r} is a {info.kind} plugin, not a {kind} one", pytrace=False)
    if not any(hook.startswith(KINDS[kind].prefix) for hook in info.hooks):
        pytest.fail(f"plugin {plugin!r} implements no {kind} hooks", pytrace=False)
    return Target(manager=manager, plugin=plugin, name=name)


@pytest.fixture(scope="session")
def runtime_target(request: pytest.FixtureRequest) -> Target:
    """The runtime plugin under test; calls are addressed to ``.name`` (the handler)."""
    return _target(request, "runtime")


@pytest.fixture(scope="session")
def network_target(request: pytest.FixtureRequest) -> Target:
    """The network plugin under test; calls are addressed to ``.name`` (the CNI type)."""
    return _target(request, "network")


@pytest.fixture(scope="session")
def storage_target(request: pytest.FixtureRequest) -> Target:
    """The storage plugin under test; calls are addressed to ``.name`` (the CSI driver)."""
    return _target(request, "storage")
