"""Loading the issuer plugins, in a documented order, each one guarded.

Order: the built-ins (``attest_plugins.BUILTIN_PLUGINS``), installed packages through the
entry-point group ``attest_pipeline.plugins``, the plugin directories of the configuration
(every ``*.py`` module in them), the ``--plugin`` options, then the declarative issuer
templates. The same module reached twice is loaded once; the first issuer of a given name
wins. A plugin that fails to import, raises while registering, or was written for another
plugin API is reported (``attest plugins``) and left out; the others load.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from attest_pipeline.config import PluginSettings
from attest_pipeline.contract import API_VERSION, PROJECT, HookSpecs, Issuer
from attest_pipeline.models import Family

ENTRY_POINT_GROUP = "attest_pipeline.plugins"


@dataclass(frozen=True, slots=True)
class PluginReport:
    """What ``attest plugins`` shows about one plugin or issuer."""

    name: str
    origin: str
    source: str
    status: str
    version: str = ""
    api_version: int | None = None
    covers: str = ""
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Registry:
    """The issuers of this run, in load order, and the report on every plugin seen."""

    issuers: tuple[Issuer, ...]
    reports: tuple[PluginReport, ...] = field(default=())

    def issuer(self, name: str) -> Issuer:
        """The loaded issuer with this name (``KeyError`` if absent)."""
        for issuer in self.issuers:
            if issuer.name == name:
                return issuer
        raise KeyError(name)


def load_registry(
    settings: PluginSettings,
    *,
    extra: Sequence[str] = (),
    disabled: Sequence[str] = (),
    builtins: bool = True,
) -> Registry:
    """Load every plugin the settings and options name, and return the usable issuers."""
    loader = _PluginLoader(disabled=frozenset(settings.disabled) | frozenset(disabled))
    if builtins:
        from attest_plugins import BUILTIN_PLUGINS

        for module_name in BUILTIN_PLUGINS:
            loader.load(partial(importlib.import_module, module_name), "builtin", module_name)
    if settings.entry_points:
        for entry_point in _entry_points():
            loader.load(
                entry_point.load, "entry point", f"{entry_point.name} = {entry_point.value}"
            )
    for directory in settings.dirs:
        if not directory.is_dir():
            loader.report_failure(str(directory), "directory", str(directory), "no such directory")
            continue
        for path in sorted(directory.glob("*.py")):
            if not path.name.startswith("_"):
                loader.load(partial(_import_path, path), "directory", str(path))
    for item in extra:
        origin = "--plugin"
        if item.endswith(".py") or "/" in item:
            path = Path(item).resolve()
            loader.load(partial(_import_path, path), origin, str(path))
        else:
            loader.load(partial(importlib.import_module, item), origin, item)
    if settings.template_dirs:
        loader.load_templates(settings.template_dirs)
    return Registry(issuers=tuple(loader.issuers), reports=tuple(loader.reports))


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """One entry point of the plugin group: ``name = module[:attribute]``."""

    name: str
    value: str

    def load(self) -> Any:
        """Import the module (and get the attribute) the entry point names."""
        target = self.value.partition("[")[0]  # the extras are pip's business
        module, _, attribute = target.partition(":")
        loaded: Any = importlib.import_module(module.strip())
        for part in filter(None, attribute.strip().split(".")):
            loaded = getattr(loaded, part)
        return loaded


def _entry_points() -> Iterator[EntryPoint]:
    """The entry points of the plugin group, in the order ``importlib.metadata`` gives them.

    pluggy's load_setuptools_entrypoints() imports without a guard: one broken package
    would stop every other plugin, so we iterate the entry points ourselves. And read them
    ourselves: importing ``importlib.metadata`` (the ``email`` package with it) and asking
    it costs 13-16 ms, 5% of a one-file ``attest extract``, for what is a few folder
    listings. An installation this reading does not cover (a zip or an egg on the path,
    another finder of distributions) is left to ``importlib.metadata``.
    """
    found = _scan_entry_points(sys.path, sys.meta_path)
    if found is None:
        import importlib.metadata

        found = [
            EntryPoint(ep.name, ep.value)
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        ]
    yield from found


def _scan_entry_points(paths: Sequence[str], finders: Sequence[object]) -> list[EntryPoint] | None:
    """The plugin group's entry points of the distributions in the folders ``paths``.

    As ``importlib.metadata`` finds them: the ``*.dist-info`` and ``*.egg-info`` folders of
    each path in turn, the first distribution of a name hiding the others. ``None`` when
    ``importlib.metadata`` would look elsewhere too (its answer is then needed).
    """
    if any(
        hasattr(finder, "find_distributions") and finder is not importlib.machinery.PathFinder
        for finder in finders
    ):
        return None
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for path in paths:
        if not isinstance(path, str):
            return None
        root = path or "."
        try:
            children = os.listdir(root)
        except OSError:
            if os.path.exists(root):
                return None  # a zip file (or unreadable folder)
            continue
        if root.lower().endswith(".egg"):
            return None
        # Grouped by name in their first order, as importlib.metadata's lookup does.
        infos: dict[str, list[str]] = {}
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                name = _normalize(low.rpartition(".")[0].partition("-")[0])
                infos.setdefault(name, []).append(child)
        for name, folders in infos.items():
            for folder in folders:
                if name in seen:
                    continue
                seen.add(name)
                found += _group_entries(os.path.join(root, folder, "entry_points.txt"))
    return found


def _normalize(name: str) -> str:
    """A distribution's name as importlib.metadata compares them."""
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _group_entries(path: str) -> list[EntryPoint]:
    """The plugin group's entries of one ``entry_points.txt`` (an INI file)."""
    try:
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    entries: list[EntryPoint] = []
    section = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == ENTRY_POINT_GROUP:
            name, _, value = line.partition("=")
            entries.append(EntryPoint(name.strip(), value.strip()))
    return entries


def _import_path(path: Path) -> ModuleType:
    """Import a module from a file path under a name that cannot clash with a package."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    name = f"attest_plugin_file_{path.stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


class _PluginLoader:
    """Accumulates issuers and reports while plugins are loaded one by one."""

    def __init__(self, disabled: frozenset[str]) -> None:
        self.disabled = disabled
        self.manager = pluggy.PluginManager(PROJECT)
        self.manager.add_hookspecs(HookSpecs)
        self.issuers: list[Issuer] = []
        self.reports: list[PluginReport] = []
        self.seen_files: set[str] = set()

    def report_failure(self, name: str, origin: str, source: str, problem: str) -> None:
        self.reports.append(PluginReport(name, origin, source, "failed", problem=problem))

    def load(self, importer: Callable[[], ModuleType], origin: str, source: str) -> None:
        """Import one plugin module and register its issuers; never raises."""
        try:
            module = importer()
        except Exception as error:  # one broken plugin must not stop the others
            self.report_failure(source, origin, source, f"import failed: {_describe(error)}")
            return
        key = str(Path(getattr(module, "__file__", None) or module.__name__).resolve())
        if key in self.seen_files:
            return
        self.seen_files.add(key)
        if self.manager.is_registered(module):
            return
        try:
            self.manager.register(module, name=f"{origin}:{source}")
            self.manager.check_pending()
        except Exception as error:
            self.report_failure(source, origin, source, f"bad hook: {_describe(error)}")
            return
        found: list[Issuer] = []
        try:
            for impl in self.manager.hook.attest_register_issuers.get_hookimpls():
                if impl.plugin is module:
                    impl.function(register=found.append)
        except Exception as error:
            self.report_failure(source, origin, source, f"registration failed: {_describe(error)}")
            return
        if not found:
            self.report_failure(source, origin, source, "registered no issuer")
        for issuer in found:
            self.add(issuer, origin, source)

    def load_templates(self, dirs: Sequence[Path]) -> None:
        """Register the issuers described by declarative templates."""
        from attest_pipeline.issuers import load_templates

        try:
            issuers, problems = load_templates(dirs)
        except Exception as error:
            self.report_failure(
                "templates", "template", ", ".join(map(str, dirs)), _describe(error)
            )
            return
        for problem in problems:
            self.report_failure(problem.path.stem, "template", str(problem.path), problem.problem)
        for issuer in issuers:
            self.add(issuer, "template", getattr(issuer, "source", ""))

    def add(self, issuer: Issuer, origin: str, source: str) -> None:
        """Check one issuer object and keep it, or report why it is refused."""
        name = getattr(issuer, "name", "")
        report = PluginReport(
            name=str(name) or source,
            origin=origin,
            source=source,
            status="loaded",
            version=str(getattr(issuer, "version", "")),
            api_version=getattr(issuer, "api_version", None),
            covers=str(getattr(issuer, "covers", "")),
        )
        problem = _check_issuer(issuer)
        if problem is None and any(existing.name == name for existing in self.issuers):
            problem = "an issuer of the same name is already loaded"
        if problem is not None:
            self.reports.append(_replace(report, status="refused", problem=problem))
        elif name in self.disabled:
            self.reports.append(_replace(report, status="disabled", problem="disabled"))
        else:
            self.issuers.append(issuer)
            self.reports.append(report)


def _check_issuer(issuer: object) -> str | None:
    """Why an object cannot serve as an issuer, or ``None`` when it can."""
    if not isinstance(issuer, Issuer):
        return f"{type(issuer).__name__} is not an attest_pipeline.contract.Issuer"
    if not issuer.name or not isinstance(issuer.name, str):
        return "the issuer has no name"
    if issuer.api_version != API_VERSION:
        return (
            f"written for plugin API {issuer.api_version}, this attest-pipeline provides "
            f"API {API_VERSION}"
        )
    if any(not isinstance(f, Family) for f in issuer.families):
        return "families must be attest_pipeline.models.Family values"
    return None


def _replace(report: PluginReport, *, status: str, problem: str) -> PluginReport:
    return replace(report, status=status, problem=problem)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
