"""The plugin manager: loading, validating, routing and calling plugins.

Only this module touches ``pm.hook.*``, whose calls pluggy cannot type; the
typed per-kind facades (:mod:`podkit.pluginmanager._facades`) call through
:meth:`PluginManager.call`.

Routing: a call is addressed to a name (runtime handler, CNI type, CSI
driver). Plugins that declared their names with :func:`answers_for` are only
called for those names; plugins that did not are called for every name and
decline with ``None`` (pytest's decline-with-``None`` pattern). Wrappers
declare no names, so they see every call.

Async: a hookimpl may be ``async def``. In :meth:`PluginManager.acall` the
hook chain runs in a worker thread and the coroutine the async plugin returned
is awaited back in the caller's event loop; a plain :meth:`PluginManager.call`
from synchronous code runs it to completion with :func:`asyncio.run`.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import os
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar, cast, final

import attrs
import pluggy

from podkit import errors
from podkit._markers import PROJECT, hookimpl
from podkit.hookspecs import KINDS
from podkit.pluginmanager import _discovery, _validation
from podkit.pluginmanager._facades import NetworkHooks, RuntimeHooks, StorageHooks
from podkit.pluginmanager._trace import TracePlugin

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection, Iterable

_P = ParamSpec("_P")
_R = TypeVar("_R")
_T = TypeVar("_T")

#: Set to a comma-separated list of plugin names to keep them from loading.
DISABLED_ENV: Final = "PODKIT_DISABLED_PLUGINS"
#: Set to 1 to load the trace plugin.
TRACE_ENV: Final = "PODKIT_TRACE"
#: The attribute :func:`answers_for` sets.
NAMES_ATTR: Final = "podkit_names"

_IN_WORKER: Final = contextvars.ContextVar("podkit_in_worker", default=False)
_DEFAULT_IMPL_OPTS: Final = cast(
    "dict[str, Any]", getattr(hookimpl(lambda: None), f"{PROJECT}_impl")
)


def answers_for(*names: str) -> Callable[[_T], _T]:
    """Declare the names a plugin answers for, in one line.

    ``@podkit.answers_for("bridge")`` on a plugin class routes to it only the
    calls addressed to CNI type ``bridge`` (or runtime handler, or CSI
    driver, for the other kinds). A module plugin sets ``podkit_names =
    ("bridge",)`` instead; an instance whose names come from configuration
    sets the same attribute in ``__init__``.

    .. versionadded:: 0.1
    """
    if not names or not all(isinstance(n, str) and n for n in names):
        msg = "answers_for() needs one or more non-empty names"
        raise errors.InvalidArgumentError(msg)

    def declare(plugin: _T) -> _T:
        setattr(plugin, NAMES_ATTR, tuple(names))
        return plugin

    return declare


def declared_names(plugin: object) -> tuple[str, ...] | None:
    """The names ``plugin`` declared, or ``None`` when it decides per call."""
    names = getattr(plugin, NAMES_ATTR, None)
    return None if names is None else tuple(names)


@final
@attrs.frozen(kw_only=True)
class PluginInfo:
    """What ``podkit plugins`` shows of one loaded plugin.

    .. versionadded:: 0.1
    """

    #: The plugin's registered name (its entry-point name).
    name: str
    #: ``runtime``, ``network``, ``storage``, or ``any`` for wrappers.
    kind: str
    #: The names it answers for; ``None`` when it decides per call.
    answers_for: tuple[str, ...] | None
    #: The distribution it came from, and its version.
    distribution: str
    version: str
    #: The hooks it implements.
    hooks: tuple[str, ...]
    plugin: object = attrs.field(eq=False, repr=False)


class _PluggyManager(pluggy.PluginManager):
    """pluggy's manager, also taking un-marked ``<kind>_*`` functions as hooks.

    As pytest does with ``pytest_*``: a plugin author who forgets the marker
    still gets the hook, and a misspelt hook name is caught at load time.
    """

    def parse_hookimpl_opts(self, plugin: object, name: str) -> Any:  # noqa: ANN401 - pluggy's HookimplOpts
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is not None or not name.startswith(_validation.HOOK_PREFIXES):
            return opts
        attribute = inspect.getattr_static(plugin, name, None)
        if isinstance(attribute, staticmethod | classmethod) or inspect.isfunction(attribute):
            return dict(_DEFAULT_IMPL_OPTS)
        return None


@final
class PluginManager:
    """Loads podkit plugins and calls them.

    Most programs call :meth:`load`; tests and embedders may also build an
    empty manager and :meth:`register` plugin objects themselves.

    .. versionadded:: 0.1
    """

    def __init__(self) -> None:
        self._pm = _PluggyManager(PROJECT)
        for kind in KINDS.values():
            self._pm.add_hookspecs(kind.module)
        self._specs = _validation.spec_arguments()
        self._infos: dict[str, PluginInfo] = {}
        self._callers: dict[tuple[str, str], Any] = {}
        #: The runtime hooks, typed: ``pm.runtime.run_pod_sandbox(handler, config)``.
        self.runtime: Final = RuntimeHooks(self.call)
        #: The network hooks, typed: ``pm.network.add(cni_type, config, attachment)``.
        self.network: Final = NetworkHooks(self.call)
        #: The storage hooks, typed: ``pm.storage.node_publish_volume(driver, ...)``.
        self.storage: Final = StorageHooks(self.call)

    @classmethod
    def load(
        cls,
        *,
        entry_points: bool = True,
        select: Collection[str] | None = None,
        disabled: Iterable[str] | None = None,
        trace: bool | None = None,
    ) -> PluginManager:
        """Load the built-in plugins and those installed through entry points.

        :param entry_points: load plugins from the entry-point groups.
        :param select: load only the entry points of these names.
        :param disabled: plugin names not to load; by default taken from
            ``$PODKIT_DISABLED_PLUGINS`` (comma-separated).
        :param trace: load the trace plugin; by default when ``$PODKIT_TRACE``
            is set to ``1``, ``true`` or ``yes``.
        :raises podkit.PluginValidationError: when a plugin cannot be loaded.
        """
        manager = cls()
        if trace is None:
            trace = os.environ.get(TRACE_ENV, "").lower() in {"1", "true", "yes"}
        if trace:
            manager.register(TracePlugin(), name="trace", kind="any")
        if disabled is None:
            disabled = [n for n in os.environ.get(DISABLED_ENV, "").split(",") if n.strip()]
        blocked = {name.strip() for name in disabled}
        if entry_points:
            for found in _discovery.discover(blocked):
                if select is not None and found.name not in select:
                    continue
                manager.register(
                    found.load(),
                    name=found.name,
                    kind=found.kind,
                    distribution=found.distribution,
                    version=found.version,
                )
        manager.check_pending()
        return manager

    # -- registration ------------------------------------------------------

    def register(
        self,
        plugin: object,
        *,
        name: str | None = None,
        kind: str = "any",
        distribution: str = "",
        version: str = "",
    ) -> str:
        """Validate and register one plugin object (a module, class or instance).

        A class is instantiated with no arguments first.

        :param kind: ``runtime``, ``network``, ``storage`` (only hooks of that
            kind are allowed), or ``any``.
        :returns: the name it was registered under.
        :raises podkit.PluginValidationError: on a hook or argument that does not
            match a spec, a name already taken, or two plugins of one kind
            answering for the same name.
        """
        if inspect.isclass(plugin):
            plugin = plugin()
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        where = f"plugin {name!r}" + (
            f" from distribution {distribution!r}" if distribution else ""
        )
        if kind != "any" and kind not in KINDS:
            msg = f"{where}: unknown plugin kind {kind!r}"
            raise errors.PluginValidationError(msg)
        if name in self._infos:
            msg = f"{where}: a plugin named {name!r} is registered already"
            raise errors.PluginValidationError(msg)
        hooks = self._check(plugin, where=where, kind=None if kind == "any" else kind)
        self._check_names_free(plugin, where=where, kind=kind, hooks=hooks)
        try:
            self._pm.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            msg = f"{where}: {exc}"
            raise errors.PluginValidationError(msg) from exc
        self._infos[name] = PluginInfo(
            name=name,
            kind=kind,
            answers_for=declared_names(plugin),
            distribution=distribution,
            version=version,
            hooks=hooks,
            plugin=plugin,
        )
        self._callers.clear()
        return name

    def unregister(self, name: str) -> None:
        """Remove the plugin registered as ``name``; unknown names are ignored."""
        info = self._infos.pop(name, None)
        if info is not None:
            self._pm.unregister(info.plugin)
            self._callers.clear()

    def _check(self, plugin: object, *, where: str, kind: str | None) -> tuple[str, ...]:
        hooks = []
        for attr in dir(plugin):
            opts = self._pm.parse_hookimpl_opts(plugin, attr)
            if opts is None:
                continue
            hook_name = opts.get("specname") or attr
            _validation.check_hook(
                where=where,
                hook_name=hook_name,
                function=getattr(plugin, attr),
                specs=self._specs,
                kind=kind,
            )
            hooks.append(hook_name)
        return tuple(sorted(hooks))

    def _check_names_free(
        self, plugin: object, *, where: str, kind: str, hooks: Collection[str]
    ) -> None:
        names = declared_names(plugin)
        if names is None or not hooks:
            return
        for other in self._infos.values():
            taken = set(names) & set(other.answers_for or ())
            if other.kind == kind and taken:
                msg = (
                    f"{where}: {kind} plugin {other.name!r} answers for {sorted(taken)} already;"
                    f" disable one of them with ${DISABLED_ENV}"
                )
                raise errors.PluginValidationError(msg)

    def check_pending(self) -> None:
        """Fail if a registered plugin implements a hook that has no spec."""
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise errors.PluginValidationError(str(exc)) from exc

    def plugins(self) -> list[PluginInfo]:
        """The registered plugins, in registration order."""
        return list(self._infos.values())

    def names(self, kind: str) -> list[str]:
        """Every name that plugins of ``kind`` declared they answer for."""
        return sorted(
            {
                n
                for info in self._infos.values()
                if info.kind == kind
                for n in info.answers_for or ()
            }
        )

    # -- calling -------------------------------------------------------------

    def _caller(self, hook_name: str, target: str) -> Any:  # noqa: ANN401 - pluggy's HookCaller
        key = (hook_name, target)
        caller = self._callers.get(key)
        if caller is None:
            others = [
                info.plugin
                for info in self._infos.values()
                if info.answers_for is not None and target not in info.answers_for
            ]
            caller = self._pm.subset_hook_caller(hook_name, others)
            self._callers[key] = caller
        return caller

    def call(self, hook_name: str, /, **kwargs: Any) -> Any:  # noqa: ANN401 - typed by the facades
        """Call ``hook_name`` on the plugin that answers for its target.

        :raises podkit.NoPluginError: when no plugin answers.
        :raises podkit.PodkitError: whatever the plugin raised.
        """
        kind = KINDS[hook_name.partition("_")[0]]
        target = kwargs[kind.target_arg]
        result = self._caller(hook_name, target)(**kwargs)
        if result is None:
            raise self._declined(kind.name, kind.target_arg, target, hook_name)
        if not inspect.isawaitable(result):
            return result
        checked = _checked(result, kind.name, kind.target_arg, target, hook_name)
        if _IN_WORKER.get():
            return checked  # acall() awaits it in the caller's event loop
        import asyncio  # noqa: PLC0415 - ~20 ms with ssl: only for async plugins (podkit-cni)

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(checked)
        checked.close()
        _close(result)
        msg = (
            f"{hook_name}: the plugin answering for {target!r} is async and this thread runs an"
            " event loop; call it with `await manager.acall(...)`"
        )
        raise RuntimeError(msg)

    def _declined(
        self, kind: str, target_arg: str, target: str, hook_name: str
    ) -> errors.PodkitError:
        """The error for a call no plugin answered: unimplemented, or nobody's name."""
        for info in self._infos.values():
            if info.kind == kind and target in (info.answers_for or ()):
                msg = (
                    f"failed to call {hook_name}: {kind} plugin {info.name!r}, which answers"
                    f" for {target_arg} {target!r}, does not implement it"
                )
                return errors.UnimplementedError(msg)
        return _no_plugin(kind, target_arg, target, hook_name)

    async def acall(
        self,
        method: Callable[_P, _R],
        /,
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _R:
        """Await a facade method, e.g. ``await pm.acall(pm.network.add, ...)``.

        Synchronous plugins run in the event loop's default executor with a
        copy of the caller's context; an ``async def`` plugin is awaited in the
        caller's event loop.
        """
        import asyncio  # noqa: PLC0415 - see call()

        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        call = functools.partial(_in_worker, method, *args, **kwargs)
        result: object = await loop.run_in_executor(None, context.run, call)
        if inspect.isawaitable(result):
            result = await result  # an async plugin's coroutine, from call()
        return cast("_R", result)


def _in_worker(method: Callable[..., _R], /, *args: object, **kwargs: object) -> _R:
    _IN_WORKER.set(True)
    return method(*args, **kwargs)


def _no_plugin(kind: str, target_arg: str, target: str, hook_name: str) -> errors.NoPluginError:
    msg = f"failed to call {hook_name}: no {kind} plugin answers for {target_arg} {target!r}"
    return errors.NoPluginError(msg)


async def _checked(awaitable: Awaitable[_R], *where: str) -> _R:
    result = await awaitable
    if result is None:
        raise _no_plugin(*where)
    return result


def _close(awaitable: object) -> None:
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()
